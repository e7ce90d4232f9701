import CKernels
import Testing
@testable import Models

/// The C MTTKRP kernels (`ck_cp_*`, portable and AVX2/FMA paths) against the Swift reference
/// kernels (`CPKernels`), their independence from the thread split, and the fit-level consequences.
@Suite struct CPKernelTests {
    typealias D4 = SIMD4<Double>
    typealias F4 = SIMD4<Float>

    /// Row-major rows × r → rows × ⌈r/4⌉ zero-padded SIMD4 chunks (the Swift kernels' layout).
    static func padded(_ u: [Double], rows: Int, rank r: Int) -> [D4] {
        let ch = (r + 3) / 4
        var out = [D4](repeating: D4(), count: rows * ch)
        for i in 0..<rows { for q in 0..<r { out[i * ch + q / 4][q % 4] = u[i * r + q] } }
        return out
    }

    struct Case {
        let times: Int, animals: Int, pairs: Int, rank: Int
        var x: [Double] = [], a: [Double] = [], b: [Double] = [], c: [Double] = []
        init(times: Int, animals: Int, pairs: Int, rank: Int, seed: UInt64) {
            (self.times, self.animals, self.pairs, self.rank) = (times, animals, pairs, rank)
            var rng = SeededGenerator(seed: seed)
            x = (0..<(times * animals * pairs)).map { _ in rng.nextUnitInterval() }
            a = (0..<(times * rank)).map { _ in rng.nextUnitInterval() }
            b = (0..<(animals * rank)).map { _ in rng.nextUnitInterval() }
            c = (0..<(pairs * rank)).map { _ in rng.nextUnitInterval() }
        }
        var rows: Int { times * animals }
        var cols: Int { (rank + 3) / 4 * 4 }
        /// Cᵀ padded to `cols` rows.
        var ct: [Double] {
            var out = [Double](repeating: 0, count: cols * pairs)
            for i in 0..<pairs { for q in 0..<rank { out[q * pairs + i] = c[i * rank + q] } }
            return out
        }

        /// Y (rows × rank) and Mᵀ (rank × pairs) from the Swift reference kernels, in Double.
        func reference() -> (y: [Double], mt: [Double]) {
            let ch = (rank + 3) / 4
            let cp = CPKernelTests.padded(c, rows: pairs, rank: rank)
            let ap = CPKernelTests.padded(a, rows: times, rank: rank), bp = CPKernelTests.padded(b, rows: animals, rank: rank)
            var yp = [D4](repeating: D4(), count: rows * ch), mp = [D4](repeating: D4(), count: pairs * ch)
            x.withUnsafeBufferPointer { xb in
                CPKernels.rowsTimesFactor(x: xb.baseAddress!, pairs: pairs, c: cp, chunks: ch, y: &yp, rows: 0..<rows)
                CPKernels.transposeTimesKhatriRao(
                    x: xb.baseAddress!, pairs: pairs, animals: animals, a: ap, b: bp, chunks: ch, m: &mp, rows: 0..<rows)
            }
            var y = [Double](repeating: 0, count: rows * rank), mt = [Double](repeating: 0, count: rank * pairs)
            for i in 0..<rows { for q in 0..<rank { y[i * rank + q] = yp[i * ch + q / 4][q % 4] } }
            for p in 0..<pairs { for q in 0..<rank { mt[q * pairs + p] = mp[p * ch + q / 4][q % 4] } }
            return (y, mt)
        }

        /// Y (rows × cols) and Mᵀ from the C kernels, rows/pairs split into `parts` calls.
        func kernels(single: Bool, avx2: Bool, parts: Int) -> (y: [Double], mt: [Double]) {
            var y = [Double](repeating: .nan, count: rows * cols), mt = [Double](repeating: .nan, count: rank * pairs)
            let ctd = ct
            let xs = x.map { Float($0) }, cts = ctd.map { Float($0) }
            var scratch = [Float](repeating: 0, count: rank * pairs)
            let use: Int32 = avx2 ? 1 : 0
            for range in CPEngine.split(rows, parts: parts, multiple: 1) {
                if single {
                    ck_cp_xc_f32(xs, pairs, cts, cols, &y, range.lowerBound, range.upperBound, use)
                } else {
                    ck_cp_xc_f64(x, pairs, ctd, cols, &y, range.lowerBound, range.upperBound, use)
                }
            }
            for range in CPEngine.split(pairs, parts: parts, multiple: 1) {
                if single {
                    scratch.withUnsafeMutableBufferPointer { s in
                        ck_cp_xtk_f32(
                            xs, times, animals, pairs, a, b, rank, &mt, s.baseAddress! + rank * range.lowerBound,
                            range.lowerBound, range.upperBound, use)
                    }
                } else {
                    ck_cp_xtk_f64(x, times, animals, pairs, a, b, rank, &mt, range.lowerBound, range.upperBound, use)
                }
            }
            var yr = [Double](repeating: 0, count: rows * rank)
            for i in 0..<rows { for q in 0..<rank { yr[i * rank + q] = y[i * cols + q] } }
            // Padding columns of Y are zero (Cᵀ's padded rows are zero).
            for i in 0..<rows { for q in rank..<cols { #expect(y[i * cols + q] == 0) } }
            return (yr, mt)
        }
    }

    /// Awkward sizes: rows odd, pairs not a multiple of 8, rank 1, 4, 5 and 18 (two column blocks of
    /// the Mᵀ kernel); rank 4 at the benchmark's pair count.
    static let cases: [(Int, Int, Int, Int)] = [(5, 3, 13, 1), (7, 3, 37, 4), (6, 5, 45, 5), (4, 3, 21, 18), (9, 8, 780, 4)]

    /// Both C paths equal the Swift reference: Float64 to 1e-13 relative (only the summation order
    /// and FMA rounding differ), Float32 to 1e-6 (Float products summed in short runs).
    @Test(arguments: cases)
    func kernelsMatchSwiftReference(_ shape: (Int, Int, Int, Int)) {
        let c = Case(times: shape.0, animals: shape.1, pairs: shape.2, rank: shape.3, seed: UInt64(shape.2))
        let ref = c.reference()
        for single in [false, true] {
            for avx2 in [false, true] {
                let got = c.kernels(single: single, avx2: avx2, parts: 1)
                let tolerance = single ? 1e-6 : 1e-13
                let yErr = zip(got.y, ref.y).map { abs($0 - $1) / abs($1) }.max()!
                let mErr = zip(got.mt, ref.mt).map { abs($0 - $1) / abs($1) }.max()!
                #expect(yErr <= tolerance, "Y single=\(single) avx2=\(avx2): \(yErr)")
                #expect(mErr <= tolerance, "M single=\(single) avx2=\(avx2): \(mErr)")
                // Float32 is not exact: the test would notice a kernel that secretly read Doubles.
                if single { #expect(yErr > 0 || mErr > 0) }
            }
        }
    }

    /// Splitting rows (Y) or pairs (Mᵀ) into 1, 2, 3 or 7 calls never changes a bit, on both paths.
    @Test func resultsDoNotDependOnTheSplit() {
        let c = Case(times: 11, animals: 3, pairs: 101, rank: 5, seed: 3)
        for single in [false, true] {
            for avx2 in [false, true] {
                let one = c.kernels(single: single, avx2: avx2, parts: 1)
                for parts in [2, 3, 7] {
                    let split = c.kernels(single: single, avx2: avx2, parts: parts)
                    #expect(split.y == one.y && split.mt == one.mt, "single=\(single) avx2=\(avx2) parts=\(parts)")
                }
            }
        }
    }

    /// Whole fits: 1, 2 and 3 workers give identical traces and factors (default Float32 +
    /// extrapolation, and plain Float64); the portable path reaches the AVX2 path's error.
    @Test func fitsAreIdenticalForAnyThreadCount() throws {
        let planted = try PlantedNTF(neurons: 24, animals: 4, bins: 60, rank: 3, groupSize: 6, noise: 0.05, seed: 5)
        let t = planted.tensor  // 60 × 4 × 276 = 66,240 entries: above the threading threshold
        #expect(t.count >= 1 << 16)
        for (precision, extrapolation, fused) in [(NonNegativeCP.Precision.single, true, false), (.single, true, true), (.double, false, false)] {
            let fits = try [1, 2, 3].map { threads in
                try NonNegativeCP(
                    rank: 3, maxIterations: 20, tolerance: 0, precision: precision, threads: threads, extrapolation: extrapolation,
                    fusePairStep: fused
                ).fit(t, seed: 2)
            }
            #expect(fits[1] == fits[0] && fits[2] == fits[0])
        }
        let model = try NonNegativeCP(rank: 3, maxIterations: 300, tolerance: 1e-9, precision: .double, threads: 1, extrapolation: false)
        var rng = SeededGenerator(seed: 2)
        let factors = model.initialFactors(t, &rng)
        var errors: [Double] = []
        for avx2 in [false, true] {
            let engine = CPEngine(tensor: t, factors: factors, rank: 3, useAVX2: avx2)
            var solver = HALSSolver(engine: engine, sweeps: 3)
            var sse = 0.0
            for _ in 0..<40 { sse = solver.iterate() }
            errors.append(engine.relativeError(sse))
        }
        #expect(abs(errors[0] - errors[1]) < 1e-9)
    }

    /// Default fit (Float32, extrapolation): the trace never increases, the fit returns the accepted
    /// iterate (its reported error is the error of the returned factors against the Float-rounded
    /// tensor, to the 1e-4 relative accuracy of the Float SSE identity), converges, and reaches the
    /// plain Float64 HALS error.
    @Test func defaultFitReturnsTheAcceptedIterate() throws {
        let planted = try PlantedNTF(neurons: 16, animals: 4, bins: 60, rank: 3, groupSize: 6, noise: 0.05, seed: 11)
        let t = planted.tensor
        let fit = try NonNegativeCP(rank: 3, maxIterations: 400, tolerance: 1e-10).fit(t, seed: 4)
        for k in 1..<fit.errorTrace.count { #expect(fit.errorTrace[k] <= fit.errorTrace[k - 1]) }
        let full = fit.factors.full()
        var sse = 0.0
        for i in 0..<t.count { let d = Double(Float(t.values[i])) - full[i]; sse += d * d }
        let norm = t.values.reduce(0) { $0 + Double(Float($1)) * Double(Float($1)) }
        #expect(abs((sse / norm).squareRoot() - fit.relativeError) < 1e-4 * fit.relativeError)
        let plain = try NonNegativeCP(rank: 3, maxIterations: 400, tolerance: 1e-10, precision: .double, extrapolation: false)
            .fit(t, seed: 4)
        #expect(abs(fit.relativeError - plain.relativeError) < 1e-5)
        #expect(fit.converged)
    }
}
