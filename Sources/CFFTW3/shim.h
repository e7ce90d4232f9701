#ifndef NEUROSWIFT_CFFTW3_SHIM_H
#define NEUROSWIFT_CFFTW3_SHIM_H
#include <fftw3.h>
#endif
