// Softmax of contiguous rows and its backward pass (attention scores, classification heads).
#include <math.h>
#include "ck_nn.h"
#include "ck_cpu.h"
#include "nn_math.h"

void ck_nn_softmax_rows_generic(const float *x, float *z, long rows, long n) {
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *zr = z + r * n;
        float m = -INFINITY;
        for (long k = 0; k < n; k++) m = xr[k] > m ? xr[k] : m;
        float total = 0;
        for (long k = 0; k < n; k++) {
            float e = ck_exp_nonpositive(xr[k] - m, 0);
            zr[k] = e;
            total += e;
        }
        float inv = 1 / total;
        for (long k = 0; k < n; k++) zr[k] *= inv;
    }
}

void ck_nn_softmax_backward_rows_generic(const float *y, const float *g, float *dx, long rows, long n, int accumulate) {
    for (long r = 0; r < rows; r++) {
        const float *yr = y + r * n, *gr = g + r * n;
        float *d = dx + r * n;
        float dot = 0;
        for (long k = 0; k < n; k++) dot += gr[k] * yr[k];
        if (accumulate) {
            for (long k = 0; k < n; k++) d[k] += yr[k] * (gr[k] - dot);
        } else {
            for (long k = 0; k < n; k++) d[k] = yr[k] * (gr[k] - dot);
        }
    }
}

#if CK_HAVE_AVX2
CK_AVX2 void ck_nn_softmax_rows_avx2(const float *x, float *z, long rows, long n) {
    const long body = n & ~7L;
    const __m256i tail = ck_tail_mask(n - body);
    const __m256 minusInf = _mm256_set1_ps(-INFINITY);
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *zr = z + r * n;
        __m256 mv = minusInf;
        long k = 0;
        for (; k < body; k += 8) mv = _mm256_max_ps(mv, _mm256_loadu_ps(xr + k));
        if (k < n) mv = _mm256_max_ps(mv, _mm256_blendv_ps(minusInf, _mm256_maskload_ps(xr + k, tail), _mm256_castsi256_ps(tail)));
        const __m256 m = _mm256_set1_ps(ck_hmax8(mv));
        __m256 total = _mm256_setzero_ps();
        for (k = 0; k < body; k += 8) {
            __m256 e = ck_exp_nonpositive8(_mm256_sub_ps(_mm256_loadu_ps(xr + k), m), _mm256_setzero_ps());
            _mm256_storeu_ps(zr + k, e);
            total = _mm256_add_ps(total, e);
        }
        if (k < n) {
            __m256 e = ck_exp_nonpositive8(_mm256_sub_ps(_mm256_maskload_ps(xr + k, tail), m), _mm256_setzero_ps());
            e = _mm256_and_ps(e, _mm256_castsi256_ps(tail));
            _mm256_maskstore_ps(zr + k, tail, e);
            total = _mm256_add_ps(total, e);
        }
        const __m256 inv = _mm256_set1_ps(1 / ck_hsum8(total));
        for (k = 0; k < body; k += 8) _mm256_storeu_ps(zr + k, _mm256_mul_ps(_mm256_loadu_ps(zr + k), inv));
        if (k < n) _mm256_maskstore_ps(zr + k, tail, _mm256_mul_ps(_mm256_maskload_ps(zr + k, tail), inv));
    }
}

CK_AVX2 void ck_nn_softmax_backward_rows_avx2(const float *y, const float *g, float *dx, long rows, long n, int accumulate) {
    const long body = n & ~7L;
    const __m256i tail = ck_tail_mask(n - body);
    for (long r = 0; r < rows; r++) {
        const float *yr = y + r * n, *gr = g + r * n;
        float *d = dx + r * n;
        __m256 acc = _mm256_setzero_ps();
        long k = 0;
        for (; k < body; k += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(gr + k), _mm256_loadu_ps(yr + k), acc);
        if (k < n) acc = _mm256_fmadd_ps(_mm256_maskload_ps(gr + k, tail), _mm256_maskload_ps(yr + k, tail), acc);
        const __m256 dot = _mm256_set1_ps(ck_hsum8(acc));
        for (k = 0; k < body; k += 8) {
            __m256 v = _mm256_mul_ps(_mm256_loadu_ps(yr + k), _mm256_sub_ps(_mm256_loadu_ps(gr + k), dot));
            if (accumulate) v = _mm256_add_ps(_mm256_loadu_ps(d + k), v);
            _mm256_storeu_ps(d + k, v);
        }
        if (k < n) {
            __m256 v = _mm256_mul_ps(_mm256_maskload_ps(yr + k, tail), _mm256_sub_ps(_mm256_maskload_ps(gr + k, tail), dot));
            if (accumulate) v = _mm256_add_ps(_mm256_maskload_ps(d + k, tail), v);
            _mm256_maskstore_ps(d + k, tail, v);
        }
    }
}
#else
void ck_nn_softmax_rows_avx2(const float *x, float *z, long rows, long n) { ck_nn_softmax_rows_generic(x, z, rows, n); }
void ck_nn_softmax_backward_rows_avx2(const float *y, const float *g, float *dx, long rows, long n, int accumulate) {
    ck_nn_softmax_backward_rows_generic(y, g, dx, rows, n, accumulate);
}
#endif

void ck_nn_softmax_rows(const float *x, float *z, long rows, long n) {
    if (ck_cpu_has_avx2_fma()) ck_nn_softmax_rows_avx2(x, z, rows, n); else ck_nn_softmax_rows_generic(x, z, rows, n);
}

void ck_nn_softmax_backward_rows(const float *y, const float *g, float *dx, long rows, long n, int accumulate) {
    if (ck_cpu_has_avx2_fma()) ck_nn_softmax_backward_rows_avx2(y, g, dx, rows, n, accumulate);
    else ck_nn_softmax_backward_rows_generic(y, g, dx, rows, n, accumulate);
}
