import CKernels

/// What the running CPU offers the hand-written kernels in `CKernels`.
///
/// The package is built for baseline x86-64 so one binary runs everywhere; kernels that need
/// AVX2/FMA check this at run time and keep a portable path for older machines.
public enum CPUFeatures {
    /// True when AVX2 and FMA3 are available (x86-64 only).
    public static var hasAVX2FMA: Bool { ck_cpu_has_avx2_fma() != 0 }
}
