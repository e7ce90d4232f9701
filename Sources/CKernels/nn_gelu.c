// GELU (exact) with its derivative in one pass, and the elementwise product its backward pass needs.
#include "ck_nn.h"
#include "ck_cpu.h"
#include "nn_math.h"

void ck_nn_gelu_generic(const float *x, float *y, float *slope, long n) {
    for (long i = 0; i < n; i++) {
        float cdf, density, v = x[i];
        ck_normal_cdf_density(v, &cdf, &density);
        y[i] = v * cdf;
        if (slope) slope[i] = cdf + v * density;
    }
}

void ck_nn_mul_generic(const float *a, const float *b, float *dst, long n, int accumulate) {
    if (accumulate) {
        for (long i = 0; i < n; i++) dst[i] += a[i] * b[i];
    } else {
        for (long i = 0; i < n; i++) dst[i] = a[i] * b[i];
    }
}

#if CK_HAVE_AVX2
CK_AVX2 static inline void gelu8(__m256 v, __m256 *y, __m256 *s) {
    __m256 cdf, density;
    ck_normal_cdf_density8(v, &cdf, &density);
    *y = _mm256_mul_ps(v, cdf);
    *s = _mm256_fmadd_ps(v, density, cdf);
}

CK_AVX2 void ck_nn_gelu_avx2(const float *x, float *y, float *slope, long n) {
    long i = 0;
    __m256 out, s;
    for (; i + 8 <= n; i += 8) {
        gelu8(_mm256_loadu_ps(x + i), &out, &s);
        _mm256_storeu_ps(y + i, out);
        if (slope) _mm256_storeu_ps(slope + i, s);
    }
    if (i < n) {
        __m256i mask = ck_tail_mask(n - i);
        gelu8(_mm256_maskload_ps(x + i, mask), &out, &s);
        _mm256_maskstore_ps(y + i, mask, out);
        if (slope) _mm256_maskstore_ps(slope + i, mask, s);
    }
}

CK_AVX2 void ck_nn_mul_avx2(const float *a, const float *b, float *dst, long n, int accumulate) {
    long i = 0;
    if (accumulate) {
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(dst + i, _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), _mm256_loadu_ps(dst + i)));
        if (i < n) {
            __m256i m = ck_tail_mask(n - i);
            __m256 r = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m), _mm256_maskload_ps(dst + i, m));
            _mm256_maskstore_ps(dst + i, m, r);
        }
    } else {
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(dst + i, _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
        if (i < n) {
            __m256i m = ck_tail_mask(n - i);
            _mm256_maskstore_ps(dst + i, m, _mm256_mul_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m)));
        }
    }
}
#else
void ck_nn_gelu_avx2(const float *x, float *y, float *slope, long n) { ck_nn_gelu_generic(x, y, slope, n); }
void ck_nn_mul_avx2(const float *a, const float *b, float *dst, long n, int accumulate) {
    ck_nn_mul_generic(a, b, dst, n, accumulate);
}
#endif

void ck_nn_gelu(const float *x, float *y, float *slope, long n) {
    if (ck_cpu_has_avx2_fma()) ck_nn_gelu_avx2(x, y, slope, n); else ck_nn_gelu_generic(x, y, slope, n);
}

void ck_nn_mul(const float *a, const float *b, float *dst, long n, int accumulate) {
    if (ck_cpu_has_avx2_fma()) ck_nn_mul_avx2(a, b, dst, n, accumulate); else ck_nn_mul_generic(a, b, dst, n, accumulate);
}
