#ifndef CK_NN_H
#define CK_NN_H

/// Float32 kernels for NeuralNet's hot non-matmul ops (GELU, softmax rows, LayerNorm, Adam).
///
/// Every kernel comes three ways: `ck_nn_x` picks `ck_nn_x_avx2` when the CPU has AVX2+FMA
/// (`ck_cpu_has_avx2_fma`) and `ck_nn_x_generic` (portable C, the reference the tests compare
/// against) otherwise. Per-element results never depend on where a call's range starts or ends (the
/// AVX2 tails run the same vector arithmetic on masked lanes), so callers may cut the work into
/// chunks on any number of threads and still get bit-identical results. Row reductions (sums over one
/// row) are done inside one call in a fixed order.

#include <stdint.h>

/// GELU (exact, x·Φ(x)) over `n` elements: y[i] = x[i]·Φ(x[i]); when `slope` is non-NULL it also
/// receives the derivative Φ(x) + x·φ(x) for the backward pass. Φ through erfc, relative error ≲ 1e-6.
void ck_nn_gelu(const float *x, float *y, float *slope, long n);
void ck_nn_gelu_avx2(const float *x, float *y, float *slope, long n);
void ck_nn_gelu_generic(const float *x, float *y, float *slope, long n);

/// dst[i] = a[i]·b[i] (accumulate == 0) or dst[i] += a[i]·b[i] (accumulate != 0).
void ck_nn_mul(const float *a, const float *b, float *dst, long n, int accumulate);
void ck_nn_mul_avx2(const float *a, const float *b, float *dst, long n, int accumulate);
void ck_nn_mul_generic(const float *a, const float *b, float *dst, long n, int accumulate);

/// Numerically stable softmax of `rows` contiguous rows of length `n` (x may equal z).
void ck_nn_softmax_rows(const float *x, float *z, long rows, long n);
void ck_nn_softmax_rows_avx2(const float *x, float *z, long rows, long n);
void ck_nn_softmax_rows_generic(const float *x, float *z, long rows, long n);

/// Softmax backward of contiguous rows: dx = y ⊙ (g − Σ g⊙y), stored (accumulate == 0) or added.
void ck_nn_softmax_backward_rows(const float *y, const float *g, float *dx, long rows, long n, int accumulate);
void ck_nn_softmax_backward_rows_avx2(const float *y, const float *g, float *dx, long rows, long n, int accumulate);
void ck_nn_softmax_backward_rows_generic(const float *y, const float *g, float *dx, long rows, long n, int accumulate);

/// LayerNorm over rows of length d: y = (x − μ)/√(σ² + ε)·w + b (w, b may be NULL), biased variance.
/// mean[r] and rstd[r] receive μ and 1/√(σ² + ε).
void ck_nn_layernorm_forward(const float *x, float *y, const float *w, const float *b, float *mean, float *rstd,
                             long rows, long d, float epsilon);
void ck_nn_layernorm_forward_avx2(const float *x, float *y, const float *w, const float *b, float *mean, float *rstd,
                                  long rows, long d, float epsilon);
void ck_nn_layernorm_forward_generic(const float *x, float *y, const float *w, const float *b, float *mean,
                                     float *rstd, long rows, long d, float epsilon);

/// LayerNorm backward over `rows` rows with the saved mean/rstd: when `gx` is non-NULL,
/// gx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)) with ĝ = g⊙w (w may be NULL: ĝ = g), stored (accumulate == 0)
/// or added; when non-NULL, sum_w[j] += Σ_rows g⊙x̂ and sum_b[j] += Σ_rows g (rows in order).
void ck_nn_layernorm_backward(const float *x, const float *g, const float *w, const float *mean, const float *rstd,
                              float *gx, float *sum_w, float *sum_b, long rows, long d, int accumulate);
void ck_nn_layernorm_backward_avx2(const float *x, const float *g, const float *w, const float *mean,
                                   const float *rstd, float *gx, float *sum_w, float *sum_b, long rows, long d,
                                   int accumulate);
void ck_nn_layernorm_backward_generic(const float *x, const float *g, const float *w, const float *mean,
                                      const float *rstd, float *gx, float *sum_w, float *sum_b, long rows, long d,
                                      int accumulate);

/// One Adam/AdamW update of n parameters (PyTorch's rule): g' = g + l2·p; m = β₁m + (1−β₁)g';
/// v = β₂v + (1−β₂)g'²; p = p·shrink − step·m/(√v·inv_sqrt_c2 + ε).
void ck_nn_adam(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2, float l2,
                float shrink, float step, float inv_sqrt_c2, float epsilon);
void ck_nn_adam_avx2(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2, float l2,
                     float shrink, float step, float inv_sqrt_c2, float epsilon);
void ck_nn_adam_generic(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2, float l2,
                        float shrink, float step, float inv_sqrt_c2, float epsilon);

/// Row-major C = alpha·op(A)·op(B) + beta·C (beta 0: C is only written) for small products, e.g. one
/// attention head (k ≤ 512 on the AVX2 path, whose B panel is a 32 KB stack buffer; larger k falls back
/// to the generic loop). op(X) = Xᵀ when
/// trans_x != 0. Each element is one dot product summed over k in order. The generic version is a plain
/// triple loop (the tests' reference); callers on CPUs without AVX2+FMA should use BLAS instead.
void ck_nn_sgemm_small_avx2(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                            const float *b, long ldb, float beta, float *c, long ldc);
void ck_nn_sgemm_small_generic(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a,
                               long lda, const float *b, long ldb, float beta, float *c, long ldc);

#endif
