import CKernels
import Foundation
@testable import Models
import Testing

/// The fused M-step kernel (CKernels/glm_block.c): its AVX2 and portable versions against each other,
/// and both against the Swift GEMM / element / GEMM pipeline through the whole M-step loss.
@Suite struct StateGLMKernelTests {
    /// A random block: rows × (n + 1) design (last column 1), counts, posterior weights, coupling with
    /// some strong entries so that saturated and floored drives occur.
    static func block(rows: Int, n: Int, bernoulli: Bool, seed: UInt64) -> (design: [Double], counts: [Double], gamma: [Double], coupling: [Double]) {
        var rng = SeededGenerator(seed: seed)
        let k = n + 1
        let design = (0..<(rows * k)).map { $0 % k == n ? 1 : 2 * rng.nextUnitInterval() }
        let counts = (0..<(rows * n)).map { _ in bernoulli ? (rng.bernoulli(probability: 0.3) ? 1.0 : 0.0) : Double(rng.poisson(mean: 0.7)) }
        let gamma = (0..<rows).map { _ in rng.nextUnitInterval() }
        let coupling = (0..<(k * n)).map { i in (rng.nextUnitInterval() - 0.5) * (i % 7 == 0 ? 30 : 3) }
        return (design, counts, gamma, coupling)
    }

    /// Every emission the kernel covers, neuron counts with and without a partial AVX2 vector, and row
    /// counts with and without a partial group of four: AVX2 and portable C agree to rounding.
    @Test(.enabled(if: CPUFeatures.hasAVX2FMA, "needs AVX2 + FMA"), arguments: [
        CK_GLM_POISSON_SIGMOID, CK_GLM_POISSON_SOFTPLUS, CK_GLM_POISSON_EXP, CK_GLM_BERNOULLI_SIGMOID,
    ])
    func avx2AgreesWithPortableC(emission: Int32) {
        for (rows, n) in [(1, 1), (7, 3), (33, 4), (50, 13), (64, 20), (9, 23)] {
            let b = Self.block(rows: rows, n: n, bernoulli: emission == CK_GLM_BERNOULLI_SIGMOID, seed: UInt64(rows * 100 + n))
            var g1 = [Double](repeating: 0.5, count: (n + 1) * n), g2 = g1
            let v1 = ck_glm_block_generic(emission, b.design, b.counts, b.gamma, Int64(rows), Int64(n), b.coupling, &g1)
            let v2 = ck_glm_block_avx2(emission, b.design, b.counts, b.gamma, Int64(rows), Int64(n), b.coupling, &g2)
            #expect(v1.isFinite && v2.isFinite)
            #expect(abs(v1 - v2) <= 1e-12 * max(1, abs(v1)), "emission \(emission), \(rows)×\(n): \(v1) vs \(v2)")
            let scale = max(1, g1.map { abs($0) }.max()!)
            let gap = zip(g1, g2).map { abs($0 - $1) }.max()!
            #expect(gap <= 1e-12 * scale, "emission \(emission), \(rows)×\(n): gradient gap \(gap) (scale \(scale))")
            // The kernel accumulates into the gradient: the initial 0.5 must still be there.
            #expect(g1.contains { $0 != 0.5 })
        }
    }

    /// Row-major rows × (n + 1) design, rows × n counts and γ in the float kernel's panel layout (8 bins
    /// per panel in the lanes, the last panel zero-padded).
    static func panels(design: [Double], counts: [Double], gamma: [Double], rows: Int, n: Int) -> (design: [Float], counts: [Float], gamma: [Float], panels: Int) {
        let k = n + 1, panels = (rows + 7) / 8
        var a = [Float](repeating: 0, count: panels * 8 * k), x = [Float](repeating: 0, count: panels * 8 * n)
        var g = [Float](repeating: 0, count: panels * 8)
        for r in 0..<rows {
            let p = r / 8, lane = r % 8
            g[r] = Float(gamma[r])
            for i in 0..<k { a[(p * k + i) * 8 + lane] = Float(design[r * k + i]) }
            for j in 0..<n { x[(p * n + j) * 8 + lane] = Float(counts[r * n + j]) }
        }
        return (a, x, g, panels)
    }

    /// The float32 panel kernels: AVX2 against portable C, and both against the double kernel, to float
    /// rounding (the double kernel is the reference here). The sizes cover partial panels, several
    /// accumulation groups (> 16 panels), neuron counts with and without a partial block of 4, feature
    /// counts with and without a partial block of 3, and more than 32 neurons (heap scratch).
    @Test(.enabled(if: CPUFeatures.hasAVX2FMA, "needs AVX2 + FMA"), arguments: [
        CK_GLM_POISSON_SIGMOID, CK_GLM_POISSON_SOFTPLUS, CK_GLM_POISSON_EXP, CK_GLM_BERNOULLI_SIGMOID,
    ])
    func singlePrecisionKernelsAgreeWithDouble(emission: Int32) {
        for (rows, n) in [(1, 1), (7, 3), (70, 8), (130, 13), (64, 20), (300, 20), (9, 37), (41, 2)] {
            // Moderate couplings: with e^{η} at η ≈ 40 a float32 drive is off by ~1e−6 relative and
            // the Poisson-exp terms would differ by far more than float rounding of the sums.
            var b = Self.block(rows: rows, n: n, bernoulli: emission == CK_GLM_BERNOULLI_SIGMOID, seed: UInt64(rows * 31 + n))
            b.coupling = b.coupling.map { max(-6, min(6, $0)) / 2 }
            let p = Self.panels(design: b.design, counts: b.counts, gamma: b.gamma, rows: rows, n: n)
            let coupling32 = b.coupling.map(Float.init)
            // The double kernel on the float-rounded inputs, so only the arithmetic differs.
            let d = (b.design.map { Double(Float($0)) }, b.counts, b.gamma.map { Double(Float($0)) }, coupling32.map(Double.init))
            var g0 = [Double](repeating: 0, count: (n + 1) * n), g1 = g0, g2 = g0
            let v0 = ck_glm_block_generic(emission, d.0, d.1, d.2, Int64(rows), Int64(n), d.3, &g0)
            let v1 = ck_glm_panels_f32_generic(emission, p.design, p.counts, p.gamma, Int64(p.panels), Int64(n), coupling32, &g1)
            let v2 = ck_glm_panels_f32_avx2(emission, p.design, p.counts, p.gamma, Int64(p.panels), Int64(n), coupling32, &g2)
            let scale = max(1, g0.map { abs($0) }.max()!)
            for (label, v, g) in [("generic", v1, g1), ("avx2", v2, g2)] {
                #expect(abs(v - v0) <= 2e-6 * max(1, abs(v0)), "emission \(emission) \(label), \(rows)×\(n): \(v) vs \(v0)")
                let gap = zip(g, g0).map { abs($0 - $1) }.max()!
                #expect(gap <= 2e-6 * scale, "emission \(emission) \(label), \(rows)×\(n): gradient gap \(gap) (scale \(scale))")
            }
        }
    }

    /// The M-step loss and gradient are bit-identical for 1, 2 and 3 M-step workers, in float32 and
    /// float64 and with the portable kernel: the pieces and their reduction order do not depend on the
    /// thread count. The 400-bin sequences put more than one piece (256 bins) into some blocks.
    @Test func mStepIsIndependentOfTheWorkerCount() throws {
        let (model, sequences, gammas) = try StateGLMGradientTests.problem(
            emission: StateGLMEmission(likelihood: .poisson, link: .sigmoid), perStateBias: false, prior: NaivePrior(initialScale: 0.3), seed: 5,
            bins: 400)
        for single in [true, false] {
            for kernel in [FusedKernel.automatic, .generic] {
                let one = model.mStepLoss(
                    sequences: sequences, posteriors: gammas, priorScale: 1, mode: .expected, seed: 0, parallel: false, kernel: kernel,
                    singlePrecision: single, workers: 1)
                #expect(one.value.isFinite && one.gradient.contains { $0 != 0 })
                for workers in [2, 3] {
                    let many = model.mStepLoss(
                        sequences: sequences, posteriors: gammas, priorScale: 1, mode: .expected, seed: 0, parallel: false, kernel: kernel,
                        singlePrecision: single, workers: workers)
                    #expect(many.value == one.value, "float32 \(single) \(kernel), \(workers) workers: \(many.value) vs \(one.value)")
                    #expect(many.gradient == one.gradient, "float32 \(single) \(kernel), \(workers) workers: gradients differ")
                }
            }
        }
    }

    /// The E-step emission pass (`ck_glm_loglik`, behind `StateGLMModel.logEmissions`): AVX2 and portable
    /// C against each other and against the Swift element loop, per (bin, state), for neuron counts with
    /// and without a partial vector and drives large enough to saturate and floor the rates.
    @Test(.enabled(if: CPUFeatures.hasAVX2FMA, "needs AVX2 + FMA"), arguments: [
        StateGLMEmission(likelihood: .poisson, link: .sigmoid), StateGLMEmission(likelihood: .poisson, link: .softplus),
        StateGLMEmission(likelihood: .poisson, link: .exp), StateGLMEmission(likelihood: .bernoulli, link: .sigmoid),
    ])
    func eStepLogLikelihoodsAgree(emission: StateGLMEmission) throws {
        let code = try #require(emission.fusedKernelCode)
        for (rows, n, states) in [(1, 1, 1), (9, 3, 2), (40, 20, 5), (17, 7, 3)] {
            var rng = SeededGenerator(seed: UInt64(rows * 100 + n))
            let counts = Matrix<Double>(rows: rows, columns: n) { _, _ in
                emission.likelihood == .bernoulli ? (rng.bernoulli(probability: 0.3) ? 1 : 0) : Double(rng.poisson(mean: 0.7))
            }
            let drives = Matrix<Double>(rows: rows, columns: states * n) { _, j in (rng.nextUnitInterval() - 0.5) * (j % 7 == 0 ? 70 : 6) }
            var generic = [Double](repeating: .nan, count: rows * states), avx2 = generic
            #expect(ck_glm_loglik_generic(code, counts.elements, drives.elements, Int64(rows), Int64(n), Int64(states), &generic) == 0)
            #expect(ck_glm_loglik_avx2(code, counts.elements, drives.elements, Int64(rows), Int64(n), Int64(states), &avx2) == 0)
            var swiftDrives = drives
            var swift: [Double] = []
            emission.evaluate(counts: counts, drives: &swiftDrives, states: states, logLikelihood: &swift)
            for i in 0..<(rows * states) {
                let scale = max(1, abs(swift[i]))
                #expect(abs(generic[i] - swift[i]) <= 1e-12 * scale, "\(emission) \(rows)×\(n)×\(states) [\(i)]: C \(generic[i]) vs Swift \(swift[i])")
                #expect(abs(avx2[i] - generic[i]) <= 1e-12 * scale, "\(emission) \(rows)×\(n)×\(states) [\(i)]: AVX2 \(avx2[i]) vs C \(generic[i])")
            }
        }
        var out = [Double](repeating: 0, count: 1)
        #expect(ck_glm_loglik(9, [0], [0], 1, 1, 1, &out).isNaN)
    }

    /// The one-hot prior pass (`ck_onehot_prior`, behind `OneHotPrior.evaluate`): AVX2 against portable
    /// C in all three type modes, with pair counts with and without a partial group of four and logits
    /// large enough that softmax classes saturate.
    @Test(.enabled(if: CPUFeatures.hasAVX2FMA, "needs AVX2 + FMA"), arguments: [CK_ONEHOT_HARD, CK_ONEHOT_EXPECTED, CK_ONEHOT_SAMPLE])
    func oneHotPriorAVX2AgreesWithPortableC(mode: Int32) {
        for (states, pairs) in [(1, 1), (2, 4), (3, 23), (5, 400)] {
            var rng = SeededGenerator(seed: UInt64(states * 1000 + pairs))
            let sm = states * pairs
            let psi = (0..<(sm * 3)).map { i in (rng.nextUnitInterval() - 0.5) * (i % 5 == 0 ? 40 : 4) }
            let omega = (0..<sm).map { i in (rng.nextUnitInterval() - 0.5) * (i % 3 == 0 ? 30 : 3) }
            let uniforms = (0..<(sm * 3)).map { _ in rng.nextOpenUnitInterval() }
            var logAlpha = [Double](repeating: 0, count: pairs * 3), alpha = logAlpha
            for k in 0..<pairs {
                let rho = (0..<3).map { _ in (rng.nextUnitInterval() - 0.5) * 10 }
                let lse = log(rho.map { exp($0) }.reduce(0, +))
                for c in 0..<3 { logAlpha[k * 3 + c] = rho[c] - lse; alpha[k * 3 + c] = exp(rho[c] - lse) }
            }
            func run(_ avx2: Bool) -> (Double, [[Double]]) {
                var types = [Double](repeating: -1, count: sm * 3), strength = [Double](repeating: -1, count: sm)
                var sigmoid = strength, weights = strength, dPsi = types
                var dRho = [Double](repeating: 0.25, count: pairs * 3)
                let f = avx2 ? ck_onehot_prior_avx2 : ck_onehot_prior_generic
                let v = f(mode, 1 / 0.3, Int64(states), Int64(pairs), psi, omega, uniforms, logAlpha, alpha, 0.2,
                          &types, &strength, &sigmoid, &weights, &dPsi, &dRho)
                return (v, [types, strength, sigmoid, weights, dPsi, dRho])
            }
            let (v1, a) = run(false), (v2, b) = run(true)
            #expect(v1.isFinite && abs(v1 - v2) <= 1e-12 * max(1, abs(v1)), "mode \(mode), \(states)×\(pairs): \(v1) vs \(v2)")
            for (name, (x, y)) in zip(["types", "strength", "sigmoid", "weights", "dPsi", "dRho"], zip(a, b)) {
                let gap = zip(x, y).map { abs($0 - $1) / max(1, abs($0)) }.max()!
                #expect(gap <= 1e-12, "mode \(mode), \(states)×\(pairs): \(name) differ by \(gap)")
                #expect(!x.contains(-1) || name == "dRho", "mode \(mode): \(name) not written everywhere")
            }
            // Types are distributions; d_rho accumulated onto its initial 0.25.
            for i in 0..<sm { #expect(abs(a[0][i * 3] + a[0][i * 3 + 1] + a[0][i * 3 + 2] - 1) < 1e-12) }
            #expect(a[5].contains { $0 != 0.25 })
        }
    }

    /// The float32 M-step (fit option `singlePrecisionMStep`) against the double one through the whole loss.
    @Test func singlePrecisionMStepLossMatchesDouble() throws {
        let (truth, sequences, posteriors, _) = try StateGLMSpeedPathTests.peakedProblem()
        let reference = truth.mStepLoss(
            sequences: sequences, posteriors: posteriors, priorScale: 1, mode: .expected, seed: 0, parallel: false, kernel: .automatic)
        for parallel in [false, true] {
            let single = truth.mStepLoss(
                sequences: sequences, posteriors: posteriors, priorScale: 1, mode: .expected, seed: 0, parallel: parallel,
                kernel: .automatic, singlePrecision: true)
            #expect(abs(single.value - reference.value) <= 1e-6 * abs(reference.value), "\(single.value) vs \(reference.value)")
            let scale = reference.gradient.map { abs($0) }.max()!
            let gap = zip(single.gradient, reference.gradient).map { abs($0 - $1) }.max()!
            #expect(gap <= 1e-5 * scale, "gradient gap \(gap), scale \(scale)")
        }
    }

    /// An unknown emission code is refused with NaN rather than silently computing something else.
    @Test func unknownEmissionGivesNaN() {
        let b = Self.block(rows: 4, n: 2, bernoulli: false, seed: 1)
        var g = [Double](repeating: 0, count: 6)
        #expect(ck_glm_block_generic(9, b.design, b.counts, b.gamma, 4, 2, b.coupling, &g).isNaN)
        #expect(ck_glm_block(9, b.design, b.counts, b.gamma, 4, 2, b.coupling, &g).isNaN)
    }

    /// The M-step loss and gradient through the fused kernel (automatic dispatch and portable C) equal
    /// the Swift pipeline's, for each emission the kernel covers, serial and parallel.
    @Test(arguments: [
        StateGLMEmission(likelihood: .poisson, link: .sigmoid), StateGLMEmission(likelihood: .poisson, link: .softplus),
        StateGLMEmission(likelihood: .poisson, link: .exp), StateGLMEmission(likelihood: .bernoulli, link: .sigmoid),
    ])
    func fusedMStepEqualsSwiftPipeline(emission: StateGLMEmission) throws {
        let (model, sequences, gammas) = try StateGLMGradientTests.problem(
            emission: emission, perStateBias: true, prior: GaussianPrior(initialScale: 0.3), seed: 11)
        let reference = model.mStepLoss(
            sequences: sequences, posteriors: gammas, priorScale: 1.3, mode: .expected, seed: 0, parallel: false, kernel: .swift)
        for kernel in [FusedKernel.automatic, .generic] {
            for parallel in [false, true] {
                let fused = model.mStepLoss(
                    sequences: sequences, posteriors: gammas, priorScale: 1.3, mode: .expected, seed: 0, parallel: parallel, kernel: kernel)
                #expect(abs(fused.value - reference.value) <= 1e-11 * abs(reference.value), "\(emission) \(kernel): \(fused.value) vs \(reference.value)")
                let gap = zip(fused.gradient, reference.gradient).map { abs($0 - $1) }.max()!
                #expect(gap < 1e-9, "\(emission) \(kernel) parallel \(parallel): gradient gap \(gap)")
            }
        }
    }
}
