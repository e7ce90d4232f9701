#ifndef CK_CP_H
#define CK_CP_H

/// The two passes over a 3-way tensor that each non-negative CP (NTF) iteration needs, on its
/// (T·W) × P unfolding X (row = t·W + w, row-major, pairs fastest). Used by Models' CPEngine.
///
/// - `ck_cp_xc_*`:  Y = X · C for a block of rows (the shared half of the time and animal MTTKRPs);
/// - `ck_cp_xtk_*`: Mᵀ = (Xᵀ · (A ⊙ B))ᵀ for a stripe of pairs (the pair-mode MTTKRP), each
///   Khatri–Rao row A[t] ∘ B[w] made on the fly (never stored).
///
/// `use_avx2` selects the AVX2/FMA kernels (only honoured when `ck_cpu_has_avx2_fma()`); 0 runs the
/// portable C path. Both paths give results that do not depend on how the caller splits the work:
/// every Y row is one fixed-order reduction over pairs, and every Mᵀ entry one fixed-order sum over
/// rows, so splitting rows (Y) or pairs (Mᵀ) over threads never changes a bit.
///
/// Single precision (`_f32`): the tensor and C (or A ∘ B) are Float, products are summed in Float over
/// short runs (128 pairs for Y, 32 rows for Mᵀ) and the runs in Double, so rounding stays at a few
/// Float ulps of a run instead of growing with P or T·W. Outputs are always Double.

/// y[row·cols + c] = Σ_p x[row·pairs + p] · ct[c·pairs + p] for row in [row_begin, row_end).
/// ct is C transposed (cols × pairs); `cols` must be a multiple of 4 (pad C with zero columns).
void ck_cp_xc_f64(const double *x, long pairs, const double *ct, long cols, double *y,
                  long row_begin, long row_end, int use_avx2);
void ck_cp_xc_f32(const float *x, long pairs, const float *ct, long cols, double *y,
                  long row_begin, long row_end, int use_avx2);
/// As ck_cp_xc_f32 over the stripe of pairs [p_begin, p_end) only (x and ct keep their full row
/// length `pairs`). With `accumulate` the stripe's complete sum is added to y (y += s), otherwise
/// stored; so adding stripes one after another in a fixed order gives the same bits however the
/// stripes were shared out. ck_cp_xc_f32 is the stripe [0, pairs) stored.
void ck_cp_xc_f32_stripe(const float *x, long pairs, const float *ct, long cols, double *y,
                         long row_begin, long row_end, long p_begin, long p_end, int accumulate, int use_avx2);

/// mt[c·pairs + p] = Σ_row x[row·pairs + p] · a[t·cols + c] · b[w·cols + c], row = t·animals + w,
/// over all rows = times·animals, for p in [p_begin, p_end) (mt is cols × pairs; entries outside
/// the stripe are not touched). a is times × cols, b is animals × cols (row-major).
/// The f32 version needs `scratch` with room for cols · (p_end − p_begin) floats.
void ck_cp_xtk_f64(const double *x, long times, long animals, long pairs, const double *a, const double *b,
                   long cols, double *mt, long p_begin, long p_end, int use_avx2);
void ck_cp_xtk_f32(const float *x, long times, long animals, long pairs, const double *a, const double *b,
                   long cols, double *mt, float *scratch, long p_begin, long p_end, int use_avx2);

#endif
