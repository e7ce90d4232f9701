// Single-precision fused M-step kernels of the state-switching GLM (see include/ck_glm.h): the
// reference implementation runs in float32, and 8 lanes per vector halve the work of the double kernel.
#include "ck_glm.h"
#include "ck_cpu.h"

#include <math.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_GLM32_HAVE_X86 1
#endif

#define CK_RATE_FLOOR_F 1e-8f
#define CK_LOG_RATE_FLOOR_F (-18.420680743952367f)
#define CK_DRIVE_CEILING_F 40.0f
/// Rows per float accumulation group before the sums are added into double.
#define CK_GROUP 64

// ---------------------------------------------------------------------------------------------
// Portable version.

static inline void element_f32(int emission, float x, float eta, float *ll, float *d) {
    switch (emission) {
    case CK_GLM_POISSON_SIGMOID: {
        float e = expf(-fabsf(eta));
        float r = 1.0f / (1.0f + e);
        float f = eta >= 0 ? r : e * r;
        float log_f = fminf(eta, 0.0f) - log1pf(e);
        if (f < CK_RATE_FLOOR_F) { *ll = x * CK_LOG_RATE_FLOOR_F - CK_RATE_FLOOR_F; *d = 0; }
        else { *ll = x * log_f - f; *d = (x - f) * (1.0f - f); }
        return;
    }
    case CK_GLM_POISSON_SOFTPLUS: {
        float e = expf(-fabsf(eta));
        float r = 1.0f / (1.0f + e);
        float s = eta >= 0 ? r : e * r;
        float f = fmaxf(eta, 0.0f) + log1pf(e);
        if (f < CK_RATE_FLOOR_F) { *ll = x * CK_LOG_RATE_FLOOR_F - CK_RATE_FLOOR_F; *d = 0; }
        else { *ll = x * logf(f) - f; *d = (x / f - 1.0f) * s; }
        return;
    }
    case CK_GLM_POISSON_EXP: {
        float c = fminf(eta, CK_DRIVE_CEILING_F);
        float f = expf(c);
        if (f < CK_RATE_FLOOR_F) { *ll = x * CK_LOG_RATE_FLOOR_F - CK_RATE_FLOOR_F; *d = 0; }
        else { *ll = x * c - f; *d = eta > CK_DRIVE_CEILING_F ? 0 : x - f; }
        return;
    }
    default: { // CK_GLM_BERNOULLI_SIGMOID
        float e = expf(-fabsf(eta));
        float r = 1.0f / (1.0f + e);
        float p = eta >= 0 ? r : e * r;
        *ll = x * eta - (fmaxf(eta, 0.0f) + log1pf(e));
        *d = x - p;
        return;
    }
    }
}

double ck_glm_block_f32_generic(int emission, const float *design, const float *counts, const float *gamma,
                                int64_t rows, int64_t n, const float *coupling, double *gradient) {
    if (emission < CK_GLM_POISSON_SIGMOID || emission > CK_GLM_BERNOULLI_SIGMOID) return NAN;
    const int64_t k = n + 1;
    double total = 0;
    float derivative[256];
    for (int64_t first = 0; first < n; first += 256) {
        const int64_t width = n - first < 256 ? n - first : 256;
        for (int64_t start = 0; start < rows; start += CK_GROUP) {
            const int64_t end = rows - start < CK_GROUP ? rows : start + CK_GROUP;
            float group_total = 0;
            for (int64_t t = start; t < end; t++) {
                const float *a = design + t * k;
                const float *x = counts + t * n + first;
                const float g = gamma[t];
                float row = 0;
                for (int64_t j = 0; j < width; j++) {
                    float eta = 0;
                    for (int64_t i = 0; i < k; i++) eta += a[i] * coupling[i * n + first + j];
                    float ll, d;
                    element_f32(emission, x[j], eta, &ll, &d);
                    row += ll;
                    derivative[j] = g * d;
                }
                group_total += g * row;
                for (int64_t i = 0; i < k; i++) {
                    double *out = gradient + i * n + first;
                    const float ai = a[i];
                    for (int64_t j = 0; j < width; j++) out[j] += (double)(ai * derivative[j]);
                }
            }
            total += group_total;
        }
    }
    return total;
}

// ---------------------------------------------------------------------------------------------
// AVX2 + FMA version.

#ifdef CK_GLM32_HAVE_X86
#define CK_AVX2_F __attribute__((target("avx2,fma"), always_inline))

/// eˣ to ~1 ulp of float: n = round(x/ln 2), r = x − n ln 2, Taylor series to r⁷ (|r| ≤ 0.347).
CK_AVX2_F static inline __m256 exp8(__m256 x) {
    const __m256 magic = _mm256_set1_ps(12582912.0f);   // 1.5·2²³
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
    __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), magic);
    __m256 nn = _mm256_sub_ps(shifted, magic);
    __m256i kk = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_castps_si256(magic));
    __m256 r = _mm256_fnmadd_ps(nn, _mm256_set1_ps(0.693145752f), x);
    r = _mm256_fnmadd_ps(nn, _mm256_set1_ps(1.42860677e-6f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(kk, _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

/// 1/x to ~1 ulp of float for positive normal x: the 12-bit hardware estimate and one Newton step
/// (cheaper than a division, whose throughput limits the element pass).
CK_AVX2_F static inline __m256 recip8(__m256 x) {
    __m256 r = _mm256_rcp_ps(x);
    return _mm256_mul_ps(r, _mm256_fnmadd_ps(x, r, _mm256_set1_ps(2.0f)));
}

/// ln x for positive normal floats: x = 2^e·m, m ∈ [√½, √2), ln m = 2 atanh(s), s = (m−1)/(m+1).
CK_AVX2_F static inline __m256 log8(__m256 x) {
    __m256i bits = _mm256_castps_si256(x);
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007FFFFF)), _mm256_set1_epi32(0x3F800000)));
    __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127)));
    __m256 big = _mm256_cmp_ps(m, _mm256_set1_ps(1.41421356f), _CMP_GT_OQ);
    m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), big);
    e = _mm256_add_ps(e, _mm256_and_ps(big, _mm256_set1_ps(1.0f)));
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 f = _mm256_sub_ps(m, one);
    __m256 s = _mm256_mul_ps(f, recip8(_mm256_add_ps(m, one)));
    __m256 z = _mm256_mul_ps(s, s);
    __m256 q = _mm256_set1_ps(1.0f / 11);
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(1.0f / 9));
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(1.0f / 7));
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(1.0f / 5));
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(1.0f / 3));
    __m256 inner = _mm256_fnmadd_ps(_mm256_add_ps(z, z), q, f);
    __m256 ln_m = _mm256_fnmadd_ps(s, inner, f);
    return _mm256_fmadd_ps(e, _mm256_set1_ps(0.693147181f), ln_m);
}

/// ln(1 + x) for x = e^−|η| ∈ (0, 1] given r ≈ 1/(1 + x), with the rounding of 1 + x corrected to
/// first order.
CK_AVX2_F static inline __m256 log1p8(__m256 x, __m256 r) {
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 u = _mm256_add_ps(one, x);
    return _mm256_fnmadd_ps(_mm256_sub_ps(_mm256_sub_ps(u, one), x), r, log8(u));
}

/// σ(η) = r or e·r by sign, from e = e^−|η| and r ≈ 1/(1 + e), which the callers reuse for ln(1 + e).
CK_AVX2_F static inline __m256 logistic8(__m256 eta, __m256 abs_eta, __m256 *e, __m256 *r) {
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    *e = exp8(_mm256_sub_ps(zero, abs_eta));
    *r = recip8(_mm256_add_ps(one, *e));
    return _mm256_blendv_ps(_mm256_mul_ps(*e, *r), *r, _mm256_cmp_ps(eta, zero, _CMP_GE_OQ));
}

CK_AVX2_F static inline __m256 element8(int emission, __m256 x, __m256 eta, __m256 *d) {
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    const __m256 floor_rate = _mm256_set1_ps(CK_RATE_FLOOR_F);
    const __m256 floor_ll = _mm256_fmsub_ps(x, _mm256_set1_ps(CK_LOG_RATE_FLOOR_F), floor_rate);
    const __m256 abs_eta = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), eta);
    switch (emission) {
    case CK_GLM_POISSON_SIGMOID: {
        __m256 e, r;
        __m256 f = logistic8(eta, abs_eta, &e, &r);
        __m256 log_f = _mm256_sub_ps(_mm256_min_ps(eta, zero), log1p8(e, r));
        __m256 floored = _mm256_cmp_ps(f, floor_rate, _CMP_LT_OQ);
        *d = _mm256_andnot_ps(floored, _mm256_mul_ps(_mm256_sub_ps(x, f), _mm256_sub_ps(one, f)));
        return _mm256_blendv_ps(_mm256_fmsub_ps(x, log_f, f), floor_ll, floored);
    }
    case CK_GLM_POISSON_SOFTPLUS: {
        __m256 e, r;
        __m256 s = logistic8(eta, abs_eta, &e, &r);
        __m256 f = _mm256_add_ps(_mm256_max_ps(eta, zero), log1p8(e, r));
        __m256 floored = _mm256_cmp_ps(f, floor_rate, _CMP_LT_OQ);
        __m256 safe = _mm256_blendv_ps(f, floor_rate, floored);
        *d = _mm256_andnot_ps(floored, _mm256_mul_ps(_mm256_sub_ps(_mm256_div_ps(x, safe), one), s));
        return _mm256_blendv_ps(_mm256_fmsub_ps(x, log8(safe), f), floor_ll, floored);
    }
    case CK_GLM_POISSON_EXP: {
        __m256 ceiling = _mm256_set1_ps(CK_DRIVE_CEILING_F);
        __m256 c = _mm256_min_ps(eta, ceiling);
        __m256 f = exp8(c);
        __m256 floored = _mm256_cmp_ps(f, floor_rate, _CMP_LT_OQ);
        __m256 dead = _mm256_or_ps(floored, _mm256_cmp_ps(eta, ceiling, _CMP_GT_OQ));
        *d = _mm256_andnot_ps(dead, _mm256_sub_ps(x, f));
        return _mm256_blendv_ps(_mm256_fmsub_ps(x, c, f), floor_ll, floored);
    }
    default: {
        __m256 e, r;
        __m256 p = logistic8(eta, abs_eta, &e, &r);
        *d = _mm256_sub_ps(x, p);
        return _mm256_fmsub_ps(x, eta, _mm256_add_ps(_mm256_max_ps(eta, zero), log1p8(e, r)));
    }
    }
}

/// Neuron chunks of 8 handled per pass (up to 256 neurons; wider problems take several passes).
#define CK_CHUNKS 32

/// `R` (≤ 4) consecutive rows for chunks first..<last; gradient partials go into `acc` (k × chunks
/// vectors of float), the γ-weighted log-likelihood into *total.
CK_AVX2_F static inline void rows8(int emission, int R, const float *design, const float *counts, const float *gamma,
                                   int64_t n, int64_t first, int64_t last, int64_t full, __m256i tail_mask,
                                   const float *coupling, __m256 *acc, __m256 *total, __m256 derivative[4][CK_CHUNKS]) {
    const int64_t k = n + 1, width = last - first;
    __m256 g[4], row[4];
    for (int r = 0; r < R; r++) {
        g[r] = _mm256_broadcast_ss(gamma + r);
        row[r] = _mm256_setzero_ps();
    }
    for (int64_t c = first; c < last; c++) {
        const int masked = c == full;
        const int64_t col = c * 8;
        __m256 eta[4];
        for (int r = 0; r < R; r++) eta[r] = _mm256_setzero_ps();
        for (int64_t i = 0; i < k; i++) {
            const __m256 w = masked ? _mm256_maskload_ps(coupling + i * n + col, tail_mask) : _mm256_loadu_ps(coupling + i * n + col);
            for (int r = 0; r < R; r++) eta[r] = _mm256_fmadd_ps(_mm256_broadcast_ss(design + r * k + i), w, eta[r]);
        }
        for (int r = 0; r < R; r++) {
            const float *x = counts + r * n + col;
            __m256 xv = masked ? _mm256_maskload_ps(x, tail_mask) : _mm256_loadu_ps(x);
            __m256 d;
            __m256 ll = element8(emission, xv, eta[r], &d);
            if (masked) {
                ll = _mm256_and_ps(ll, _mm256_castsi256_ps(tail_mask));
                d = _mm256_and_ps(d, _mm256_castsi256_ps(tail_mask));
            }
            row[r] = _mm256_add_ps(row[r], ll);
            derivative[r][c - first] = _mm256_mul_ps(g[r], d);
        }
    }
    for (int r = 0; r < R; r++) *total = _mm256_fmadd_ps(g[r], row[r], *total);
    for (int64_t i = 0; i < k; i++) {
        __m256 a[4];
        for (int r = 0; r < R; r++) a[r] = _mm256_broadcast_ss(design + r * k + i);
        __m256 *out = acc + i * width;
        for (int64_t c = 0; c < width; c++) {
            __m256 v = out[c];
            for (int r = 0; r < R; r++) v = _mm256_fmadd_ps(a[r], derivative[r][c], v);
            out[c] = v;
        }
    }
}

__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline)) double
block8(int emission, const float *design, const float *counts, const float *gamma, int64_t rows, int64_t n,
       const float *coupling, double *gradient) {
    const int64_t k = n + 1;
    const int64_t full = n / 8, tail = n % 8;
    const __m256i tail_mask = _mm256_setr_epi32(tail > 0 ? -1 : 0, tail > 1 ? -1 : 0, tail > 2 ? -1 : 0, tail > 3 ? -1 : 0,
                                                tail > 4 ? -1 : 0, tail > 5 ? -1 : 0, tail > 6 ? -1 : 0, 0);
    const int64_t chunks = full + (tail ? 1 : 0);
    __m256 derivative[4][CK_CHUNKS];
    // Float partial gradients of one group of rows: k × (chunks per pass) vectors on the stack.
    __m256 local[1024];
    int64_t per_pass = 1024 / k < CK_CHUNKS ? 1024 / k : CK_CHUNKS;
    if (per_pass < 1) return ck_glm_block_f32_generic(emission, design, counts, gamma, rows, n, coupling, gradient);
    double total = 0;
    for (int64_t first = 0; first < chunks; first += per_pass) {
        const int64_t last = chunks - first < per_pass ? chunks : first + per_pass;
        const int64_t width = last - first;
        const int64_t needed = k * width;
        for (int64_t start = 0; start < rows; start += CK_GROUP) {
            const int64_t end = rows - start < CK_GROUP ? rows : start + CK_GROUP;
            for (int64_t v = 0; v < needed; v++) local[v] = _mm256_setzero_ps();
            __m256 sum = _mm256_setzero_ps();
            int64_t t = start;
            for (; t + 4 <= end; t += 4)
                rows8(emission, 4, design + t * k, counts + t * n, gamma + t, n, first, last, full, tail_mask, coupling, local, &sum, derivative);
            for (; t < end; t++)
                rows8(emission, 1, design + t * k, counts + t * n, gamma + t, n, first, last, full, tail_mask, coupling, local, &sum, derivative);
            // Add the group's partials into the double gradient.
            for (int64_t i = 0; i < k; i++) {
                for (int64_t c = 0; c < width; c++) {
                    float lanes[8];
                    _mm256_storeu_ps(lanes, local[i * width + c]);
                    const int64_t col = (first + c) * 8;
                    const int64_t count = n - col < 8 ? n - col : 8;
                    double *out = gradient + i * n + col;
                    for (int64_t j = 0; j < count; j++) out[j] += (double)lanes[j];
                }
            }
            float lanes[8];
            _mm256_storeu_ps(lanes, sum);
            total += (((double)lanes[0] + lanes[1]) + ((double)lanes[2] + lanes[3])) + (((double)lanes[4] + lanes[5]) + ((double)lanes[6] + lanes[7]));
        }
    }
    return total;
}

__attribute__((target("avx2,fma"))) double ck_glm_block_f32_avx2(int emission, const float *design, const float *counts, const float *gamma,
                                                               int64_t rows, int64_t n, const float *coupling, double *gradient) {
    switch (emission) {
    case CK_GLM_POISSON_SIGMOID: return block8(CK_GLM_POISSON_SIGMOID, design, counts, gamma, rows, n, coupling, gradient);
    case CK_GLM_POISSON_SOFTPLUS: return block8(CK_GLM_POISSON_SOFTPLUS, design, counts, gamma, rows, n, coupling, gradient);
    case CK_GLM_POISSON_EXP: return block8(CK_GLM_POISSON_EXP, design, counts, gamma, rows, n, coupling, gradient);
    case CK_GLM_BERNOULLI_SIGMOID: return block8(CK_GLM_BERNOULLI_SIGMOID, design, counts, gamma, rows, n, coupling, gradient);
    default: return NAN;
    }
}
#else
double ck_glm_block_f32_avx2(int emission, const float *design, const float *counts, const float *gamma,
                             int64_t rows, int64_t n, const float *coupling, double *gradient) {
    return ck_glm_block_f32_generic(emission, design, counts, gamma, rows, n, coupling, gradient);
}
#endif

double ck_glm_block_f32(int emission, const float *design, const float *counts, const float *gamma,
                        int64_t rows, int64_t n, const float *coupling, double *gradient) {
    if (ck_cpu_has_avx2_fma())
        return ck_glm_block_f32_avx2(emission, design, counts, gamma, rows, n, coupling, gradient);
    return ck_glm_block_f32_generic(emission, design, counts, gamma, rows, n, coupling, gradient);
}
