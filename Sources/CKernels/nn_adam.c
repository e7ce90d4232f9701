// The Adam/AdamW parameter update (PyTorch's rule), one pass over parameter, gradient and moments.
#include <math.h>
#include "ck_nn.h"
#include "ck_cpu.h"
#include "nn_math.h"

void ck_nn_adam_generic(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2, float l2,
                        float shrink, float step, float inv_sqrt_c2, float epsilon) {
    for (long i = 0; i < n; i++) {
        float gi = g[i] + l2 * p[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        float denominator = sqrtf(v[i]) * inv_sqrt_c2 + epsilon;
        p[i] = p[i] * shrink - step * m[i] / denominator;
    }
}

#if CK_HAVE_AVX2
CK_AVX2 static inline void adam8(float *p, const float *g, float *m, float *v, __m256i mask, int full,
                                 __m256 b1, __m256 c1, __m256 b2, __m256 c2, __m256 l2, __m256 shrink, __m256 step,
                                 __m256 isc2, __m256 eps) {
    __m256 pv = full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, mask);
    __m256 gv = full ? _mm256_loadu_ps(g) : _mm256_maskload_ps(g, mask);
    __m256 mv = full ? _mm256_loadu_ps(m) : _mm256_maskload_ps(m, mask);
    __m256 vv = full ? _mm256_loadu_ps(v) : _mm256_maskload_ps(v, mask);
    gv = _mm256_fmadd_ps(l2, pv, gv);
    mv = _mm256_fmadd_ps(b1, mv, _mm256_mul_ps(c1, gv));
    vv = _mm256_fmadd_ps(b2, vv, _mm256_mul_ps(_mm256_mul_ps(c2, gv), gv));
    __m256 den = _mm256_fmadd_ps(_mm256_sqrt_ps(vv), isc2, eps);
    pv = _mm256_fmsub_ps(pv, shrink, _mm256_div_ps(_mm256_mul_ps(step, mv), den));
    if (full) {
        _mm256_storeu_ps(p, pv); _mm256_storeu_ps(m, mv); _mm256_storeu_ps(v, vv);
    } else {
        _mm256_maskstore_ps(p, mask, pv); _mm256_maskstore_ps(m, mask, mv); _mm256_maskstore_ps(v, mask, vv);
    }
}

CK_AVX2 void ck_nn_adam_avx2(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2, float l2,
                             float shrink, float step, float inv_sqrt_c2, float epsilon) {
    const __m256 b1 = _mm256_set1_ps(beta1), c1 = _mm256_set1_ps(1 - beta1), b2 = _mm256_set1_ps(beta2),
                 c2 = _mm256_set1_ps(1 - beta2), l2v = _mm256_set1_ps(l2), sh = _mm256_set1_ps(shrink),
                 st = _mm256_set1_ps(step), isc2 = _mm256_set1_ps(inv_sqrt_c2), eps = _mm256_set1_ps(epsilon);
    const __m256i all = _mm256_set1_epi32(-1);
    long i = 0;
    for (; i + 8 <= n; i += 8) adam8(p + i, g + i, m + i, v + i, all, 1, b1, c1, b2, c2, l2v, sh, st, isc2, eps);
    if (i < n) adam8(p + i, g + i, m + i, v + i, ck_tail_mask(n - i), 0, b1, c1, b2, c2, l2v, sh, st, isc2, eps);
}
#else
void ck_nn_adam_avx2(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2, float l2,
                     float shrink, float step, float inv_sqrt_c2, float epsilon) {
    ck_nn_adam_generic(p, g, m, v, n, beta1, beta2, l2, shrink, step, inv_sqrt_c2, epsilon);
}
#endif

void ck_nn_adam(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2, float l2,
                float shrink, float step, float inv_sqrt_c2, float epsilon) {
    if (ck_cpu_has_avx2_fma()) ck_nn_adam_avx2(p, g, m, v, n, beta1, beta2, l2, shrink, step, inv_sqrt_c2, epsilon);
    else ck_nn_adam_generic(p, g, m, v, n, beta1, beta2, l2, shrink, step, inv_sqrt_c2, epsilon);
}
