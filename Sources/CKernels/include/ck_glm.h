#ifndef CK_GLM_H
#define CK_GLM_H

#include <stdint.h>

/// Fused M-step kernels of the state-switching GLM (Models/StateGLM).
///
/// One call covers the gathered bins of one state: for each bin t (a row of `design`, whose k = n + 1
/// columns are the n history features and a trailing 1 for the bias) it forms the drives
/// η_t = design_t · coupling (coupling is k × n, row-major), the per-element log-likelihood ℓ(x, η)
/// without the count-only constant and its derivative ∂ℓ/∂η, and accumulates
///   gradient (k × n, row-major) += γ_t · design_tᵀ ⊗ ∂ℓ/∂η_t
/// returning Σ_t γ_t Σ_j ℓ(x_tj, η_tj). Keeping everything in one pass over the rows means the drives
/// never go to memory, which the separate GEMM / element pass / GEMM pipeline spent most of its time on.
///
/// Rows are processed in order and each sum has a fixed order, so the result does not depend on how
/// the caller splits work (beyond the order in which it adds the pieces).

/// The likelihood–link pairs the kernels implement (Models' StateGLMEmission).
#define CK_GLM_POISSON_SIGMOID 0
#define CK_GLM_POISSON_SOFTPLUS 1
#define CK_GLM_POISSON_EXP 2
#define CK_GLM_BERNOULLI_SIGMOID 3

/// Portable C (libm exp/log). `emission` is one of the CK_GLM_* constants; others return NaN.
double ck_glm_block_generic(int emission, const double *design, const double *counts, const double *gamma,
                            int64_t rows, int64_t n, const double *coupling, double *gradient);

/// AVX2 + FMA version; only call it when `ck_cpu_has_avx2_fma()` is 1. Agrees with the generic version
/// to rounding (a few ulp per element: its exp/log are polynomial, within 2 ulp of libm).
double ck_glm_block_avx2(int emission, const double *design, const double *counts, const double *gamma,
                         int64_t rows, int64_t n, const double *coupling, double *gradient);

/// Chooses the AVX2 version when the CPU has it, else the generic one.
double ck_glm_block(int emission, const double *design, const double *counts, const double *gamma,
                    int64_t rows, int64_t n, const double *coupling, double *gradient);

/// Single-precision variants (the reference implementation's own precision) over bins laid out in
/// panels of 8, the bins in the lanes: for panel p, design[(p·k + i)·8 + l] is feature i of bin 8p + l,
/// counts[(p·n + j)·8 + l] its count of neuron j and gamma[p·8 + l] its weight. A last partial panel is
/// padded with γ = 0 and zero design and counts, which contribute exactly nothing. `coupling` is k × n
/// row-major as above, `gradient` (k × n) stays double. Float element arithmetic; the AVX2 version
/// accumulates the gradient and the returned sum in float over groups of 16 panels and then adds them
/// into double (so the rounding does not grow with the number of bins), the portable version adds each
/// bin's products into double. Both treat the bins in order, so splitting the panels between calls at
/// multiples of 16 gives the same per-call results whoever makes the calls.
double ck_glm_panels_f32_generic(int emission, const float *design, const float *counts, const float *gamma,
                                 int64_t panels, int64_t n, const float *coupling, double *gradient);
double ck_glm_panels_f32_avx2(int emission, const float *design, const float *counts, const float *gamma,
                              int64_t panels, int64_t n, const float *coupling, double *gradient);
double ck_glm_panels_f32(int emission, const float *design, const float *counts, const float *gamma,
                         int64_t panels, int64_t n, const float *coupling, double *gradient);

/// E-step emission pass: from drives (rows × states·n, block s holding state s's n drives, as the
/// E-step's single matrix product leaves them) and counts (rows × n), out[t·states + s] =
/// Σ_j ℓ(x_tj, η_tsj) without the count-only constant. Returns 0, or NaN for an unknown emission.
/// The AVX2 version agrees with the portable one to a few ulp per element.
double ck_glm_loglik_generic(int emission, const double *counts, const double *drives, int64_t rows, int64_t n,
                             int64_t states, double *out);
double ck_glm_loglik_avx2(int emission, const double *counts, const double *drives, int64_t rows, int64_t n,
                          int64_t states, double *out);
double ck_glm_loglik(int emission, const double *counts, const double *drives, int64_t rows, int64_t n, int64_t states,
                     double *out);

/// One-hot prior pass (Models/StateGLM/OneHotPrior): for every (state s, pair k) entry idx = s·pairs + k,
/// from type logits psi[idx·3 + c], strength logits omega[idx] and the state-shared log_alpha[k·3 + c]
/// = log-softmax(ρ_k), alpha = softmax(ρ_k):
///   types[idx·3 + c]   forward types: one-hot argmax ψ (CK_ONEHOT_HARD), softmax ψ (CK_ONEHOT_EXPECTED), or
///                      the Gumbel-softmax sample softmax((ψ − log(−log u))·inv_tau) with uniforms u in (0, 1)
///                      (CK_ONEHOT_SAMPLE; `uniforms` may be NULL otherwise);
///   strength[idx] = softplus(ω), sigmoid_omega[idx] = σ(ω), weights[idx] = (a_exc − a_inh)·softplus(ω);
///   d_psi[idx·3 + c]   ∂ log Concrete(softmax ψ | α, tau) / ∂ψ (written);
///   d_rho[k·3 + c]     ∂ log Concrete / ∂ρ, added to (summed over the states in order);
/// and returns Σ log Concrete(softmax ψ | α, tau) over all entries.
#define CK_ONEHOT_HARD 0
#define CK_ONEHOT_EXPECTED 1
#define CK_ONEHOT_SAMPLE 2
double ck_onehot_prior_generic(int mode, double inv_tau, int64_t states, int64_t pairs, const double *psi, const double *omega,
                               const double *uniforms, const double *log_alpha, const double *alpha, double tau,
                               double *types, double *strength, double *sigmoid_omega, double *weights,
                               double *d_psi, double *d_rho);
/// AVX2 + FMA: four entries per vector (its exp/log within a few ulp of libm).
double ck_onehot_prior_avx2(int mode, double inv_tau, int64_t states, int64_t pairs, const double *psi, const double *omega,
                            const double *uniforms, const double *log_alpha, const double *alpha, double tau,
                            double *types, double *strength, double *sigmoid_omega, double *weights,
                            double *d_psi, double *d_rho);
double ck_onehot_prior(int mode, double inv_tau, int64_t states, int64_t pairs, const double *psi, const double *omega,
                       const double *uniforms, const double *log_alpha, const double *alpha, double tau,
                       double *types, double *strength, double *sigmoid_omega, double *weights,
                       double *d_psi, double *d_rho);

#endif
