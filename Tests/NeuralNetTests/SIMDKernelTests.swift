import CKernels
import Foundation
import NeuroCore
import RealModule
import Testing
@testable import NeuralNet

// CKernels' nn kernels: the AVX2/FMA path and the portable C path are each checked against a
// double-precision reference (and so against each other), and the AVX2 path's masked tails are shown
// to give the same bits as its full-width body, which is what keeps training independent of how work
// is cut into chunks and threads.

private let hasAVX2 = CPUFeatures.hasAVX2FMA

/// Deterministic values in [-scale, scale).
private func values(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Float(generator.nextUnitInterval() * 2 - 1) * scale }
}

private func maxRelative(_ a: [Float], _ reference: [Double], floor: Double = 1e-6) -> Double {
    zip(a, reference).reduce(0) { Swift.max($0, Swift.abs(Double($1.0) - $1.1) / Swift.max(Swift.abs($1.1), floor)) }
}

typealias NNGELUKernel = (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void

@Suite struct SIMDKernelTests {
    static var paths: [(String, NNGELUKernel)] {
        [("generic", ck_nn_gelu_generic)] + (hasAVX2 ? [("avx2", ck_nn_gelu_avx2)] : [])
    }

    @Test func geluAndItsSlopeMatchDoublePrecisionOnBothPaths() {
        // 1 003 elements: 125 full vectors and a 3-lane tail.
        let x = values(1_003, seed: 1, scale: 9) + [0, -0.0, 14, -14, 30, -30]
        let reference = x.map { v -> (Double, Double) in
            let d = Double(v), cdf = 0.5 * Double.erfc(-d / 2.0.squareRoot())
            return (d * cdf, cdf + d * Double.exp(-0.5 * d * d) / (2 * Double.pi).squareRoot())
        }
        for (name, kernel) in Self.paths {
            var y = [Float](repeating: .nan, count: x.count), slope = y
            kernel(x, &y, &slope, x.count)
            // Relative to max(|ref|, 1e-3): below that the product x·Φ(x) is tiny and absolute error is what counts.
            #expect(maxRelative(y, reference.map(\.0), floor: 1e-3) < 2e-6, "\(name) GELU")
            // The slope Φ + x·φ crosses 0 near x = −0.75 as the difference of two terms of ~0.23, so its
            // error there is a few ulp of 0.23 (~1e-8), not of the result: relative to max(|ref|, 0.05).
            #expect(maxRelative(slope, reference.map(\.1), floor: 0.05) < 2e-6, "\(name) GELU slope")
            var nan: [Float] = [.nan]
            kernel([Float.nan], &nan, nil, 1)
            #expect(nan[0].isNaN, "\(name) NaN propagates")
        }
    }

    @Test(.enabled(if: hasAVX2, "needs AVX2+FMA"))
    func avx2TailsGiveTheSameBitsAsTheVectorBody() {
        // The same elements computed in one call and in pieces at odd offsets (every element once in a
        // masked tail and once in the full-width body) must agree bit for bit.
        let x = values(203, seed: 2, scale: 6)
        var whole = [Float](repeating: 0, count: x.count), wholeSlope = whole
        ck_nn_gelu_avx2(x, &whole, &wholeSlope, x.count)
        var pieces = [Float](repeating: 0, count: x.count), piecesSlope = pieces
        var start = 0
        for length in [3, 13, 1, 7, 29, 150] {
            x.withUnsafeBufferPointer { xb in
                pieces.withUnsafeMutableBufferPointer { yb in
                    piecesSlope.withUnsafeMutableBufferPointer { sb in
                        ck_nn_gelu_avx2(xb.baseAddress! + start, yb.baseAddress! + start, sb.baseAddress! + start, length)
                    }
                }
            }
            start += length
        }
        #expect(start == x.count)
        #expect(whole.map(\.bitPattern) == pieces.map(\.bitPattern))
        #expect(wholeSlope.map(\.bitPattern) == piecesSlope.map(\.bitPattern))
        // The same holds for the product used by GELU's backward pass (stored and accumulated).
        let g = values(203, seed: 3)
        var product = [Float](repeating: 1, count: x.count), split = product
        ck_nn_mul_avx2(g, x, &product, x.count, 1)
        g.withUnsafeBufferPointer { gb in
            x.withUnsafeBufferPointer { xb in
                split.withUnsafeMutableBufferPointer { sb in
                    ck_nn_mul_avx2(gb.baseAddress!, xb.baseAddress!, sb.baseAddress!, 101, 1)
                    ck_nn_mul_avx2(gb.baseAddress! + 101, xb.baseAddress! + 101, sb.baseAddress! + 101, 102, 1)
                }
            }
        }
        #expect(product.map(\.bitPattern) == split.map(\.bitPattern))
        #expect(product[5] == 1 + g[5] * x[5])
    }

    @Test(arguments: [7, 37, 128])
    func softmaxRowsAndTheirBackwardMatchDoublePrecision(length: Int) {
        let rows = 9
        let x = values(rows * length, seed: 4, scale: 30), g = values(rows * length, seed: 5)
        var y = [Double](), dx = [Double]()
        for r in 0..<rows {
            let row = x[(r * length)..<((r + 1) * length)].map(Double.init)
            let m = row.max()!, e = row.map { Double.exp($0 - m) }, total = e.reduce(0, +)
            let p = e.map { $0 / total }
            let gr = g[(r * length)..<((r + 1) * length)].map(Double.init)
            let dot = zip(gr, p).reduce(0) { $0 + $1.0 * $1.1 }
            y += p
            dx += zip(p, gr).map { $0 * ($1 - dot) }
        }
        var forward: [(String, [Float])] = [], backward: [(String, [Float])] = []
        for avx2 in [false] + (hasAVX2 ? [true] : []) {
            var z = [Float](repeating: 0, count: x.count), d = [Float](repeating: 0.25, count: x.count)
            if avx2 { ck_nn_softmax_rows_avx2(x, &z, rows, length) } else { ck_nn_softmax_rows_generic(x, &z, rows, length) }
            // Backward from the exact probabilities, accumulated onto 0.25 (the accumulate flag).
            let p = y.map(Float.init)
            if avx2 {
                ck_nn_softmax_backward_rows_avx2(p, g, &d, rows, length, 1)
            } else {
                ck_nn_softmax_backward_rows_generic(p, g, &d, rows, length, 1)
            }
            forward.append((avx2 ? "avx2" : "generic", z))
            backward.append((avx2 ? "avx2" : "generic", d.map { $0 - 0.25 }))
        }
        for (name, z) in forward {
            #expect(zip(z, y).allSatisfy { Swift.abs(Double($0) - $1) <= 2e-7 + 2e-6 * $1 }, "\(name) softmax, n = \(length)")
        }
        for (name, d) in backward {
            #expect(zip(d, dx).allSatisfy { Swift.abs(Double($0) - $1) <= 2e-7 }, "\(name) softmax backward, n = \(length)")
        }
    }

    @Test(arguments: [13, 128])
    func layerNormForwardAndBackwardMatchDoublePrecision(width d: Int) {
        let rows = 11
        let x = values(rows * d, seed: 6, scale: 3).enumerated().map { $1 + Float($0 % 5) }  // non-zero means
        let w = values(d, seed: 7).map { 1 + $0 / 2 }, b = values(d, seed: 8), g = values(rows * d, seed: 9)
        var yRef = [Double](), gxRef = [Double](), swRef = [Double](repeating: 0, count: d), sbRef = swRef
        for r in 0..<rows {
            let row = x[(r * d)..<((r + 1) * d)].map(Double.init), gr = g[(r * d)..<((r + 1) * d)].map(Double.init)
            let mu = row.reduce(0, +) / Double(d)
            let rstd = 1 / (row.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(d) + 1e-5).squareRoot()
            let xh = row.map { ($0 - mu) * rstd }
            yRef += (0..<d).map { xh[$0] * Double(w[$0]) + Double(b[$0]) }
            let gh = (0..<d).map { gr[$0] * Double(w[$0]) }
            let meanG = gh.reduce(0, +) / Double(d)
            let meanGX = zip(gh, xh).reduce(0) { $0 + $1.0 * $1.1 } / Double(d)
            gxRef += (0..<d).map { rstd * (gh[$0] - meanG - xh[$0] * meanGX) }
            for j in 0..<d { swRef[j] += gr[j] * xh[j]; sbRef[j] += gr[j] }
        }
        for avx2 in [false] + (hasAVX2 ? [true] : []) {
            var y = [Float](repeating: 0, count: x.count), mean = [Float](repeating: 0, count: rows), rstd = mean
            var gx = [Float](repeating: 0, count: x.count), sw = [Float](repeating: 0, count: d), sb = sw
            if avx2 {
                ck_nn_layernorm_forward_avx2(x, &y, w, b, &mean, &rstd, rows, d, 1e-5)
                ck_nn_layernorm_backward_avx2(x, g, w, mean, rstd, &gx, &sw, &sb, rows, d, 0)
            } else {
                ck_nn_layernorm_forward_generic(x, &y, w, b, &mean, &rstd, rows, d, 1e-5)
                ck_nn_layernorm_backward_generic(x, g, w, mean, rstd, &gx, &sw, &sb, rows, d, 0)
            }
            let name = avx2 ? "avx2" : "generic"
            #expect(zip(y, yRef).allSatisfy { Swift.abs(Double($0) - $1) < 2e-5 }, "\(name) LayerNorm forward, d = \(d)")
            #expect(zip(gx, gxRef).allSatisfy { Swift.abs(Double($0) - $1) < 2e-5 }, "\(name) LayerNorm dx, d = \(d)")
            #expect(zip(sw, swRef).allSatisfy { Swift.abs(Double($0) - $1) < 1e-4 }, "\(name) LayerNorm dweight, d = \(d)")
            #expect(zip(sb, sbRef).allSatisfy { Swift.abs(Double($0) - $1) < 1e-5 }, "\(name) LayerNorm dbias, d = \(d)")
        }
    }

    @Test func adamUpdateMatchesTheDoublePrecisionRule() {
        let n = 45
        let g = values(n, seed: 10), p0 = values(n, seed: 11)
        let (b1, b2, l2, shrink, step, isc2, eps): (Float, Float, Float, Float, Float, Float, Float) =
            (0.9, 0.999, 0.01, 0.999, 1e-2, 1 / Float(0.001).squareRoot(), 1e-8)
        for avx2 in [false] + (hasAVX2 ? [true] : []) {
            var p = p0, m = [Float](repeating: 0.1, count: n), v = [Float](repeating: 0.2, count: n)
            if avx2 {
                ck_nn_adam_avx2(&p, g, &m, &v, n, b1, b2, l2, shrink, step, isc2, eps)
            } else {
                ck_nn_adam_generic(&p, g, &m, &v, n, b1, b2, l2, shrink, step, isc2, eps)
            }
            for i in 0..<n {
                let gi = Double(g[i]) + Double(l2) * Double(p0[i])
                let mi = 0.9 * 0.1 + 0.1 * gi, vi = 0.999 * 0.2 + 0.001 * gi * gi
                let pi = Double(p0[i]) * Double(shrink) - Double(step) * mi / (vi.squareRoot() * Double(isc2) + Double(eps))
                #expect(Swift.abs(Double(m[i]) - mi) < 1e-7 && Swift.abs(Double(v[i]) - vi) < 1e-7)
                #expect(Swift.abs(Double(p[i]) - pi) < 2e-6, "\(avx2 ? "avx2" : "generic") Adam p[\(i)]")
            }
        }
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func smallGemmMatchesDoublePrecision(transA: Bool, transB: Bool) {
        // Shapes with row and column tails (m % 6, n % 16 ≠ 0), padded leading dimensions, beta 0 and 0.5.
        for (m, n, k) in [(128, 32, 128), (13, 37, 29), (1, 5, 3), (7, 16, 40), (3, 17, 600)] {  // k 600: generic fallback
            let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 5
            let a = values((transA ? k : m) * lda, seed: 12), b = values((transB ? n : k) * ldb, seed: 13)
            let c0 = values(m * ldc, seed: 14)
            for beta: Float in [0, 0.5] {
                var reference = [Double](repeating: 0, count: m * ldc)
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = 0.0
                        for q in 0..<k {
                            sum += Double(transA ? a[q * lda + i] : a[i * lda + q]) * Double(transB ? b[j * ldb + q] : b[q * ldb + j])
                        }
                        reference[i * ldc + j] = 0.75 * sum + Double(beta) * Double(c0[i * ldc + j])
                    }
                    for j in n..<ldc { reference[i * ldc + j] = Double(c0[i * ldc + j]) }  // padding untouched
                }
                for avx2 in [false] + (hasAVX2 ? [true] : []) {
                    var c = c0
                    let kernel = avx2 ? ck_nn_sgemm_small_avx2 : ck_nn_sgemm_small_generic
                    kernel(transA ? 1 : 0, transB ? 1 : 0, m, n, k, 0.75, a, lda, b, ldb, beta, &c, ldc)
                    let worst = zip(c, reference).reduce(0.0) { Swift.max($0, Swift.abs(Double($1.0) - $1.1)) }
                    #expect(worst < 1e-5 * Double(k), "\(avx2 ? "avx2" : "generic") \(m)×\(n)×\(k) beta \(beta): \(worst)")
                }
            }
        }
    }
}
