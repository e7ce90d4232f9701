#ifndef CK_CPU_H
#define CK_CPU_H

/// Runtime CPU dispatch for the hand-written kernels in CKernels.
///
/// The package is compiled for baseline x86-64 (SSE2) so the binary runs on any machine;
/// kernels that need AVX2/FMA are compiled per function with `__attribute__((target(...)))`
/// and chosen at run time through this check. Each kernel file keeps a portable fallback.

/// 1 when the CPU (and OS) support AVX2 and FMA3, else 0. Cached after the first call.
int ck_cpu_has_avx2_fma(void);

#endif
