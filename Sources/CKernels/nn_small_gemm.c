// A small-matrix sgemm for attention's per-head products (128×128×32, 128×32×128, ...), where a BLAS
// call's fixed costs (argument checks, buffer set-up, packing both operands) are a large share of the
// ~1 MFLOP each call computes. Row-major C = alpha·op(A)·op(B) + beta·C. Only B is packed, one panel of
// 16 columns at a time (k×16 floats, zero-padded), into a stack buffer that stays in L1; A is read in
// place through its two strides (so a transposed A costs nothing), and a 6×16 register tile of FMA
// accumulators sweeps the rows. Every element of C is one dot product summed over k in order, so the
// result does not depend on how callers split the products over threads.
#include <string.h>
#include "ck_nn.h"
#include "ck_cpu.h"
#include "nn_math.h"

void ck_nn_sgemm_small_generic(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a,
                               long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j++) {
            float sum = 0;
            for (long p = 0; p < k; p++) {
                float av = trans_a ? a[p * lda + i] : a[i * lda + p];
                float bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];
                sum += av * bv;
            }
            float *dst = c + i * ldc + j;
            *dst = beta == 0 ? alpha * sum : alpha * sum + beta * *dst;
        }
    }
}

#if CK_HAVE_AVX2
/// mr (1…6) rows × 16 columns of C from the packed panel `p` (k rows of 16) and A rows at `a`
/// (element (r, q) at a[r·sr + q·sq]); `mask` selects the valid columns of the last panel.
__attribute__((target("avx2,fma"), always_inline)) static inline void tile(
    int mr, long k, const float *a, long sr, long sq, const float *p, float alpha, float beta, float *c, long ldc,
    int full, __m256i mask0, __m256i mask1) {
    __m256 acc[6][2];
    for (int r = 0; r < mr; r++) { acc[r][0] = _mm256_setzero_ps(); acc[r][1] = _mm256_setzero_ps(); }
    for (long q = 0; q < k; q++) {
        const __m256 b0 = _mm256_load_ps(p + q * 16), b1 = _mm256_load_ps(p + q * 16 + 8);
        for (int r = 0; r < mr; r++) {
            const __m256 av = _mm256_broadcast_ss(a + r * sr + q * sq);
            acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
        }
    }
    const __m256 al = _mm256_set1_ps(alpha), be = _mm256_set1_ps(beta);
    for (int r = 0; r < mr; r++) {
        float *dst = c + r * ldc;
        __m256 v0 = _mm256_mul_ps(al, acc[r][0]), v1 = _mm256_mul_ps(al, acc[r][1]);
        if (full) {
            if (beta != 0) {
                v0 = _mm256_fmadd_ps(be, _mm256_loadu_ps(dst), v0);
                v1 = _mm256_fmadd_ps(be, _mm256_loadu_ps(dst + 8), v1);
            }
            _mm256_storeu_ps(dst, v0);
            _mm256_storeu_ps(dst + 8, v1);
        } else {
            if (beta != 0) {
                v0 = _mm256_fmadd_ps(be, _mm256_maskload_ps(dst, mask0), v0);
                v1 = _mm256_fmadd_ps(be, _mm256_maskload_ps(dst + 8, mask1), v1);
            }
            _mm256_maskstore_ps(dst, mask0, v0);
            _mm256_maskstore_ps(dst + 8, mask1, v1);
        }
    }
}

#define CK_SMALL_GEMM_MAX_K 512

CK_AVX2 void ck_nn_sgemm_small_avx2(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a,
                                    long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    if (k > CK_SMALL_GEMM_MAX_K || k <= 0) {
        ck_nn_sgemm_small_generic(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    _Alignas(32) float panel[CK_SMALL_GEMM_MAX_K * 16];
    const long sr = trans_a ? 1 : lda, sq = trans_a ? lda : 1;
    for (long j = 0; j < n; j += 16) {
        const long width = n - j < 16 ? n - j : 16;
        const int full = width == 16;
        // Pack B(0..<k, j..<j+width) into k rows of 16, zero-padded.
        if (trans_b) {
            if (!full) memset(panel, 0, (size_t)k * 16 * sizeof(float));
            for (long jj = 0; jj < width; jj++) {
                const float *src = b + (j + jj) * ldb;
                for (long q = 0; q < k; q++) panel[q * 16 + jj] = src[q];
            }
        } else if (full) {
            for (long q = 0; q < k; q++) {
                _mm256_store_ps(panel + q * 16, _mm256_loadu_ps(b + q * ldb + j));
                _mm256_store_ps(panel + q * 16 + 8, _mm256_loadu_ps(b + q * ldb + j + 8));
            }
        } else {
            for (long q = 0; q < k; q++) {
                for (long jj = 0; jj < 16; jj++) panel[q * 16 + jj] = jj < width ? b[q * ldb + j + jj] : 0;
            }
        }
        const __m256i mask0 = ck_tail_mask(width > 8 ? 8 : width), mask1 = ck_tail_mask(width > 8 ? width - 8 : 0);
        long i = 0;
        for (; i + 6 <= m; i += 6) tile(6, k, a + i * sr, sr, sq, panel, alpha, beta, c + i * ldc + j, ldc, full, mask0, mask1);
        switch (m - i) {
        case 5: tile(5, k, a + i * sr, sr, sq, panel, alpha, beta, c + i * ldc + j, ldc, full, mask0, mask1); break;
        case 4: tile(4, k, a + i * sr, sr, sq, panel, alpha, beta, c + i * ldc + j, ldc, full, mask0, mask1); break;
        case 3: tile(3, k, a + i * sr, sr, sq, panel, alpha, beta, c + i * ldc + j, ldc, full, mask0, mask1); break;
        case 2: tile(2, k, a + i * sr, sr, sq, panel, alpha, beta, c + i * ldc + j, ldc, full, mask0, mask1); break;
        case 1: tile(1, k, a + i * sr, sr, sq, panel, alpha, beta, c + i * ldc + j, ldc, full, mask0, mask1); break;
        default: break;
        }
    }
}
#else
void ck_nn_sgemm_small_avx2(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                            const float *b, long ldb, float beta, float *c, long ldc) {
    ck_nn_sgemm_small_generic(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
#endif
