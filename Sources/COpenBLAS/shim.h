#ifndef NEUROSWIFT_COPENBLAS_SHIM_H
#define NEUROSWIFT_COPENBLAS_SHIM_H
#include <cblas.h>
/* openblas_set_num_threads / openblas_get_num_threads are declared in cblas.h (OpenBLAS's own). */
#endif
