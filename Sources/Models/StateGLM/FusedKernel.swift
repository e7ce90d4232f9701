import CKernels

/// Which implementation evaluates the M-step's per-state blocks.
///
/// `automatic` uses the fused C kernel (CKernels/glm_block.c: AVX2 + FMA when the CPU has them, else
/// its portable C version) for the likelihood–link pairs it covers, and the Swift GEMM / element /
/// GEMM pipeline otherwise. The other cases pin one implementation so tests can compare them.
enum FusedKernel: Sendable, Equatable {
    case automatic
    /// The portable C version of the fused kernel.
    case generic
    /// The Swift pipeline (two BLAS products around a vectorised element pass).
    case swift
}

extension StateGLMEmission {
    /// The `CK_GLM_*` code of this pair in the fused kernel, or nil when only the Swift path has it.
    var fusedKernelCode: Int32? {
        switch (likelihood, link) {
        case (.poisson, .sigmoid): return Int32(CK_GLM_POISSON_SIGMOID)
        case (.poisson, .softplus): return Int32(CK_GLM_POISSON_SOFTPLUS)
        case (.poisson, .exp): return Int32(CK_GLM_POISSON_EXP)
        case (.bernoulli, .sigmoid): return Int32(CK_GLM_BERNOULLI_SIGMOID)
        default: return nil
        }
    }
}
