// LayerNorm over the last axis, forward and backward, one row at a time (statistics in a fixed order).
#include <math.h>
#include "ck_nn.h"
#include "ck_cpu.h"
#include "nn_math.h"

void ck_nn_layernorm_forward_generic(const float *x, float *y, const float *w, const float *b, float *mean, float *rstd,
                                     long rows, long d, float epsilon) {
    for (long r = 0; r < rows; r++) {
        const float *row = x + r * d;
        float *dst = y + r * d;
        float mu = 0;
        for (long j = 0; j < d; j++) mu += row[j];
        mu /= (float)d;
        float var = 0;
        for (long j = 0; j < d; j++) { float c = row[j] - mu; var += c * c; }
        var /= (float)d;
        float s = 1 / sqrtf(var + epsilon);
        mean[r] = mu;
        rstd[r] = s;
        for (long j = 0; j < d; j++) {
            float v = (row[j] - mu) * s;
            if (w) v *= w[j];
            if (b) v += b[j];
            dst[j] = v;
        }
    }
}

void ck_nn_layernorm_backward_generic(const float *x, const float *g, const float *w, const float *mean,
                                      const float *rstd, float *gx, float *sum_w, float *sum_b, long rows, long d,
                                      int accumulate) {
    for (long r = 0; r < rows; r++) {
        const float *row = x + r * d, *gr = g + r * d;
        const float mu = mean[r], s = rstd[r];
        if (sum_w) for (long j = 0; j < d; j++) sum_w[j] += gr[j] * ((row[j] - mu) * s);
        if (sum_b) for (long j = 0; j < d; j++) sum_b[j] += gr[j];
        if (!gx) continue;
        float meanG = 0, meanGX = 0;
        for (long j = 0; j < d; j++) {
            float gh = w ? gr[j] * w[j] : gr[j];
            meanG += gh;
            meanGX += gh * ((row[j] - mu) * s);
        }
        meanG /= (float)d;
        meanGX /= (float)d;
        float *dst = gx + r * d;
        for (long j = 0; j < d; j++) {
            float gh = w ? gr[j] * w[j] : gr[j];
            float v = s * (gh - meanG - (row[j] - mu) * s * meanGX);
            dst[j] = accumulate ? dst[j] + v : v;
        }
    }
}

#if CK_HAVE_AVX2
// Rows whose length is not a multiple of 8 run the tail lanes through masked loads (inactive lanes read
// 0 and contribute 0 to the sums: their centred value is masked out explicitly).
CK_AVX2 void ck_nn_layernorm_forward_avx2(const float *x, float *y, const float *w, const float *b, float *mean,
                                          float *rstd, long rows, long d, float epsilon) {
    const long body = d & ~7L;
    const __m256i tail = ck_tail_mask(d - body);
    const __m256 tailMask = _mm256_castsi256_ps(tail);
    const __m256 one = _mm256_set1_ps(1), zero = _mm256_setzero_ps();
    for (long r = 0; r < rows; r++) {
        const float *row = x + r * d;
        float *dst = y + r * d;
        __m256 acc = zero;
        long j = 0;
        for (; j < body; j += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(row + j));
        if (j < d) acc = _mm256_add_ps(acc, _mm256_maskload_ps(row + j, tail));
        const float mu = ck_hsum8(acc) / (float)d;
        const __m256 m = _mm256_set1_ps(mu);
        acc = zero;
        for (j = 0; j < body; j += 8) {
            __m256 c = _mm256_sub_ps(_mm256_loadu_ps(row + j), m);
            acc = _mm256_fmadd_ps(c, c, acc);
        }
        if (j < d) {
            __m256 c = _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(row + j, tail), m), tailMask);
            acc = _mm256_fmadd_ps(c, c, acc);
        }
        const float s = 1 / sqrtf(ck_hsum8(acc) / (float)d + epsilon);
        mean[r] = mu;
        rstd[r] = s;
        const __m256 sv = _mm256_set1_ps(s);
        for (j = 0; j < d; j += 8) {
            const int full = j + 8 <= d;
            __m256 v = _mm256_mul_ps(_mm256_sub_ps(full ? _mm256_loadu_ps(row + j) : _mm256_maskload_ps(row + j, tail), m), sv);
            __m256 wv = w ? (full ? _mm256_loadu_ps(w + j) : _mm256_maskload_ps(w + j, tail)) : one;
            __m256 bv = b ? (full ? _mm256_loadu_ps(b + j) : _mm256_maskload_ps(b + j, tail)) : zero;
            v = _mm256_fmadd_ps(v, wv, bv);
            if (full) _mm256_storeu_ps(dst + j, v); else _mm256_maskstore_ps(dst + j, tail, v);
        }
    }
}

CK_AVX2 void ck_nn_layernorm_backward_avx2(const float *x, const float *g, const float *w, const float *mean,
                                           const float *rstd, float *gx, float *sum_w, float *sum_b, long rows,
                                           long d, int accumulate) {
    const long body = d & ~7L;
    const __m256i tail = ck_tail_mask(d - body);
    const __m256 one = _mm256_set1_ps(1);
#define CK_LOAD(p, j) ((j) + 8 <= d ? _mm256_loadu_ps((p) + (j)) : _mm256_maskload_ps((p) + (j), tail))
#define CK_STORE(p, j, v) do { if ((j) + 8 <= d) _mm256_storeu_ps((p) + (j), v); else _mm256_maskstore_ps((p) + (j), tail, v); } while (0)
    for (long r = 0; r < rows; r++) {
        const float *row = x + r * d, *gr = g + r * d;
        const __m256 m = _mm256_set1_ps(mean[r]), sv = _mm256_set1_ps(rstd[r]);
        __m256 accG = _mm256_setzero_ps(), accGX = _mm256_setzero_ps();
        for (long j = 0; j < d; j += 8) {
            __m256 gv = CK_LOAD(gr, j);
            __m256 xh = _mm256_mul_ps(_mm256_sub_ps(CK_LOAD(row, j), m), sv);  // masked lanes: g = 0
            if (sum_w) CK_STORE(sum_w, j, _mm256_fmadd_ps(gv, xh, CK_LOAD(sum_w, j)));
            if (sum_b) CK_STORE(sum_b, j, _mm256_add_ps(CK_LOAD(sum_b, j), gv));
            if (gx) {
                __m256 gh = w ? _mm256_mul_ps(gv, CK_LOAD(w, j)) : gv;
                accG = _mm256_add_ps(accG, gh);
                accGX = _mm256_fmadd_ps(gh, xh, accGX);
            }
        }
        if (!gx) continue;
        const __m256 meanG = _mm256_set1_ps(ck_hsum8(accG) / (float)d);
        const __m256 meanGX = _mm256_set1_ps(ck_hsum8(accGX) / (float)d);
        float *dst = gx + r * d;
        for (long j = 0; j < d; j += 8) {
            __m256 gv = CK_LOAD(gr, j);
            __m256 gh = w ? _mm256_mul_ps(gv, CK_LOAD(w, j)) : gv;
            __m256 xh = _mm256_mul_ps(_mm256_sub_ps(CK_LOAD(row, j), m), sv);
            __m256 v = _mm256_mul_ps(sv, _mm256_sub_ps(_mm256_sub_ps(gh, meanG), _mm256_mul_ps(xh, meanGX)));
            if (accumulate) v = _mm256_add_ps(CK_LOAD(dst, j), v);
            CK_STORE(dst, j, v);
        }
    }
    (void)one;
#undef CK_LOAD
#undef CK_STORE
}
#else
void ck_nn_layernorm_forward_avx2(const float *x, float *y, const float *w, const float *b, float *mean, float *rstd,
                                  long rows, long d, float epsilon) {
    ck_nn_layernorm_forward_generic(x, y, w, b, mean, rstd, rows, d, epsilon);
}
void ck_nn_layernorm_backward_avx2(const float *x, const float *g, const float *w, const float *mean,
                                   const float *rstd, float *gx, float *sum_w, float *sum_b, long rows, long d,
                                   int accumulate) {
    ck_nn_layernorm_backward_generic(x, g, w, mean, rstd, gx, sum_w, sum_b, rows, d, accumulate);
}
#endif

void ck_nn_layernorm_forward(const float *x, float *y, const float *w, const float *b, float *mean, float *rstd,
                             long rows, long d, float epsilon) {
    if (ck_cpu_has_avx2_fma()) ck_nn_layernorm_forward_avx2(x, y, w, b, mean, rstd, rows, d, epsilon);
    else ck_nn_layernorm_forward_generic(x, y, w, b, mean, rstd, rows, d, epsilon);
}

void ck_nn_layernorm_backward(const float *x, const float *g, const float *w, const float *mean, const float *rstd,
                              float *gx, float *sum_w, float *sum_b, long rows, long d, int accumulate) {
    if (ck_cpu_has_avx2_fma()) ck_nn_layernorm_backward_avx2(x, g, w, mean, rstd, gx, sum_w, sum_b, rows, d, accumulate);
    else ck_nn_layernorm_backward_generic(x, g, w, mean, rstd, gx, sum_w, sum_b, rows, d, accumulate);
}
