// Single-precision fused M-step kernels of the state-switching GLM (see include/ck_glm.h): the
// reference implementation runs in float32, and 8 lanes per vector halve the work of the double kernel.
// Bins come in panels of 8 with the bins in the lanes, so no lane is wasted whatever N is, and both
// matrix products are register-blocked (2 panels × 4 neurons for the drives, 3 features × 4 neurons
// for the gradient) instead of reading and writing their accumulators through memory.
#include "ck_glm.h"
#include "ck_cpu.h"

#include <math.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_GLM32_HAVE_X86 1
#endif

#define CK_RATE_FLOOR_F 1e-8f
#define CK_LOG_RATE_FLOOR_F (-18.420680743952367f)
#define CK_DRIVE_CEILING_F 40.0f
/// Panels (of 8 bins) per group: the gradient and the returned sum are accumulated in float over one
/// group (16 terms per lane, then the 8 lanes), then added into double.
#define CK_GROUP_PANELS 16

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

double ck_glm_panels_f32_generic(int emission, const float *design, const float *counts, const float *gamma,
                                 int64_t panels, int64_t n, const float *coupling, double *gradient) {
    if (emission < CK_GLM_POISSON_SIGMOID || emission > CK_GLM_BERNOULLI_SIGMOID) return NAN;
    const int64_t k = n + 1;
    double total = 0;
    float derivative[256];
    for (int64_t first = 0; first < n; first += 256) {
        const int64_t width = n - first < 256 ? n - first : 256;
        for (int64_t start = 0; start < panels; start += CK_GROUP_PANELS) {
            const int64_t end = panels - start < CK_GROUP_PANELS ? panels : start + CK_GROUP_PANELS;
            float group_total = 0;
            for (int64_t p = start; p < end; p++) {
                const float *a = design + p * k * 8;
                const float *x = counts + (p * n + first) * 8;
                for (int64_t lane = 0; lane < 8; lane++) {
                    const float g = gamma[p * 8 + lane];
                    float row = 0;
                    for (int64_t j = 0; j < width; j++) {
                        float eta = 0;
                        for (int64_t i = 0; i < k; i++) eta += a[i * 8 + lane] * coupling[i * n + first + j];
                        float ll, d;
                        element_f32(emission, x[j * 8 + lane], eta, &ll, &d);
                        row += ll;
                        derivative[j] = g * d;
                    }
                    group_total += g * row;
                    for (int64_t i = 0; i < k; i++) {
                        double *out = gradient + i * n + first;
                        const float ai = a[i * 8 + lane];
                        for (int64_t j = 0; j < width; j++) out[j] += (double)(ai * derivative[j]);
                    }
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
    // Estrin's scheme (three FMA levels instead of seven dependent ones): the element pass is
    // latency-bound, so a shorter chain is worth two extra multiplications.
    const __m256 r2 = _mm256_mul_ps(r, r), r4 = _mm256_mul_ps(r2, r2);
    const __m256 a = _mm256_add_ps(r, _mm256_set1_ps(1.0f));
    const __m256 b = _mm256_fmadd_ps(r, _mm256_set1_ps(1.0f / 6), _mm256_set1_ps(0.5f));
    const __m256 c = _mm256_fmadd_ps(r, _mm256_set1_ps(1.0f / 120), _mm256_set1_ps(1.0f / 24));
    const __m256 d = _mm256_fmadd_ps(r, _mm256_set1_ps(1.0f / 5040), _mm256_set1_ps(1.0f / 720));
    const __m256 p = _mm256_fmadd_ps(_mm256_fmadd_ps(d, r2, c), r4, _mm256_fmadd_ps(b, r2, a));
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

/// ln(1 + e) for e ∈ [0, 1]: 2·atanh(s) with s = e/(2 + e) ∈ [0, 1/3], a series in s² ≤ 1/9 through
/// s¹³ (truncation below 1e−8 relative). No exponent split is needed since 1 + e ∈ [1, 2].
CK_AVX2_F static inline __m256 log1p_unit8(__m256 e) {
    const __m256 s = _mm256_mul_ps(e, recip8(_mm256_add_ps(_mm256_set1_ps(2.0f), e)));
    const __m256 z = _mm256_mul_ps(s, s), z2 = _mm256_mul_ps(z, z), z4 = _mm256_mul_ps(z2, z2);
    // 1/3 + z/5 + … + z⁵/13 by Estrin's scheme (shorter dependency chain than Horner's).
    const __m256 a = _mm256_fmadd_ps(z, _mm256_set1_ps(1.0f / 5), _mm256_set1_ps(1.0f / 3));
    const __m256 b = _mm256_fmadd_ps(z, _mm256_set1_ps(1.0f / 9), _mm256_set1_ps(1.0f / 7));
    const __m256 c = _mm256_fmadd_ps(z, _mm256_set1_ps(1.0f / 13), _mm256_set1_ps(1.0f / 11));
    const __m256 q = _mm256_fmadd_ps(c, z4, _mm256_fmadd_ps(b, z2, a));
    const __m256 two_s = _mm256_add_ps(s, s);
    return _mm256_fmadd_ps(_mm256_mul_ps(two_s, z), q, two_s);
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
        __m256 log_f = _mm256_sub_ps(_mm256_min_ps(eta, zero), log1p_unit8(e));
        __m256 floored = _mm256_cmp_ps(f, floor_rate, _CMP_LT_OQ);
        *d = _mm256_andnot_ps(floored, _mm256_mul_ps(_mm256_sub_ps(x, f), _mm256_sub_ps(one, f)));
        return _mm256_blendv_ps(_mm256_fmsub_ps(x, log_f, f), floor_ll, floored);
    }
    case CK_GLM_POISSON_SOFTPLUS: {
        __m256 e, r;
        __m256 s = logistic8(eta, abs_eta, &e, &r);
        __m256 f = _mm256_add_ps(_mm256_max_ps(eta, zero), log1p_unit8(e));
        __m256 floored = _mm256_cmp_ps(f, floor_rate, _CMP_LT_OQ);
        __m256 safe = _mm256_blendv_ps(f, floor_rate, floored);
        *d = _mm256_andnot_ps(floored, _mm256_mul_ps(_mm256_sub_ps(_mm256_mul_ps(x, recip8(safe)), one), s));
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
        return _mm256_fmsub_ps(x, eta, _mm256_add_ps(_mm256_max_ps(eta, zero), log1p_unit8(e)));
    }
    }
}

/// Drives of `P` (1–2) panels × `J` (1–4) neurons starting at neuron j (2·J independent FMA chains),
/// written to dd (per panel: n vectors, one per neuron).
CK_AVX2_F static inline void drives8(int P, int J, const float *design, int64_t n, int64_t j, const float *coupling, __m256 *dd) {
    const int64_t k = n + 1;
    __m256 eta[2][4];
    for (int p = 0; p < P; p++)
        for (int q = 0; q < J; q++) eta[p][q] = _mm256_setzero_ps();
    const float *c = coupling + j;
    for (int64_t i = 0; i < k; i++) {
        __m256 a[2];
        for (int p = 0; p < P; p++) a[p] = _mm256_loadu_ps(design + (p * k + i) * 8);
        for (int q = 0; q < J; q++) {
            const __m256 w = _mm256_broadcast_ss(c + i * n + q);
            for (int p = 0; p < P; p++) eta[p][q] = _mm256_fmadd_ps(a[p], w, eta[p][q]);
        }
    }
    // The drives wait in dd; the element pass runs over whole panels afterwards (see panel_elements8).
    for (int p = 0; p < P; p++)
        for (int q = 0; q < J; q++) dd[p * n + j + q] = eta[p][q];
}

/// Phase A for P panels: every neuron's drive and element.
CK_AVX2_F static inline void panel_elements8(int emission, int P, const float *design, const float *counts, const float *gamma,
                                             int64_t n, const float *coupling, __m256 *sum, __m256 *dd) {
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) drives8(P, 4, design, n, j, coupling, dd);
    switch (n - j) {
    case 3: drives8(P, 3, design, n, j, coupling, dd); break;
    case 2: drives8(P, 2, design, n, j, coupling, dd); break;
    case 1: drives8(P, 1, design, n, j, coupling, dd); break;
    default: break;
    }
    // Elements one vector at a time: a loop body the compiler keeps in registers (interleaving the
    // 8 elements of a 2 × 4 drive block spilled most of their temporaries).
    for (int p = 0; p < P; p++) {
        const __m256 g = _mm256_loadu_ps(gamma + p * 8);
        __m256 r = _mm256_setzero_ps();
        for (int64_t q = 0; q < n; q++) {
            __m256 d;
            r = _mm256_add_ps(r, element8(emission, _mm256_loadu_ps(counts + (p * n + q) * 8), dd[p * n + q], &d));
            dd[p * n + q] = _mm256_mul_ps(g, d);
        }
        *sum = _mm256_fmadd_ps(g, r, *sum);
    }
}

/// Adds the lane sums of v[0..<J] (float) into out[0..<J] (double).
CK_AVX2_F static inline void add_lane_sums(int J, const __m256 *v, double *out) {
    const __m256 z = _mm256_setzero_ps();
    const __m256 t0 = _mm256_hadd_ps(v[0], J > 1 ? v[1] : z);
    const __m256 t1 = _mm256_hadd_ps(J > 2 ? v[2] : z, J > 3 ? v[3] : z);
    const __m256 t = _mm256_hadd_ps(t0, t1);
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
    const __m256d sd = _mm256_cvtps_pd(s);
    if (J == 4) {
        _mm256_storeu_pd(out, _mm256_add_pd(_mm256_loadu_pd(out), sd));
    } else {
        double lanes[4];
        _mm256_storeu_pd(lanes, sd);
        for (int q = 0; q < J; q++) out[q] += lanes[q];
    }
}

/// Phase B: gradient rows i..<i+I (features) × columns j..<j+J (neurons) of one group of `count`
/// panels, accumulated in registers and added into the double gradient.
CK_AVX2_F static inline void gradient_block8(int I, int J, const float *design, const __m256 *dd, int64_t count, int64_t n,
                                             int64_t i, int64_t j, double *gradient) {
    const int64_t k = n + 1;
    __m256 acc[3][4];
    for (int r = 0; r < I; r++)
        for (int q = 0; q < J; q++) acc[r][q] = _mm256_setzero_ps();
    for (int64_t p = 0; p < count; p++) {
        __m256 a[3];
        for (int r = 0; r < I; r++) a[r] = _mm256_loadu_ps(design + (p * k + i + r) * 8);
        for (int q = 0; q < J; q++) {
            const __m256 d = dd[p * n + j + q];
            for (int r = 0; r < I; r++) acc[r][q] = _mm256_fmadd_ps(a[r], d, acc[r][q]);
        }
    }
    for (int r = 0; r < I; r++) add_lane_sums(J, acc[r], gradient + (i + r) * n + j);
}

#define CK_GRADIENT_BLOCK(I, J) gradient_block8(I, J, design, dd, count, n, i, j, gradient)

CK_AVX2_F static inline void group_gradient8(const float *design, const __m256 *dd, int64_t count, int64_t n, double *gradient) {
    const int64_t k = n + 1;
    for (int64_t i = 0; i < k; i += 3) {
        const int64_t rows = k - i < 3 ? k - i : 3;
        int64_t j = 0;
        for (; j + 4 <= n; j += 4) {
            if (rows == 3) CK_GRADIENT_BLOCK(3, 4);
            else if (rows == 2) CK_GRADIENT_BLOCK(2, 4);
            else CK_GRADIENT_BLOCK(1, 4);
        }
        const int64_t rest = n - j;
        if (rest == 0) continue;
        if (rows == 3) {
            if (rest == 3) CK_GRADIENT_BLOCK(3, 3); else if (rest == 2) CK_GRADIENT_BLOCK(3, 2); else CK_GRADIENT_BLOCK(3, 1);
        } else if (rows == 2) {
            if (rest == 3) CK_GRADIENT_BLOCK(2, 3); else if (rest == 2) CK_GRADIENT_BLOCK(2, 2); else CK_GRADIENT_BLOCK(2, 1);
        } else {
            if (rest == 3) CK_GRADIENT_BLOCK(1, 3); else if (rest == 2) CK_GRADIENT_BLOCK(1, 2); else CK_GRADIENT_BLOCK(1, 1);
        }
    }
}

__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline)) double
panels8(int emission, const float *design, const float *counts, const float *gamma, int64_t panels, int64_t n,
        const float *coupling, double *gradient) {
    const int64_t k = n + 1;
    // γ·∂ℓ/∂η of one group: CK_GROUP_PANELS × n vectors (on the stack up to 32 neurons).
    __m256 stack[CK_GROUP_PANELS * 32];
    __m256 *dd = stack;
    if (n > 32) {
        dd = aligned_alloc(32, (size_t)(CK_GROUP_PANELS * n) * sizeof(__m256));
        if (!dd) return NAN;
    }
    double total = 0;
    for (int64_t first = 0; first < panels; first += CK_GROUP_PANELS) {
        const int64_t count = panels - first < CK_GROUP_PANELS ? panels - first : CK_GROUP_PANELS;
        const float *a = design + first * k * 8, *x = counts + first * n * 8, *g = gamma + first * 8;
        __m256 sum = _mm256_setzero_ps();
        int64_t p = 0;
        for (; p + 2 <= count; p += 2)
            panel_elements8(emission, 2, a + p * k * 8, x + p * n * 8, g + p * 8, n, coupling, &sum, dd + p * n);
        if (p < count) panel_elements8(emission, 1, a + p * k * 8, x + p * n * 8, g + p * 8, n, coupling, &sum, dd + p * n);
        group_gradient8(a, dd, count, n, gradient);
        float lanes[8];
        _mm256_storeu_ps(lanes, sum);
        total += (((double)lanes[0] + lanes[1]) + ((double)lanes[2] + lanes[3])) + (((double)lanes[4] + lanes[5]) + ((double)lanes[6] + lanes[7]));
    }
    if (dd != stack) free(dd);
    return total;
}

__attribute__((target("avx2,fma"))) double ck_glm_panels_f32_avx2(int emission, const float *design, const float *counts, const float *gamma,
                                                                int64_t panels, int64_t n, const float *coupling, double *gradient) {
    switch (emission) {
    case CK_GLM_POISSON_SIGMOID: return panels8(CK_GLM_POISSON_SIGMOID, design, counts, gamma, panels, n, coupling, gradient);
    case CK_GLM_POISSON_SOFTPLUS: return panels8(CK_GLM_POISSON_SOFTPLUS, design, counts, gamma, panels, n, coupling, gradient);
    case CK_GLM_POISSON_EXP: return panels8(CK_GLM_POISSON_EXP, design, counts, gamma, panels, n, coupling, gradient);
    case CK_GLM_BERNOULLI_SIGMOID: return panels8(CK_GLM_BERNOULLI_SIGMOID, design, counts, gamma, panels, n, coupling, gradient);
    default: return NAN;
    }
}
#else
double ck_glm_panels_f32_avx2(int emission, const float *design, const float *counts, const float *gamma,
                              int64_t panels, int64_t n, const float *coupling, double *gradient) {
    return ck_glm_panels_f32_generic(emission, design, counts, gamma, panels, n, coupling, gradient);
}
#endif

double ck_glm_panels_f32(int emission, const float *design, const float *counts, const float *gamma,
                         int64_t panels, int64_t n, const float *coupling, double *gradient) {
    if (ck_cpu_has_avx2_fma())
        return ck_glm_panels_f32_avx2(emission, design, counts, gamma, panels, n, coupling, gradient);
    return ck_glm_panels_f32_generic(emission, design, counts, gamma, panels, n, coupling, gradient);
}
