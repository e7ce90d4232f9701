// Fused M-step kernels of the state-switching GLM: drives, log-likelihood, derivative and the
// gradient outer products in one pass over one state's gathered bins (see include/ck_glm.h).
#include "ck_glm.h"
#include "ck_cpu.h"

#include <math.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_GLM_HAVE_X86 1
#endif

// Rates are floored at the reference's sigmoid lower bound so that log f stays finite; exp drives are
// clamped before exponentiation (the constants of Models/StateGLM/Emission.swift).
#define CK_RATE_FLOOR 1e-8
#define CK_LOG_RATE_FLOOR (-18.420680743952367)
#define CK_DRIVE_CEILING 40.0

// ---------------------------------------------------------------------------------------------
// Portable version.

static inline void element_generic(int emission, double x, double eta, double *ll, double *d) {
    switch (emission) {
    case CK_GLM_POISSON_SIGMOID: {
        double e = exp(-fabs(eta));
        double r = 1.0 / (1.0 + e);
        double f = eta >= 0 ? r : e * r;
        double log_f = fmin(eta, 0.0) - log1p(e);
        if (f < CK_RATE_FLOOR) { *ll = x * CK_LOG_RATE_FLOOR - CK_RATE_FLOOR; *d = 0; }
        else { *ll = x * log_f - f; *d = (x - f) * (1.0 - f); }
        return;
    }
    case CK_GLM_POISSON_SOFTPLUS: {
        double e = exp(-fabs(eta));
        double r = 1.0 / (1.0 + e);
        double s = eta >= 0 ? r : e * r;
        double f = fmax(eta, 0.0) + log1p(e);
        if (f < CK_RATE_FLOOR) { *ll = x * CK_LOG_RATE_FLOOR - CK_RATE_FLOOR; *d = 0; }
        else { *ll = x * log(f) - f; *d = (x / f - 1.0) * s; }
        return;
    }
    case CK_GLM_POISSON_EXP: {
        double c = fmin(eta, CK_DRIVE_CEILING);
        double f = exp(c);
        if (f < CK_RATE_FLOOR) { *ll = x * CK_LOG_RATE_FLOOR - CK_RATE_FLOOR; *d = 0; }
        else { *ll = x * c - f; *d = eta > CK_DRIVE_CEILING ? 0 : x - f; }
        return;
    }
    default: { // CK_GLM_BERNOULLI_SIGMOID
        double e = exp(-fabs(eta));
        double r = 1.0 / (1.0 + e);
        double p = eta >= 0 ? r : e * r;
        *ll = x * eta - (fmax(eta, 0.0) + log1p(e));
        *d = x - p;
        return;
    }
    }
}

double ck_glm_block_generic(int emission, const double *design, const double *counts, const double *gamma,
                            int64_t rows, int64_t n, const double *coupling, double *gradient) {
    if (emission < CK_GLM_POISSON_SIGMOID || emission > CK_GLM_BERNOULLI_SIGMOID) return NAN;
    const int64_t k = n + 1;
    double total = 0;
    double derivative[256];
    for (int64_t first = 0; first < n; first += 256) {
        // Neurons in chunks of 256 so that the derivative buffer lives on the stack.
        const int64_t width = n - first < 256 ? n - first : 256;
        for (int64_t t = 0; t < rows; t++) {
            const double *a = design + t * k;
            const double *x = counts + t * n + first;
            const double g = gamma[t];
            double row = 0;
            for (int64_t j = 0; j < width; j++) {
                double eta = 0;
                for (int64_t i = 0; i < k; i++) eta += a[i] * coupling[i * n + first + j];
                double ll, d;
                element_generic(emission, x[j], eta, &ll, &d);
                row += ll;
                derivative[j] = g * d;
            }
            total += g * row;
            for (int64_t i = 0; i < k; i++) {
                double *out = gradient + i * n + first;
                const double ai = a[i];
                for (int64_t j = 0; j < width; j++) out[j] += ai * derivative[j];
            }
        }
    }
    return total;
}

// ---------------------------------------------------------------------------------------------
// AVX2 + FMA version. exp and log are the algorithms of NeuroCore's FastExpLog (≤ 2 ulp).

#ifdef CK_GLM_HAVE_X86
#define CK_AVX2 __attribute__((target("avx2,fma")))

CK_AVX2 static inline __attribute__((always_inline)) __m256d exp_avx2(__m256d x) {
    const __m256d magic = _mm256_set1_pd(6755399441055744.0);   // 1.5·2⁵²
    x = _mm256_min_pd(_mm256_max_pd(x, _mm256_set1_pd(-708.0)), _mm256_set1_pd(709.0));
    __m256d shifted = _mm256_fmadd_pd(x, _mm256_set1_pd(1.4426950408889634), magic);
    __m256d nn = _mm256_sub_pd(shifted, magic);
    __m256i kk = _mm256_sub_epi64(_mm256_castpd_si256(shifted), _mm256_castpd_si256(magic));
    __m256d r = _mm256_fnmadd_pd(nn, _mm256_set1_pd(6.93147180369123816490e-01), x);
    r = _mm256_fnmadd_pd(nn, _mm256_set1_pd(1.90821492927058770002e-10), r);
    __m256d p = _mm256_set1_pd(1.6059043836821613e-10);
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(2.08767569878681e-09));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(2.505210838544172e-08));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(2.755731922398589e-07));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(2.7557319223985893e-06));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(2.48015873015873e-05));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.984126984126984e-04));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.3888888888888889e-03));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(8.333333333333333e-03));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(4.1666666666666664e-02));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0.16666666666666666));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0.5));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
    __m256i bits = _mm256_slli_epi64(_mm256_add_epi64(kk, _mm256_set1_epi64x(1023)), 52);
    return _mm256_mul_pd(p, _mm256_castsi256_pd(bits));
}

/// ln x for positive normal x.
CK_AVX2 static inline __attribute__((always_inline)) __m256d log_avx2(__m256d x) {
    __m256i bits = _mm256_castpd_si256(x);
    __m256d m = _mm256_castsi256_pd(_mm256_or_si256(
        _mm256_and_si256(bits, _mm256_set1_epi64x(0x000FFFFFFFFFFFFFLL)), _mm256_set1_epi64x(0x3FF0000000000000LL)));
    __m256d e = _mm256_sub_pd(
        _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x(0x4330000000000000LL))),
        _mm256_set1_pd(4503599627371519.0));
    __m256d big = _mm256_cmp_pd(m, _mm256_set1_pd(1.4142135623730951), _CMP_GT_OQ);
    m = _mm256_blendv_pd(m, _mm256_mul_pd(m, _mm256_set1_pd(0.5)), big);
    e = _mm256_add_pd(e, _mm256_and_pd(big, _mm256_set1_pd(1.0)));
    const __m256d one = _mm256_set1_pd(1.0);
    __m256d f = _mm256_sub_pd(m, one);
    __m256d s = _mm256_div_pd(f, _mm256_add_pd(m, one));
    __m256d z = _mm256_mul_pd(s, s);
    __m256d q = _mm256_set1_pd(1.0 / 23);
    q = _mm256_fmadd_pd(q, z, _mm256_set1_pd(1.0 / 21));
    q = _mm256_fmadd_pd(q, z, _mm256_set1_pd(1.0 / 19));
    q = _mm256_fmadd_pd(q, z, _mm256_set1_pd(1.0 / 17));
    q = _mm256_fmadd_pd(q, z, _mm256_set1_pd(1.0 / 15));
    q = _mm256_fmadd_pd(q, z, _mm256_set1_pd(1.0 / 13));
    q = _mm256_fmadd_pd(q, z, _mm256_set1_pd(1.0 / 11));
    q = _mm256_fmadd_pd(q, z, _mm256_set1_pd(1.0 / 9));
    q = _mm256_fmadd_pd(q, z, _mm256_set1_pd(1.0 / 7));
    q = _mm256_fmadd_pd(q, z, _mm256_set1_pd(1.0 / 5));
    q = _mm256_fmadd_pd(q, z, _mm256_set1_pd(1.0 / 3));
    // ln m = f − s·(f − 2z·q)
    __m256d inner = _mm256_fnmadd_pd(_mm256_add_pd(z, z), q, f);
    __m256d ln_m = _mm256_fnmadd_pd(s, inner, f);
    return _mm256_fmadd_pd(e, _mm256_set1_pd(6.93147180369123816490e-01),
                           _mm256_fmadd_pd(e, _mm256_set1_pd(1.90821492927058770002e-10), ln_m));
}

/// ln(1 + x) for x ≥ 0 (here x = e^−|η| ∈ (0, 1]), with the rounding of 1 + x corrected to first order.
CK_AVX2 static inline __attribute__((always_inline)) __m256d log1p_avx2(__m256d x) {
    const __m256d one = _mm256_set1_pd(1.0);
    __m256d u = _mm256_add_pd(one, x);
    return _mm256_sub_pd(log_avx2(u), _mm256_div_pd(_mm256_sub_pd(_mm256_sub_pd(u, one), x), u));
}

/// ln(1 + x) as above when r = 1/(1 + x) is already known (the sigmoid links compute it anyway):
/// the correction multiplies by r instead of dividing by 1 + x.
CK_AVX2 static inline __attribute__((always_inline)) __m256d log1p_inverse_avx2(__m256d x, __m256d r) {
    const __m256d one = _mm256_set1_pd(1.0);
    __m256d u = _mm256_add_pd(one, x);
    return _mm256_fnmadd_pd(_mm256_sub_pd(_mm256_sub_pd(u, one), x), r, log_avx2(u));
}

CK_AVX2 static inline __attribute__((always_inline)) __m256d abs_avx2(__m256d x) {
    return _mm256_andnot_pd(_mm256_set1_pd(-0.0), x);
}

/// σ(η) = r or e·r by sign, from e = e^−|η| and r = 1/(1 + e), which the callers reuse for ln(1 + e).
CK_AVX2 static inline __attribute__((always_inline)) __m256d logistic_avx2(__m256d eta, __m256d *e, __m256d *r) {
    const __m256d one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd();
    *e = exp_avx2(_mm256_sub_pd(zero, abs_avx2(eta)));
    *r = _mm256_div_pd(one, _mm256_add_pd(one, *e));
    return _mm256_blendv_pd(_mm256_mul_pd(*e, *r), *r, _mm256_cmp_pd(eta, zero, _CMP_GE_OQ));
}

/// Log-likelihood (returned) and derivative (in *d) of four elements.
CK_AVX2 static inline __attribute__((always_inline)) __m256d element_avx2(int emission, __m256d x, __m256d eta, __m256d *d) {
    const __m256d one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd();
    const __m256d floor_rate = _mm256_set1_pd(CK_RATE_FLOOR);
    const __m256d floor_ll = _mm256_fmsub_pd(x, _mm256_set1_pd(CK_LOG_RATE_FLOOR), floor_rate);
    switch (emission) {
    case CK_GLM_POISSON_SIGMOID: {
        __m256d e, r;
        __m256d f = logistic_avx2(eta, &e, &r);
        __m256d log_f = _mm256_sub_pd(_mm256_min_pd(eta, zero), log1p_inverse_avx2(e, r));
        __m256d floored = _mm256_cmp_pd(f, floor_rate, _CMP_LT_OQ);
        __m256d ll = _mm256_fmsub_pd(x, log_f, f);
        *d = _mm256_andnot_pd(floored, _mm256_mul_pd(_mm256_sub_pd(x, f), _mm256_sub_pd(one, f)));
        return _mm256_blendv_pd(ll, floor_ll, floored);
    }
    case CK_GLM_POISSON_SOFTPLUS: {
        __m256d e, r;
        __m256d s = logistic_avx2(eta, &e, &r);
        __m256d f = _mm256_add_pd(_mm256_max_pd(eta, zero), log1p_inverse_avx2(e, r));
        __m256d floored = _mm256_cmp_pd(f, floor_rate, _CMP_LT_OQ);
        __m256d safe = _mm256_blendv_pd(f, floor_rate, floored);
        __m256d ll = _mm256_fmsub_pd(x, log_avx2(safe), f);
        *d = _mm256_andnot_pd(floored, _mm256_mul_pd(_mm256_sub_pd(_mm256_div_pd(x, safe), one), s));
        return _mm256_blendv_pd(ll, floor_ll, floored);
    }
    case CK_GLM_POISSON_EXP: {
        __m256d ceiling = _mm256_set1_pd(CK_DRIVE_CEILING);
        __m256d c = _mm256_min_pd(eta, ceiling);
        __m256d f = exp_avx2(c);
        __m256d floored = _mm256_cmp_pd(f, floor_rate, _CMP_LT_OQ);
        __m256d dead = _mm256_or_pd(floored, _mm256_cmp_pd(eta, ceiling, _CMP_GT_OQ));
        __m256d ll = _mm256_fmsub_pd(x, c, f);
        *d = _mm256_andnot_pd(dead, _mm256_sub_pd(x, f));
        return _mm256_blendv_pd(ll, floor_ll, floored);
    }
    default: { // CK_GLM_BERNOULLI_SIGMOID
        __m256d e, r;
        __m256d p = logistic_avx2(eta, &e, &r);
        *d = _mm256_sub_pd(x, p);
        return _mm256_fmsub_pd(x, eta, _mm256_add_pd(_mm256_max_pd(eta, zero), log1p_inverse_avx2(e, r)));
    }
    }
}

/// `R` consecutive rows (R ≤ 4, a compile-time constant at each call site) for neuron chunks
/// first..<last: R independent FMA chains for the drives (one chain alone is latency-bound), and one
/// load/store of each gradient element per R rows.
CK_AVX2 static inline __attribute__((always_inline)) void rows_avx2(int emission, int R, const double *design, const double *counts, const double *gamma,
                                     int64_t n, int64_t first, int64_t last, int64_t full, __m256i tail_mask,
                                     const double *coupling, double *gradient, __m256d *total,
                                     __m256d derivative[4][64]) {
    const int64_t k = n + 1;
    __m256d g[4], row[4];
    for (int r = 0; r < R; r++) {
        g[r] = _mm256_broadcast_sd(gamma + r);
        row[r] = _mm256_setzero_pd();
    }
    for (int64_t c = first; c < last; c++) {
        const int masked = c == full;
        const int64_t col = c * 4;
        __m256d eta[4];
        for (int r = 0; r < R; r++) eta[r] = _mm256_setzero_pd();
        for (int64_t i = 0; i < k; i++) {
            const __m256d w = masked ? _mm256_maskload_pd(coupling + i * n + col, tail_mask) : _mm256_loadu_pd(coupling + i * n + col);
            for (int r = 0; r < R; r++) eta[r] = _mm256_fmadd_pd(_mm256_broadcast_sd(design + r * k + i), w, eta[r]);
        }
        for (int r = 0; r < R; r++) {
            const double *x = counts + r * n + col;
            __m256d xv = masked ? _mm256_maskload_pd(x, tail_mask) : _mm256_loadu_pd(x);
            __m256d d;
            __m256d ll = element_avx2(emission, xv, eta[r], &d);
            if (masked) {
                ll = _mm256_and_pd(ll, _mm256_castsi256_pd(tail_mask));
                d = _mm256_and_pd(d, _mm256_castsi256_pd(tail_mask));
            }
            row[r] = _mm256_add_pd(row[r], ll);
            derivative[r][c - first] = _mm256_mul_pd(g[r], d);
        }
    }
    for (int r = 0; r < R; r++) *total = _mm256_fmadd_pd(g[r], row[r], *total);
    for (int64_t i = 0; i < k; i++) {
        __m256d a[4];
        for (int r = 0; r < R; r++) a[r] = _mm256_broadcast_sd(design + r * k + i);
        double *out = gradient + i * n;
        for (int64_t c = first; c < last; c++) {
            const int64_t col = c * 4;
            const int masked = c == full;
            __m256d v = masked ? _mm256_maskload_pd(out + col, tail_mask) : _mm256_loadu_pd(out + col);
            for (int r = 0; r < R; r++) v = _mm256_fmadd_pd(a[r], derivative[r][c - first], v);
            if (masked) _mm256_maskstore_pd(out + col, tail_mask, v);
            else _mm256_storeu_pd(out + col, v);
        }
    }
}

/// The row loop for one emission; `emission` is a compile-time constant at each call site below, so
/// the switch in `element_avx2` folds away. Rows go in groups of four from the first (fixed order).
CK_AVX2 static inline __attribute__((always_inline)) double block_avx2(int emission, const double *design, const double *counts, const double *gamma,
                                        int64_t rows, int64_t n, const double *coupling, double *gradient) {
    const int64_t k = n + 1;
    const int64_t full = n / 4, tail = n % 4;
    const __m256i tail_mask = _mm256_setr_epi64x(tail > 0 ? -1 : 0, tail > 1 ? -1 : 0, tail > 2 ? -1 : 0, 0);
    const int64_t chunks = full + (tail ? 1 : 0);
    __m256d derivative[4][64];        // γ·∂ℓ/∂η of four rows, up to 256 neurons per pass
    __m256d total = _mm256_setzero_pd();
    for (int64_t first = 0; first < chunks; first += 64) {
        const int64_t last = chunks - first < 64 ? chunks : first + 64;
        int64_t t = 0;
        for (; t + 4 <= rows; t += 4)
            rows_avx2(emission, 4, design + t * k, counts + t * n, gamma + t, n, first, last, full, tail_mask,
                      coupling, gradient, &total, derivative);
        for (; t < rows; t++)
            rows_avx2(emission, 1, design + t * k, counts + t * n, gamma + t, n, first, last, full, tail_mask,
                      coupling, gradient, &total, derivative);
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, total);
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

CK_AVX2 double ck_glm_block_avx2(int emission, const double *design, const double *counts, const double *gamma,
                                 int64_t rows, int64_t n, const double *coupling, double *gradient) {
    switch (emission) {
    case CK_GLM_POISSON_SIGMOID:
        return block_avx2(CK_GLM_POISSON_SIGMOID, design, counts, gamma, rows, n, coupling, gradient);
    case CK_GLM_POISSON_SOFTPLUS:
        return block_avx2(CK_GLM_POISSON_SOFTPLUS, design, counts, gamma, rows, n, coupling, gradient);
    case CK_GLM_POISSON_EXP:
        return block_avx2(CK_GLM_POISSON_EXP, design, counts, gamma, rows, n, coupling, gradient);
    case CK_GLM_BERNOULLI_SIGMOID:
        return block_avx2(CK_GLM_BERNOULLI_SIGMOID, design, counts, gamma, rows, n, coupling, gradient);
    default:
        return NAN;
    }
}
#else
double ck_glm_block_avx2(int emission, const double *design, const double *counts, const double *gamma,
                         int64_t rows, int64_t n, const double *coupling, double *gradient) {
    return ck_glm_block_generic(emission, design, counts, gamma, rows, n, coupling, gradient);
}
#endif

double ck_glm_block(int emission, const double *design, const double *counts, const double *gamma,
                    int64_t rows, int64_t n, const double *coupling, double *gradient) {
    if (ck_cpu_has_avx2_fma())
        return ck_glm_block_avx2(emission, design, counts, gamma, rows, n, coupling, gradient);
    return ck_glm_block_generic(emission, design, counts, gamma, rows, n, coupling, gradient);
}

// ---------------------------------------------------------------------------------------------
// E-step emission pass: log-likelihoods of every (bin, state) from precomputed drives.

double ck_glm_loglik_generic(int emission, const double *counts, const double *drives, int64_t rows, int64_t n,
                             int64_t states, double *out) {
    if (emission < CK_GLM_POISSON_SIGMOID || emission > CK_GLM_BERNOULLI_SIGMOID) return NAN;
    const int64_t width = states * n;
    for (int64_t t = 0; t < rows; t++) {
        const double *x = counts + t * n;
        for (int64_t s = 0; s < states; s++) {
            const double *eta = drives + t * width + s * n;
            double total = 0;
            for (int64_t j = 0; j < n; j++) {
                double ll, d;
                element_generic(emission, x[j], eta[j], &ll, &d);
                total += ll;
            }
            out[t * states + s] = total;
        }
    }
    return 0;
}

#ifdef CK_GLM_HAVE_X86
CK_AVX2 static inline __attribute__((always_inline)) void loglik_avx2(int emission, const double *counts, const double *drives, int64_t rows,
                                                                  int64_t n, int64_t states, double *out) {
    const int64_t width = states * n, full = n / 4, tail = n % 4;
    const __m256i mask = _mm256_setr_epi64x(tail > 0 ? -1 : 0, tail > 1 ? -1 : 0, tail > 2 ? -1 : 0, 0);
    for (int64_t t = 0; t < rows; t++) {
        const double *x = counts + t * n;
        for (int64_t s = 0; s < states; s++) {
            const double *eta = drives + t * width + s * n;
            __m256d sum = _mm256_setzero_pd(), d;
            for (int64_t c = 0; c < full; c++)
                sum = _mm256_add_pd(sum, element_avx2(emission, _mm256_loadu_pd(x + c * 4), _mm256_loadu_pd(eta + c * 4), &d));
            if (tail) {
                const __m256d ll = element_avx2(emission, _mm256_maskload_pd(x + full * 4, mask), _mm256_maskload_pd(eta + full * 4, mask), &d);
                sum = _mm256_add_pd(sum, _mm256_and_pd(ll, _mm256_castsi256_pd(mask)));
            }
            __m128d h = _mm_add_pd(_mm256_castpd256_pd128(sum), _mm256_extractf128_pd(sum, 1));
            out[t * states + s] = _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
        }
    }
}

CK_AVX2 double ck_glm_loglik_avx2(int emission, const double *counts, const double *drives, int64_t rows, int64_t n,
                                  int64_t states, double *out) {
    switch (emission) {
    case CK_GLM_POISSON_SIGMOID: loglik_avx2(CK_GLM_POISSON_SIGMOID, counts, drives, rows, n, states, out); return 0;
    case CK_GLM_POISSON_SOFTPLUS: loglik_avx2(CK_GLM_POISSON_SOFTPLUS, counts, drives, rows, n, states, out); return 0;
    case CK_GLM_POISSON_EXP: loglik_avx2(CK_GLM_POISSON_EXP, counts, drives, rows, n, states, out); return 0;
    case CK_GLM_BERNOULLI_SIGMOID: loglik_avx2(CK_GLM_BERNOULLI_SIGMOID, counts, drives, rows, n, states, out); return 0;
    default: return NAN;
    }
}
#else
double ck_glm_loglik_avx2(int emission, const double *counts, const double *drives, int64_t rows, int64_t n,
                          int64_t states, double *out) {
    return ck_glm_loglik_generic(emission, counts, drives, rows, n, states, out);
}
#endif

double ck_glm_loglik(int emission, const double *counts, const double *drives, int64_t rows, int64_t n, int64_t states,
                     double *out) {
    if (ck_cpu_has_avx2_fma()) return ck_glm_loglik_avx2(emission, counts, drives, rows, n, states, out);
    return ck_glm_loglik_generic(emission, counts, drives, rows, n, states, out);
}

// ---------------------------------------------------------------------------------------------
// One-hot prior pass (Models/StateGLM/OneHotPrior.evaluate), see ck_glm.h.

static inline void onehot_entry_generic(int mode, double inv_tau, const double *psi, double omega, const double *uniforms,
                                        const double *log_alpha, const double *alpha, double tau, double log_tau,
                                        double *types, double *strength, double *sigmoid_omega, double *weight,
                                        double *d_psi, double *d_rho, double *log_prior) {
    const double m = fmax(psi[0], fmax(psi[1], psi[2]));
    const double e0 = exp(psi[0] - m), e1 = exp(psi[1] - m), e2 = exp(psi[2] - m);
    const double t = e0 + e1 + e2, inv = 1.0 / t, lse = m + log(t);
    const double q[3] = {e0 * inv, e1 * inv, e2 * inv};
    const double log_a[3] = {psi[0] - lse, psi[1] - lse, psi[2] - lse};
    if (mode == CK_ONEHOT_HARD) {
        int arg = 0;
        if (psi[1] > psi[arg]) arg = 1;
        if (psi[2] > psi[arg]) arg = 2;
        types[0] = types[1] = types[2] = 0;
        types[arg] = 1;
    } else if (mode == CK_ONEHOT_EXPECTED) {
        types[0] = q[0]; types[1] = q[1]; types[2] = q[2];
    } else {
        double z[3];
        for (int c = 0; c < 3; c++) z[c] = (psi[c] - log(-log(uniforms[c]))) * inv_tau;
        const double mz = fmax(z[0], fmax(z[1], z[2]));
        const double f0 = exp(z[0] - mz), f1 = exp(z[1] - mz), f2 = exp(z[2] - mz);
        const double iz = 1.0 / (f0 + f1 + f2);
        types[0] = f0 * iz; types[1] = f1 * iz; types[2] = f2 * iz;
    }
    const double e = exp(-fabs(omega)), r = 1.0 / (1.0 + e);
    const double sp = fmax(omega, 0.0) + log1p(e);
    *strength = sp;
    *sigmoid_omega = omega >= 0 ? r : e * r;
    *weight = (types[2] - types[0]) * sp;
    // Concrete log-density at q with probabilities α and its gradients (ConcreteDistribution).
    double u[3];
    for (int c = 0; c < 3; c++) u[c] = log_alpha[c] - tau * log_a[c];
    const double mu = fmax(u[0], fmax(u[1], u[2]));
    const double g0 = exp(u[0] - mu), g1 = exp(u[1] - mu), g2 = exp(u[2] - mu);
    const double tu = g0 + g1 + g2, iu = 1.0 / tu, lse_u = mu + log(tu);
    const double qq[3] = {g0 * iu, g1 * iu, g2 * iu};
    double rest = 0, da[3], dal[3];
    for (int c = 0; c < 3; c++) {
        rest += log_alpha[c] - (tau + 1) * log_a[c];
        da[c] = 3 * tau * qq[c] - (tau + 1);
        dal[c] = 1 - 3 * qq[c];
    }
    *log_prior += 0.6931471805599453 + 2 * log_tau - 3 * lse_u + rest;
    const double ga = da[0] + da[1] + da[2], gal = dal[0] + dal[1] + dal[2];
    for (int c = 0; c < 3; c++) {
        d_psi[c] = da[c] - q[c] * ga;
        d_rho[c] += dal[c] - alpha[c] * gal;
    }
}

double ck_onehot_prior_generic(int mode, double inv_tau, int64_t states, int64_t pairs, const double *psi, const double *omega,
                               const double *uniforms, const double *log_alpha, const double *alpha, double tau,
                               double *types, double *strength, double *sigmoid_omega, double *weights,
                               double *d_psi, double *d_rho) {
    const double log_tau = log(tau);
    double total = 0;
    for (int64_t s = 0; s < states; s++) {
        for (int64_t k = 0; k < pairs; k++) {
            const int64_t idx = s * pairs + k;
            onehot_entry_generic(mode, inv_tau, psi + idx * 3, omega[idx], uniforms ? uniforms + idx * 3 : 0, log_alpha + k * 3,
                                 alpha + k * 3, tau, log_tau, types + idx * 3, strength + idx, sigmoid_omega + idx,
                                 weights + idx, d_psi + idx * 3, d_rho + k * 3, &total);
        }
    }
    return total;
}

#ifdef CK_GLM_HAVE_X86
/// Three interleaved values (x[3i + c], i = 0..3) of four entries as one vector per class.
CK_AVX2 static inline __attribute__((always_inline)) void load3x4(const double *x, __m256d *v0, __m256d *v1, __m256d *v2) {
    *v0 = _mm256_setr_pd(x[0], x[3], x[6], x[9]);
    *v1 = _mm256_setr_pd(x[1], x[4], x[7], x[10]);
    *v2 = _mm256_setr_pd(x[2], x[5], x[8], x[11]);
}

CK_AVX2 static inline __attribute__((always_inline)) void store3x4(double *x, __m256d v0, __m256d v1, __m256d v2) {
    double a[4], b[4], c[4];
    _mm256_storeu_pd(a, v0);
    _mm256_storeu_pd(b, v1);
    _mm256_storeu_pd(c, v2);
    for (int i = 0; i < 4; i++) {
        x[3 * i] = a[i];
        x[3 * i + 1] = b[i];
        x[3 * i + 2] = c[i];
    }
}

CK_AVX2 static inline __attribute__((always_inline)) __m256d max3(__m256d a, __m256d b, __m256d c) {
    return _mm256_max_pd(a, _mm256_max_pd(b, c));
}

__attribute__((target("avx2,fma"))) double ck_onehot_prior_avx2(int mode, double inv_tau, int64_t states, int64_t pairs,
                                                                const double *psi, const double *omega, const double *uniforms,
                                                                const double *log_alpha, const double *alpha, double tau,
                                                                double *types, double *strength, double *sigmoid_omega,
                                                                double *weights, double *d_psi, double *d_rho) {
    const double log_tau = log(tau);
    const __m256d one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd(), three = _mm256_set1_pd(3.0);
    const __m256d vtau = _mm256_set1_pd(tau), tau1 = _mm256_set1_pd(tau + 1), three_tau = _mm256_set1_pd(3 * tau);
    const __m256d vinv_tau = _mm256_set1_pd(inv_tau);
    __m256d sum = zero;
    double total = 0;
    for (int64_t s = 0; s < states; s++) {
        int64_t k = 0;
        for (; k + 4 <= pairs; k += 4) {
            const int64_t idx = s * pairs + k;
            __m256d p0, p1, p2;
            load3x4(psi + idx * 3, &p0, &p1, &p2);
            __m256d m = max3(p0, p1, p2);
            __m256d e0 = exp_avx2(_mm256_sub_pd(p0, m)), e1 = exp_avx2(_mm256_sub_pd(p1, m)), e2 = exp_avx2(_mm256_sub_pd(p2, m));
            __m256d t = _mm256_add_pd(e0, _mm256_add_pd(e1, e2));
            __m256d inv = _mm256_div_pd(one, t);
            __m256d lse = _mm256_add_pd(m, log_avx2(t));
            __m256d q0 = _mm256_mul_pd(e0, inv), q1 = _mm256_mul_pd(e1, inv), q2 = _mm256_mul_pd(e2, inv);
            __m256d la0 = _mm256_sub_pd(p0, lse), la1 = _mm256_sub_pd(p1, lse), la2 = _mm256_sub_pd(p2, lse);
            __m256d a0, a1, a2;
            if (mode == CK_ONEHOT_HARD) {
                __m256d c1 = _mm256_cmp_pd(p1, p0, _CMP_GT_OQ);
                __m256d best = _mm256_blendv_pd(p0, p1, c1);
                __m256d c2 = _mm256_cmp_pd(p2, best, _CMP_GT_OQ);
                a2 = _mm256_and_pd(c2, one);
                a1 = _mm256_and_pd(_mm256_andnot_pd(c2, c1), one);
                a0 = _mm256_andnot_pd(_mm256_or_pd(c1, c2), one);
            } else if (mode == CK_ONEHOT_EXPECTED) {
                a0 = q0; a1 = q1; a2 = q2;
            } else {
                __m256d u0, u1, u2;
                load3x4(uniforms + idx * 3, &u0, &u1, &u2);
                // Gumbel noise −log(−log u): both logs of positive normals.
                __m256d z0 = _mm256_mul_pd(_mm256_sub_pd(p0, log_avx2(_mm256_sub_pd(zero, log_avx2(u0)))), vinv_tau);
                __m256d z1 = _mm256_mul_pd(_mm256_sub_pd(p1, log_avx2(_mm256_sub_pd(zero, log_avx2(u1)))), vinv_tau);
                __m256d z2 = _mm256_mul_pd(_mm256_sub_pd(p2, log_avx2(_mm256_sub_pd(zero, log_avx2(u2)))), vinv_tau);
                __m256d mz = max3(z0, z1, z2);
                __m256d f0 = exp_avx2(_mm256_sub_pd(z0, mz)), f1 = exp_avx2(_mm256_sub_pd(z1, mz)), f2 = exp_avx2(_mm256_sub_pd(z2, mz));
                __m256d iz = _mm256_div_pd(one, _mm256_add_pd(f0, _mm256_add_pd(f1, f2)));
                a0 = _mm256_mul_pd(f0, iz); a1 = _mm256_mul_pd(f1, iz); a2 = _mm256_mul_pd(f2, iz);
            }
            store3x4(types + idx * 3, a0, a1, a2);
            __m256d w = _mm256_loadu_pd(omega + idx);
            __m256d e = exp_avx2(_mm256_sub_pd(zero, abs_avx2(w)));
            __m256d r = _mm256_div_pd(one, _mm256_add_pd(one, e));
            __m256d sp = _mm256_add_pd(_mm256_max_pd(w, zero), log1p_inverse_avx2(e, r));
            _mm256_storeu_pd(strength + idx, sp);
            _mm256_storeu_pd(sigmoid_omega + idx, _mm256_blendv_pd(_mm256_mul_pd(e, r), r, _mm256_cmp_pd(w, zero, _CMP_GE_OQ)));
            _mm256_storeu_pd(weights + idx, _mm256_mul_pd(_mm256_sub_pd(a2, a0), sp));
            // Concrete log-density at q and its gradients.
            __m256d l0, l1, l2, al0, al1, al2;
            load3x4(log_alpha + k * 3, &l0, &l1, &l2);
            load3x4(alpha + k * 3, &al0, &al1, &al2);
            __m256d u0 = _mm256_fnmadd_pd(vtau, la0, l0), u1 = _mm256_fnmadd_pd(vtau, la1, l1), u2 = _mm256_fnmadd_pd(vtau, la2, l2);
            __m256d mu = max3(u0, u1, u2);
            __m256d g0 = exp_avx2(_mm256_sub_pd(u0, mu)), g1 = exp_avx2(_mm256_sub_pd(u1, mu)), g2 = exp_avx2(_mm256_sub_pd(u2, mu));
            __m256d tu = _mm256_add_pd(g0, _mm256_add_pd(g1, g2));
            __m256d iu = _mm256_div_pd(one, tu);
            __m256d lse_u = _mm256_add_pd(mu, log_avx2(tu));
            __m256d qq0 = _mm256_mul_pd(g0, iu), qq1 = _mm256_mul_pd(g1, iu), qq2 = _mm256_mul_pd(g2, iu);
            __m256d rest = _mm256_add_pd(_mm256_fnmadd_pd(tau1, la0, l0),
                                         _mm256_add_pd(_mm256_fnmadd_pd(tau1, la1, l1), _mm256_fnmadd_pd(tau1, la2, l2)));
            sum = _mm256_add_pd(sum, _mm256_fnmadd_pd(three, lse_u, rest));
            __m256d da0 = _mm256_fmsub_pd(three_tau, qq0, tau1), da1 = _mm256_fmsub_pd(three_tau, qq1, tau1), da2 = _mm256_fmsub_pd(three_tau, qq2, tau1);
            __m256d dl0 = _mm256_fnmadd_pd(three, qq0, one), dl1 = _mm256_fnmadd_pd(three, qq1, one), dl2 = _mm256_fnmadd_pd(three, qq2, one);
            __m256d ga = _mm256_add_pd(da0, _mm256_add_pd(da1, da2)), gl = _mm256_add_pd(dl0, _mm256_add_pd(dl1, dl2));
            store3x4(d_psi + idx * 3, _mm256_fnmadd_pd(q0, ga, da0), _mm256_fnmadd_pd(q1, ga, da1), _mm256_fnmadd_pd(q2, ga, da2));
            double r0[4], r1[4], r2[4];
            _mm256_storeu_pd(r0, _mm256_fnmadd_pd(al0, gl, dl0));
            _mm256_storeu_pd(r1, _mm256_fnmadd_pd(al1, gl, dl1));
            _mm256_storeu_pd(r2, _mm256_fnmadd_pd(al2, gl, dl2));
            for (int i = 0; i < 4; i++) {
                d_rho[(k + i) * 3] += r0[i];
                d_rho[(k + i) * 3 + 1] += r1[i];
                d_rho[(k + i) * 3 + 2] += r2[i];
            }
        }
        for (; k < pairs; k++) {
            const int64_t idx = s * pairs + k;
            onehot_entry_generic(mode, inv_tau, psi + idx * 3, omega[idx], uniforms ? uniforms + idx * 3 : 0, log_alpha + k * 3,
                                 alpha + k * 3, tau, log_tau, types + idx * 3, strength + idx, sigmoid_omega + idx,
                                 weights + idx, d_psi + idx * 3, d_rho + k * 3, &total);
        }
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, sum);
    // The constant log Γ(3) + 2 log τ once per vectorised entry.
    const int64_t vector_entries = states * (pairs - pairs % 4);
    return total + (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + (double)vector_entries * (0.6931471805599453 + 2 * log_tau);
}
#else
double ck_onehot_prior_avx2(int mode, double inv_tau, int64_t states, int64_t pairs, const double *psi, const double *omega,
                            const double *uniforms, const double *log_alpha, const double *alpha, double tau,
                            double *types, double *strength, double *sigmoid_omega, double *weights,
                            double *d_psi, double *d_rho) {
    return ck_onehot_prior_generic(mode, inv_tau, states, pairs, psi, omega, uniforms, log_alpha, alpha, tau, types, strength,
                                   sigmoid_omega, weights, d_psi, d_rho);
}
#endif

double ck_onehot_prior(int mode, double inv_tau, int64_t states, int64_t pairs, const double *psi, const double *omega,
                       const double *uniforms, const double *log_alpha, const double *alpha, double tau,
                       double *types, double *strength, double *sigmoid_omega, double *weights,
                       double *d_psi, double *d_rho) {
    if (ck_cpu_has_avx2_fma())
        return ck_onehot_prior_avx2(mode, inv_tau, states, pairs, psi, omega, uniforms, log_alpha, alpha, tau, types, strength,
                                    sigmoid_omega, weights, d_psi, d_rho);
    return ck_onehot_prior_generic(mode, inv_tau, states, pairs, psi, omega, uniforms, log_alpha, alpha, tau, types, strength,
                                   sigmoid_omega, weights, d_psi, d_rho);
}
