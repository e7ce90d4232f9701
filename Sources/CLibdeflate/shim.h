#ifndef NEUROSWIFT_CLIBDEFLATE_SHIM_H
#define NEUROSWIFT_CLIBDEFLATE_SHIM_H
/* libdeflate: whole-buffer DEFLATE/zlib/gzip decompression, 2–3× faster than zlib's streaming inflate. */
#include <libdeflate.h>
#endif
