#ifndef CK_NN_MATH_H
#define CK_NN_MATH_H

// Private helpers of the nn_*.c kernels: exp and the normal CDF/density, scalar (portable) and
// 8-lane AVX2/FMA. Same range reduction and polynomials as NeuralNet's FastMath (minimax fits made
// for that file): exp ≤ 2 ulp on [−87.3, 88.3] (0 below), Φ relative error ≤ 5e-7 for all x.

#include <stdint.h>
#include <string.h>

#define CK_LOG2E 1.44269504088896341f
#define CK_LN2_HIGH 0.693145751953125f
#define CK_LN2_LOW 1.42860676533018704e-06f
#define CK_ROUNDING_MAGIC 12582912.0f
#define CK_EXP_LOWEST (-87.33654f)
#define CK_EXP_HIGHEST 88.37626f

static inline uint32_t ck_bits(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static inline float ck_float(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }

/// e^(high + low) for high + low ≤ 0 (or NaN): `high` carries the bulk exactly, `low` is small.
static inline float ck_exp_nonpositive(float high, float low) {
    float x = high + low;
    float clamped = x > CK_EXP_LOWEST ? x : CK_EXP_LOWEST;
    if (x != x) clamped = x;
    float shifted = clamped * CK_LOG2E + CK_ROUNDING_MAGIC;
    float n = shifted - CK_ROUNDING_MAGIC;
    int32_t exponent = (int32_t)ck_bits(shifted) - (int32_t)ck_bits(CK_ROUNDING_MAGIC);
    float r = ((high - n * CK_LN2_HIGH) + low) - n * CK_LN2_LOW;
    float scale = ck_float((uint32_t)(exponent + 127) << 23);
    float q = 0.00138146110008887f;
    q = q * r + 0.00836871003530622f;
    q = q * r + 0.04166838740855007f;
    q = q * r + 0.16666520687563116f;
    q = q * r + 0.4999999345147263f;
    float y = (1 + r + r * r * q) * scale;
    return x < CK_EXP_LOWEST ? 0 : y;
}

/// Φ(x) and φ(x) through erfc (see FastMath.normalCDFAndDensity).
static inline void ck_normal_cdf_density(float x, float *cdf, float *density) {
    float ax = x < 0 ? -x : x;
    if (ax > 14) ax = 14;
    if (x != x) ax = x;
    float z = ax * 0.707106781186547524f;
    float t = 2 / (2 + z);
    float v = 2 * t - 1;
    float q = -2.3073912363805182e-04f;
    q = q * v + 3.7733832954579827e-04f;
    q = q * v + 1.4895278289895758e-03f;
    q = q * v + -3.2186480035444470e-03f;
    q = q * v + -1.0741788818695697e-02f;
    q = q * v + 1.8217593169796778e-02f;
    q = q * v + 1.3973481561518256e-01f;
    q = q * v + 3.4358048666369850e-01f;
    q = q * v + 5.1079137145342712e-01f;
    float high = ck_float(ck_bits(ax) & 0xFFFFF000u);
    float low = ax - high;
    float gauss = ck_exp_nonpositive(-0.5f * high * high, -0.5f * (high + ax) * low);
    float half_erfc = 0.5f * t * gauss * q;
    *cdf = x > 0 ? 1 - half_erfc : half_erfc;
    *density = 0.398942280401432678f * gauss;
}

#if defined(__x86_64__) || defined(__i386__)
#define CK_HAVE_AVX2 1
#include <immintrin.h>
#define CK_AVX2 __attribute__((target("avx2,fma")))

/// Lane mask of the first `count` (0…8) lanes, for maskload/maskstore of a row's tail.
CK_AVX2 static inline __m256i ck_tail_mask(long count) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), lanes);
}

CK_AVX2 static inline __m256 ck_exp_nonpositive8(__m256 high, __m256 low) {
    const __m256 lowest = _mm256_set1_ps(CK_EXP_LOWEST), magic = _mm256_set1_ps(CK_ROUNDING_MAGIC);
    __m256 x = _mm256_add_ps(high, low);
    __m256 clamped = _mm256_max_ps(x, lowest);  // NaN x gives `lowest` here; NaN still flows through r below
    __m256 shifted = _mm256_fmadd_ps(clamped, _mm256_set1_ps(CK_LOG2E), magic);
    __m256 n = _mm256_sub_ps(shifted, magic);
    __m256i exponent = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_castps_si256(magic));
    __m256 r = _mm256_add_ps(_mm256_fnmadd_ps(n, _mm256_set1_ps(CK_LN2_HIGH), high), low);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(CK_LN2_LOW), r);
    __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(exponent, _mm256_set1_epi32(127)), 23));
    __m256 q = _mm256_set1_ps(0.00138146110008887f);
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(0.00836871003530622f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(0.04166838740855007f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(0.16666520687563116f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(0.4999999345147263f));
    __m256 p = _mm256_add_ps(_mm256_fmadd_ps(_mm256_mul_ps(r, r), q, r), _mm256_set1_ps(1));
    __m256 y = _mm256_mul_ps(p, scale);
    // Below the lowest argument the result is 0; a NaN argument stays NaN (the compare is false for NaN).
    y = _mm256_andnot_ps(_mm256_cmp_ps(x, lowest, _CMP_LT_OQ), y);
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

CK_AVX2 static inline void ck_normal_cdf_density8(__m256 x, __m256 *cdf, __m256 *density) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 ax = _mm256_min_ps(_mm256_andnot_ps(sign, x), _mm256_set1_ps(14));  // NaN → 14; fixed below
    __m256 z = _mm256_mul_ps(ax, _mm256_set1_ps(0.707106781186547524f));
    __m256 t = _mm256_div_ps(_mm256_set1_ps(2), _mm256_add_ps(_mm256_set1_ps(2), z));
    __m256 v = _mm256_fmsub_ps(_mm256_set1_ps(2), t, _mm256_set1_ps(1));
    __m256 q = _mm256_set1_ps(-2.3073912363805182e-04f);
    q = _mm256_fmadd_ps(q, v, _mm256_set1_ps(3.7733832954579827e-04f));
    q = _mm256_fmadd_ps(q, v, _mm256_set1_ps(1.4895278289895758e-03f));
    q = _mm256_fmadd_ps(q, v, _mm256_set1_ps(-3.2186480035444470e-03f));
    q = _mm256_fmadd_ps(q, v, _mm256_set1_ps(-1.0741788818695697e-02f));
    q = _mm256_fmadd_ps(q, v, _mm256_set1_ps(1.8217593169796778e-02f));
    q = _mm256_fmadd_ps(q, v, _mm256_set1_ps(1.3973481561518256e-01f));
    q = _mm256_fmadd_ps(q, v, _mm256_set1_ps(3.4358048666369850e-01f));
    q = _mm256_fmadd_ps(q, v, _mm256_set1_ps(5.1079137145342712e-01f));
    __m256 high = _mm256_and_ps(ax, _mm256_castsi256_ps(_mm256_set1_epi32((int)0xFFFFF000u)));
    __m256 low = _mm256_sub_ps(ax, high);
    __m256 minusHalf = _mm256_set1_ps(-0.5f);
    __m256 gauss = ck_exp_nonpositive8(_mm256_mul_ps(_mm256_mul_ps(minusHalf, high), high),
                                       _mm256_mul_ps(_mm256_mul_ps(minusHalf, _mm256_add_ps(high, ax)), low));
    __m256 halfErfc = _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), t), gauss), q);
    __m256 positive = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ);
    __m256 c = _mm256_blendv_ps(halfErfc, _mm256_sub_ps(_mm256_set1_ps(1), halfErfc), positive);
    __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
    *cdf = _mm256_blendv_ps(c, x, nan);
    *density = _mm256_blendv_ps(_mm256_mul_ps(_mm256_set1_ps(0.398942280401432678f), gauss), x, nan);
}

/// Sum of the 8 lanes in a fixed order ((0+4)+(2+6)) + ((1+5)+(3+7)).
CK_AVX2 static inline float ck_hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

CK_AVX2 static inline float ck_hmax8(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}
#else
#define CK_HAVE_AVX2 0
#endif

#endif
