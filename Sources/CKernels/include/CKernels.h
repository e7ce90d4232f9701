#ifndef CKERNELS_H
#define CKERNELS_H

// Umbrella header of the CKernels module. Listing every header here (rather than relying on an
// umbrella directory) makes clang rebuild its module cache when a kernel header is added.
#include "ck_cpu.h"
#include "ck_cp.h"
#include "ck_glm.h"
#include "ck_nn.h"

#endif
