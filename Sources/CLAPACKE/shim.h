#ifndef NEUROSWIFT_CLAPACKE_SHIM_H
#define NEUROSWIFT_CLAPACKE_SHIM_H
/* Both defines are needed: lapack.h reads lapacke_config.h only with HAVE_LAPACK_CONFIG_H, and
   LAPACK_COMPLEX_STRUCTURE turns C99 _Complex (which Swift cannot import) into a two-field struct. */
#define HAVE_LAPACK_CONFIG_H 1
#define LAPACK_COMPLEX_STRUCTURE 1
#include <lapacke.h>
#endif
