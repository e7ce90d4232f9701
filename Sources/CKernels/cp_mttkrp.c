// MTTKRP passes for non-negative CP on a (T·W) × P unfolding; see include/ck_cp.h.
//
// Why hand-written: with R ≈ 4 columns both products are matrix × skinny-matrix, where BLAS spends
// its time packing the big operand; these kernels read X once, straight from memory. At baseline
// x86-64 (SSE2) the compiler cannot use FMA or 256-bit registers, so the AVX2/FMA versions are
// compiled per function and chosen at run time; the portable versions mirror their loop structure.
//
// Determinism: Y rows are reduced lane-wise over pairs and then across lanes in a fixed order, and
// every Mᵀ entry is a sequential sum over rows; neither depends on the caller's row or pair split.

#include "ck_cp.h"
#include "ck_cpu.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_CP_X86 1
#else
#define CK_CP_X86 0
#endif

enum { XC_RUN = 128, XTK_RUN = 32, KB = 16 };

// MARK: portable paths

static void xc_f64_generic(const double *x, long pairs, const double *ct, long cols, double *y,
                           long row_begin, long row_end) {
    for (long row = row_begin; row < row_end; row++) {
        const double *xr = x + row * pairs;
        for (long c = 0; c < cols; c++) {
            const double *cc = ct + c * pairs;
            double lane[4] = {0, 0, 0, 0};
            long p = 0;
            for (; p + 4 <= pairs; p += 4)
                for (int l = 0; l < 4; l++) lane[l] += xr[p + l] * cc[p + l];
            double tail = 0;
            for (; p < pairs; p++) tail += xr[p] * cc[p];
            y[row * cols + c] = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + tail;
        }
    }
}

/// Pairs [p_begin, p_end) only (`xr`/`cc` are offset by p_begin, `pairs` becomes the stripe length);
/// `accumulate` adds the stripe's complete sum to y instead of storing it.
static void xc_f32_generic(const float *x, long stride, const float *ct, long cols, double *y,
                           long row_begin, long row_end, long p_begin, long p_end, int accumulate) {
    long pairs = p_end - p_begin;
    for (long row = row_begin; row < row_end; row++) {
        const float *xr = x + row * stride + p_begin;
        for (long c = 0; c < cols; c++) {
            const float *cc = ct + c * stride + p_begin;
            double total[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            long p = 0;
            while (p + 8 <= pairs) {
                long end = p + XC_RUN;
                if (end > pairs) end = pairs;
                float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                for (; p + 8 <= end; p += 8)
                    for (int l = 0; l < 8; l++) lane[l] += xr[p + l] * cc[p + l];
                for (int l = 0; l < 8; l++) total[l] += (double)lane[l];
            }
            double tail = 0;
            for (; p < pairs; p++) tail += (double)xr[p] * (double)cc[p];
            double s = 0;
            for (int l = 0; l < 8; l++) s += total[l];
            if (accumulate) y[row * cols + c] += s + tail; else y[row * cols + c] = s + tail;
        }
    }
}

/// Khatri–Rao values of `count` rows starting at `row` for columns [c0, c0 + nc).
static inline void kr_rows(const double *a, const double *b, long animals, long cols, long row, int count,
                           long c0, long nc, double k[4][KB]) {
    for (int i = 0; i < count; i++) {
        long t = (row + i) / animals, w = (row + i) % animals;
        for (long c = 0; c < nc; c++) k[i][c] = a[t * cols + c0 + c] * b[w * cols + c0 + c];
    }
}

static void xtk_f64_generic(const double *x, long times, long animals, long pairs, const double *a,
                            const double *b, long cols, double *mt, long p_begin, long p_end) {
    long rows = times * animals;
    for (long c = 0; c < cols; c++)
        for (long p = p_begin; p < p_end; p++) mt[c * pairs + p] = 0;
    double k[4][KB];
    for (long row = 0; row < rows; row++) {
        const double *xr = x + row * pairs;
        for (long c0 = 0; c0 < cols; c0 += KB) {
            long nc = cols - c0 < KB ? cols - c0 : KB;
            kr_rows(a, b, animals, cols, row, 1, c0, nc, k);
            for (long c = 0; c < nc; c++) {
                double *m = mt + (c0 + c) * pairs, kc = k[0][c];
                for (long p = p_begin; p < p_end; p++) m[p] += xr[p] * kc;
            }
        }
    }
}

static void xtk_f32_generic(const float *x, long times, long animals, long pairs, const double *a,
                            const double *b, long cols, double *mt, float *scratch, long p_begin, long p_end) {
    long rows = times * animals, width = p_end - p_begin;
    for (long c = 0; c < cols; c++)
        for (long p = p_begin; p < p_end; p++) mt[c * pairs + p] = 0;
    double k[4][KB];
    for (long start = 0; start < rows; start += XTK_RUN) {
        long end = start + XTK_RUN < rows ? start + XTK_RUN : rows;
        memset(scratch, 0, sizeof(float) * (size_t)(cols * width));
        for (long row = start; row < end; row++) {
            const float *xr = x + row * pairs;
            for (long c0 = 0; c0 < cols; c0 += KB) {
                long nc = cols - c0 < KB ? cols - c0 : KB;
                kr_rows(a, b, animals, cols, row, 1, c0, nc, k);
                for (long c = 0; c < nc; c++) {
                    float *s = scratch + (c0 + c) * width - p_begin, kc = (float)k[0][c];
                    for (long p = p_begin; p < p_end; p++) s[p] += xr[p] * kc;
                }
            }
        }
        for (long c = 0; c < cols; c++) {
            double *m = mt + c * pairs;
            const float *s = scratch + c * width - p_begin;
            for (long p = p_begin; p < p_end; p++) m[p] += (double)s[p];
        }
    }
}

// MARK: AVX2 / FMA paths

#if CK_CP_X86
#define CK_AVX2 __attribute__((target("avx2,fma")))

CK_AVX2 static inline double hsum4(__m256d v) {
    double l[4];
    _mm256_storeu_pd(l, v);
    return (l[0] + l[1]) + (l[2] + l[3]);
}

/// Y for one or two rows (`two`), columns [c, c + 4).
CK_AVX2 static inline void xc_f64_block(const double *x0, const double *x1, int two, long pairs,
                                        const double *ct, long c, double *y0, double *y1) {
    const double *c0 = ct + c * pairs, *c1 = c0 + pairs, *c2 = c1 + pairs, *c3 = c2 + pairs;
    __m256d a00 = _mm256_setzero_pd(), a01 = a00, a02 = a00, a03 = a00;
    __m256d a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    long p = 0;
    if (two) {
        for (; p + 4 <= pairs; p += 4) {
            __m256d v0 = _mm256_loadu_pd(x0 + p), v1 = _mm256_loadu_pd(x1 + p);
            __m256d k0 = _mm256_loadu_pd(c0 + p), k1 = _mm256_loadu_pd(c1 + p);
            __m256d k2 = _mm256_loadu_pd(c2 + p), k3 = _mm256_loadu_pd(c3 + p);
            a00 = _mm256_fmadd_pd(v0, k0, a00); a01 = _mm256_fmadd_pd(v0, k1, a01);
            a02 = _mm256_fmadd_pd(v0, k2, a02); a03 = _mm256_fmadd_pd(v0, k3, a03);
            a10 = _mm256_fmadd_pd(v1, k0, a10); a11 = _mm256_fmadd_pd(v1, k1, a11);
            a12 = _mm256_fmadd_pd(v1, k2, a12); a13 = _mm256_fmadd_pd(v1, k3, a13);
        }
    } else {
        for (; p + 4 <= pairs; p += 4) {
            __m256d v0 = _mm256_loadu_pd(x0 + p);
            a00 = _mm256_fmadd_pd(v0, _mm256_loadu_pd(c0 + p), a00);
            a01 = _mm256_fmadd_pd(v0, _mm256_loadu_pd(c1 + p), a01);
            a02 = _mm256_fmadd_pd(v0, _mm256_loadu_pd(c2 + p), a02);
            a03 = _mm256_fmadd_pd(v0, _mm256_loadu_pd(c3 + p), a03);
        }
    }
    double t0[4] = {0, 0, 0, 0}, t1[4] = {0, 0, 0, 0};
    for (; p < pairs; p++) {
        t0[0] = fma(x0[p], c0[p], t0[0]); t0[1] = fma(x0[p], c1[p], t0[1]);
        t0[2] = fma(x0[p], c2[p], t0[2]); t0[3] = fma(x0[p], c3[p], t0[3]);
        if (two) {
            t1[0] = fma(x1[p], c0[p], t1[0]); t1[1] = fma(x1[p], c1[p], t1[1]);
            t1[2] = fma(x1[p], c2[p], t1[2]); t1[3] = fma(x1[p], c3[p], t1[3]);
        }
    }
    y0[c] = hsum4(a00) + t0[0]; y0[c + 1] = hsum4(a01) + t0[1];
    y0[c + 2] = hsum4(a02) + t0[2]; y0[c + 3] = hsum4(a03) + t0[3];
    if (two) {
        y1[c] = hsum4(a10) + t1[0]; y1[c + 1] = hsum4(a11) + t1[1];
        y1[c + 2] = hsum4(a12) + t1[2]; y1[c + 3] = hsum4(a13) + t1[3];
    }
}

CK_AVX2 static void xc_f64_avx2(const double *x, long pairs, const double *ct, long cols, double *y,
                                long row_begin, long row_end) {
    long row = row_begin;
    for (; row + 2 <= row_end; row += 2)
        for (long c = 0; c < cols; c += 4)
            xc_f64_block(x + row * pairs, x + (row + 1) * pairs, 1, pairs, ct, c, y + row * cols, y + (row + 1) * cols);
    for (; row < row_end; row++)
        for (long c = 0; c < cols; c += 4)
            xc_f64_block(x + row * pairs, x + row * pairs, 0, pairs, ct, c, y + row * cols, y + row * cols);
}

/// Float lanes widened and added to a Double total: d += (double)lo + (double)hi, fixed order.
CK_AVX2 static inline __m256d widen_add(__m256d d, __m256 f) {
    __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(f)), hi = _mm256_cvtps_pd(_mm256_extractf128_ps(f, 1));
    return _mm256_add_pd(d, _mm256_add_pd(lo, hi));
}

/// Y for one or two rows, columns [c, c + 4), Float tensor: Float sums over runs of XC_RUN pairs.
/// x0, x1 and ct start at the stripe's first pair; `pairs` is the stripe length, `stride` the row
/// length of x and ct; `accumulate` adds the stripe's sum to y instead of storing it.
CK_AVX2 static inline void xc_f32_block(const float *x0, const float *x1, int two, long pairs, long stride,
                                        const float *ct, long c, double *y0, double *y1, int accumulate) {
    const float *cc[4] = {ct + c * stride, ct + (c + 1) * stride, ct + (c + 2) * stride, ct + (c + 3) * stride};
    __m256d d[2][4];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++) d[i][j] = _mm256_setzero_pd();
    long p = 0;
    while (p + 8 <= pairs) {
        long end = p + XC_RUN < pairs ? p + XC_RUN : pairs;
        __m256 a00 = _mm256_setzero_ps(), a01 = a00, a02 = a00, a03 = a00;
        __m256 a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        if (two) {
            for (; p + 8 <= end; p += 8) {
                __m256 v0 = _mm256_loadu_ps(x0 + p), v1 = _mm256_loadu_ps(x1 + p);
                __m256 k0 = _mm256_loadu_ps(cc[0] + p), k1 = _mm256_loadu_ps(cc[1] + p);
                __m256 k2 = _mm256_loadu_ps(cc[2] + p), k3 = _mm256_loadu_ps(cc[3] + p);
                a00 = _mm256_fmadd_ps(v0, k0, a00); a01 = _mm256_fmadd_ps(v0, k1, a01);
                a02 = _mm256_fmadd_ps(v0, k2, a02); a03 = _mm256_fmadd_ps(v0, k3, a03);
                a10 = _mm256_fmadd_ps(v1, k0, a10); a11 = _mm256_fmadd_ps(v1, k1, a11);
                a12 = _mm256_fmadd_ps(v1, k2, a12); a13 = _mm256_fmadd_ps(v1, k3, a13);
            }
        } else {
            for (; p + 8 <= end; p += 8) {
                __m256 v0 = _mm256_loadu_ps(x0 + p);
                a00 = _mm256_fmadd_ps(v0, _mm256_loadu_ps(cc[0] + p), a00);
                a01 = _mm256_fmadd_ps(v0, _mm256_loadu_ps(cc[1] + p), a01);
                a02 = _mm256_fmadd_ps(v0, _mm256_loadu_ps(cc[2] + p), a02);
                a03 = _mm256_fmadd_ps(v0, _mm256_loadu_ps(cc[3] + p), a03);
            }
        }
        d[0][0] = widen_add(d[0][0], a00); d[0][1] = widen_add(d[0][1], a01);
        d[0][2] = widen_add(d[0][2], a02); d[0][3] = widen_add(d[0][3], a03);
        if (two) {
            d[1][0] = widen_add(d[1][0], a10); d[1][1] = widen_add(d[1][1], a11);
            d[1][2] = widen_add(d[1][2], a12); d[1][3] = widen_add(d[1][3], a13);
        }
    }
    double t[2][4] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
    for (; p < pairs; p++)
        for (int j = 0; j < 4; j++) {
            t[0][j] = fma((double)x0[p], (double)cc[j][p], t[0][j]);
            if (two) t[1][j] = fma((double)x1[p], (double)cc[j][p], t[1][j]);
        }
    if (accumulate) {
        for (int j = 0; j < 4; j++) {
            y0[c + j] += hsum4(d[0][j]) + t[0][j];
            if (two) y1[c + j] += hsum4(d[1][j]) + t[1][j];
        }
    } else {
        for (int j = 0; j < 4; j++) {
            y0[c + j] = hsum4(d[0][j]) + t[0][j];
            if (two) y1[c + j] = hsum4(d[1][j]) + t[1][j];
        }
    }
}

CK_AVX2 static void xc_f32_avx2(const float *x, long stride, const float *ct, long cols, double *y,
                                long row_begin, long row_end, long p_begin, long p_end, int accumulate) {
    long pairs = p_end - p_begin;
    const float *cs = ct + p_begin;
    long row = row_begin;
    for (; row + 2 <= row_end; row += 2)
        for (long c = 0; c < cols; c += 4)
            xc_f32_block(x + row * stride + p_begin, x + (row + 1) * stride + p_begin, 1, pairs, stride, cs, c,
                         y + row * cols, y + (row + 1) * cols, accumulate);
    for (; row < row_end; row++)
        for (long c = 0; c < cols; c += 4)
            xc_f32_block(x + row * stride + p_begin, x + row * stride + p_begin, 0, pairs, stride, cs, c,
                         y + row * cols, y + row * cols, accumulate);
}

/// mt[c][p] for p in [p_begin, p_end), columns [c0, c0 + nc), += rows `count` (1 or 4) with KR values k.
CK_AVX2 static inline void xtk_f64_rows(const double *xr, long pairs, int count, const double k[4][KB], long nc,
                                        double *mt, long c0, long p_begin, long p_end) {
    const double *x0 = xr, *x1 = xr + pairs, *x2 = xr + 2 * pairs, *x3 = xr + 3 * pairs;
    long p = p_begin;
    if (count == 4) {
        for (; p + 4 <= p_end; p += 4) {
            __m256d v0 = _mm256_loadu_pd(x0 + p), v1 = _mm256_loadu_pd(x1 + p);
            __m256d v2 = _mm256_loadu_pd(x2 + p), v3 = _mm256_loadu_pd(x3 + p);
            for (long c = 0; c < nc; c++) {
                double *m = mt + (c0 + c) * pairs + p;
                __m256d acc = _mm256_loadu_pd(m);
                acc = _mm256_fmadd_pd(v0, _mm256_broadcast_sd(&k[0][c]), acc);
                acc = _mm256_fmadd_pd(v1, _mm256_broadcast_sd(&k[1][c]), acc);
                acc = _mm256_fmadd_pd(v2, _mm256_broadcast_sd(&k[2][c]), acc);
                acc = _mm256_fmadd_pd(v3, _mm256_broadcast_sd(&k[3][c]), acc);
                _mm256_storeu_pd(m, acc);
            }
        }
        for (; p < p_end; p++)
            for (long c = 0; c < nc; c++) {
                double *m = mt + (c0 + c) * pairs + p;
                double acc = *m;
                acc = fma(x0[p], k[0][c], acc); acc = fma(x1[p], k[1][c], acc);
                acc = fma(x2[p], k[2][c], acc); acc = fma(x3[p], k[3][c], acc);
                *m = acc;
            }
    } else {
        for (; p + 4 <= p_end; p += 4) {
            __m256d v0 = _mm256_loadu_pd(x0 + p);
            for (long c = 0; c < nc; c++) {
                double *m = mt + (c0 + c) * pairs + p;
                _mm256_storeu_pd(m, _mm256_fmadd_pd(v0, _mm256_broadcast_sd(&k[0][c]), _mm256_loadu_pd(m)));
            }
        }
        for (; p < p_end; p++)
            for (long c = 0; c < nc; c++) {
                double *m = mt + (c0 + c) * pairs + p;
                *m = fma(x0[p], k[0][c], *m);
            }
    }
}

CK_AVX2 static void xtk_f64_avx2(const double *x, long times, long animals, long pairs, const double *a,
                                 const double *b, long cols, double *mt, long p_begin, long p_end) {
    long rows = times * animals;
    for (long c = 0; c < cols; c++)
        for (long p = p_begin; p < p_end; p++) mt[c * pairs + p] = 0;
    double k[4][KB];
    long row = 0;
    for (; row + 4 <= rows; row += 4)
        for (long c0 = 0; c0 < cols; c0 += KB) {
            long nc = cols - c0 < KB ? cols - c0 : KB;
            kr_rows(a, b, animals, cols, row, 4, c0, nc, k);
            xtk_f64_rows(x + row * pairs, pairs, 4, (const double (*)[KB])k, nc, mt, c0, p_begin, p_end);
        }
    for (; row < rows; row++)
        for (long c0 = 0; c0 < cols; c0 += KB) {
            long nc = cols - c0 < KB ? cols - c0 : KB;
            kr_rows(a, b, animals, cols, row, 1, c0, nc, k);
            xtk_f64_rows(x + row * pairs, pairs, 1, (const double (*)[KB])k, nc, mt, c0, p_begin, p_end);
        }
}

/// As xtk_f64_rows on the Float scratch s (s[c·width + p − p_begin]).
CK_AVX2 static inline void xtk_f32_rows(const float *xr, long pairs, int count, const float k[4][KB], long nc,
                                        float *s, long width, long c0, long p_begin, long p_end) {
    const float *x0 = xr, *x1 = xr + pairs, *x2 = xr + 2 * pairs, *x3 = xr + 3 * pairs;
    long p = p_begin;
    if (count == 4) {
        for (; p + 8 <= p_end; p += 8) {
            __m256 v0 = _mm256_loadu_ps(x0 + p), v1 = _mm256_loadu_ps(x1 + p);
            __m256 v2 = _mm256_loadu_ps(x2 + p), v3 = _mm256_loadu_ps(x3 + p);
            for (long c = 0; c < nc; c++) {
                float *m = s + (c0 + c) * width + (p - p_begin);
                __m256 acc = _mm256_loadu_ps(m);
                acc = _mm256_fmadd_ps(v0, _mm256_broadcast_ss(&k[0][c]), acc);
                acc = _mm256_fmadd_ps(v1, _mm256_broadcast_ss(&k[1][c]), acc);
                acc = _mm256_fmadd_ps(v2, _mm256_broadcast_ss(&k[2][c]), acc);
                acc = _mm256_fmadd_ps(v3, _mm256_broadcast_ss(&k[3][c]), acc);
                _mm256_storeu_ps(m, acc);
            }
        }
        for (; p < p_end; p++)
            for (long c = 0; c < nc; c++) {
                float *m = s + (c0 + c) * width + (p - p_begin);
                float acc = *m;
                acc = fmaf(x0[p], k[0][c], acc); acc = fmaf(x1[p], k[1][c], acc);
                acc = fmaf(x2[p], k[2][c], acc); acc = fmaf(x3[p], k[3][c], acc);
                *m = acc;
            }
    } else {
        for (; p + 8 <= p_end; p += 8) {
            __m256 v0 = _mm256_loadu_ps(x0 + p);
            for (long c = 0; c < nc; c++) {
                float *m = s + (c0 + c) * width + (p - p_begin);
                _mm256_storeu_ps(m, _mm256_fmadd_ps(v0, _mm256_broadcast_ss(&k[0][c]), _mm256_loadu_ps(m)));
            }
        }
        for (; p < p_end; p++)
            for (long c = 0; c < nc; c++) {
                float *m = s + (c0 + c) * width + (p - p_begin);
                *m = fmaf(x0[p], k[0][c], *m);
            }
    }
}

CK_AVX2 static void xtk_f32_avx2(const float *x, long times, long animals, long pairs, const double *a,
                                 const double *b, long cols, double *mt, float *scratch, long p_begin, long p_end) {
    long rows = times * animals, width = p_end - p_begin;
    for (long c = 0; c < cols; c++)
        for (long p = p_begin; p < p_end; p++) mt[c * pairs + p] = 0;
    double kd[4][KB];
    float k[4][KB];
    for (long start = 0; start < rows; start += XTK_RUN) {
        long end = start + XTK_RUN < rows ? start + XTK_RUN : rows;
        memset(scratch, 0, sizeof(float) * (size_t)(cols * width));
        long row = start;
        for (; row < end; row += 4) {
            int count = row + 4 <= end ? 4 : 1;
            if (count == 1) break;
            for (long c0 = 0; c0 < cols; c0 += KB) {
                long nc = cols - c0 < KB ? cols - c0 : KB;
                kr_rows(a, b, animals, cols, row, 4, c0, nc, kd);
                for (int i = 0; i < 4; i++)
                    for (long c = 0; c < nc; c++) k[i][c] = (float)kd[i][c];
                xtk_f32_rows(x + row * pairs, pairs, 4, (const float (*)[KB])k, nc, scratch, width, c0, p_begin, p_end);
            }
        }
        for (; row < end; row++)
            for (long c0 = 0; c0 < cols; c0 += KB) {
                long nc = cols - c0 < KB ? cols - c0 : KB;
                kr_rows(a, b, animals, cols, row, 1, c0, nc, kd);
                for (long c = 0; c < nc; c++) k[0][c] = (float)kd[0][c];
                xtk_f32_rows(x + row * pairs, pairs, 1, (const float (*)[KB])k, nc, scratch, width, c0, p_begin, p_end);
            }
        for (long c = 0; c < cols; c++) {
            double *m = mt + c * pairs + p_begin;
            const float *s = scratch + c * width;
            long q = 0;
            for (; q + 4 <= width; q += 4)
                _mm256_storeu_pd(m + q, _mm256_add_pd(_mm256_loadu_pd(m + q), _mm256_cvtps_pd(_mm_loadu_ps(s + q))));
            for (; q < width; q++) m[q] += (double)s[q];
        }
    }
}
#endif

// MARK: dispatch

static int want_avx2(int use_avx2) {
#if CK_CP_X86
    return use_avx2 && ck_cpu_has_avx2_fma();
#else
    (void)use_avx2;
    return 0;
#endif
}

void ck_cp_xc_f64(const double *x, long pairs, const double *ct, long cols, double *y,
                  long row_begin, long row_end, int use_avx2) {
#if CK_CP_X86
    if (want_avx2(use_avx2)) { xc_f64_avx2(x, pairs, ct, cols, y, row_begin, row_end); return; }
#endif
    xc_f64_generic(x, pairs, ct, cols, y, row_begin, row_end);
}

void ck_cp_xc_f32(const float *x, long pairs, const float *ct, long cols, double *y,
                  long row_begin, long row_end, int use_avx2) {
    ck_cp_xc_f32_stripe(x, pairs, ct, cols, y, row_begin, row_end, 0, pairs, 0, use_avx2);
}

void ck_cp_xc_f32_stripe(const float *x, long pairs, const float *ct, long cols, double *y,
                         long row_begin, long row_end, long p_begin, long p_end, int accumulate, int use_avx2) {
#if CK_CP_X86
    if (want_avx2(use_avx2)) { xc_f32_avx2(x, pairs, ct, cols, y, row_begin, row_end, p_begin, p_end, accumulate); return; }
#endif
    xc_f32_generic(x, pairs, ct, cols, y, row_begin, row_end, p_begin, p_end, accumulate);
}

void ck_cp_xtk_f64(const double *x, long times, long animals, long pairs, const double *a, const double *b,
                   long cols, double *mt, long p_begin, long p_end, int use_avx2) {
#if CK_CP_X86
    if (want_avx2(use_avx2)) { xtk_f64_avx2(x, times, animals, pairs, a, b, cols, mt, p_begin, p_end); return; }
#endif
    xtk_f64_generic(x, times, animals, pairs, a, b, cols, mt, p_begin, p_end);
}

void ck_cp_xtk_f32(const float *x, long times, long animals, long pairs, const double *a, const double *b,
                   long cols, double *mt, float *scratch, long p_begin, long p_end, int use_avx2) {
#if CK_CP_X86
    if (want_avx2(use_avx2)) { xtk_f32_avx2(x, times, animals, pairs, a, b, cols, mt, scratch, p_begin, p_end); return; }
#endif
    xtk_f32_generic(x, times, animals, pairs, a, b, cols, mt, scratch, p_begin, p_end);
}
