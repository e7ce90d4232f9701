import CKernels
import Foundation

/// Bins whose posterior weight γ_ts is below this are left out of state s's M-step terms. A sticky
/// HMM's posteriors put nearly all mass on one state per bin, so this cuts the emission work of an
/// M-step by about S×. What is left out changes the loss by at most cutoff · Σ|log p(x_t | s)|
/// (≈ 1e−5 nats for a 2000-bin, 20-neuron sequence, against a loss of ~3·10⁴: far below the
/// float32 rounding of the reference's own loss), and loss and gradient stay exactly consistent.
let posteriorCutoff = 1e-10

/// The M-step objective of generalised EM and its analytic gradient:
/// loss(θ) = −Σ_m Σ_t Σ_s γ_ts log p(x_t | z = s, θ) − scale · log prior(θ), over flat θ = (bias, prior
/// parameters).
///
/// The posteriors stay fixed through an M-step, so for every sequence and state the bins with
/// γ_ts ≥ `posteriorCutoff` are gathered once: their design rows (T_s × (N+1)), the same rows scaled
/// by γ, and their counts. Each evaluation is then, per state, one BLAS product for the drives
/// (design_s · C_s), one vectorised pass for log p and ∂/∂η, one matrix–vector product for
/// Σ γ log p, and one product (γ ∘ design_s)ᵀ · D for the gradient.
final class StateGLMObjective {
    let sequences: [StateGLMSequence]
    var posteriors: [Matrix<Double>] {
        didSet { blocks.removeAll(keepingCapacity: true) }
    }
    /// Which sequences enter the current objective (all in batch EM, one in the reference schedule).
    var active: [Int]
    var priorScale: Double
    /// Spread large M-step evaluations over the cores (`concurrentMap`); results do not depend on it
    /// beyond the order of floating-point sums.
    var parallel = false
    /// Bins with γ_ts below this are left out of state s's terms (see `posteriorCutoff`).
    var cutoff = posteriorCutoff {
        didSet { blocks.removeAll(keepingCapacity: true) }
    }
    /// Which implementation evaluates the per-state blocks (tests compare them; see `FusedKernel`).
    var kernel = FusedKernel.automatic {
        didSet { blocks.removeAll(keepingCapacity: true) }
    }
    /// Evaluate the blocks in float32 (the reference's precision) with the fused kernel, when it covers
    /// the emission; sums and the gradient are still accumulated in double.
    var singlePrecision = false {
        didSet { blocks.removeAll(keepingCapacity: true) }
    }
    private var coupling32: [Float] = []
    private var template: StateGLMModel

    /// The bins of one sequence that carry weight for one state, gathered contiguously.
    private struct StateBlock: Sendable {
        var rows = 0
        var design: [Double] = []           // rows × (N + 1)
        var weightedDesign: [Double] = []   // rows × (N + 1), row t scaled by γ_ts
        var counts: [Double] = []           // rows × N
        var gamma: [Double] = []            // rows
        /// Float copies of design, counts and γ for the single-precision kernel (empty otherwise).
        var design32: [Float] = []
        var counts32: [Float] = []
        var gamma32: [Float] = []
    }
    private var blocks: [Int: [StateBlock]] = [:]
    private var drives: [Double] = []
    private var logLikelihoods: [Double] = []
    private var neuronSums: [Double]
    /// Per state (N + 1) × N: C_s[n', n] = W_s[n ← n'], last row the bias.
    private var coupling: [Double]
    /// Per state (N + 1) × N: Σ over bins of (γ ∘ design)ᵀ · ∂ℓ/∂η.
    private var gradientBlocks: [Double]

    init(template: StateGLMModel, sequences: [StateGLMSequence], priorScale: Double) {
        self.template = template
        self.sequences = sequences
        self.posteriors = sequences.map { Matrix(rows: $0.binCount, columns: template.states) }
        self.active = Array(sequences.indices)
        self.priorScale = priorScale
        let n = template.neurons, s = template.states
        self.neuronSums = [Double](repeating: 0, count: n)
        self.coupling = [Double](repeating: 0, count: s * (n + 1) * n)
        self.gradientBlocks = [Double](repeating: 0, count: s * (n + 1) * n)
    }

    private func stateBlocks(_ index: Int) -> [StateBlock] {
        if let cached = blocks[index] { return cached }
        let sequence = sequences[index]
        let t = sequence.binCount, n = sequence.neuronCount, k = n + 1, states = template.states
        var out = [StateBlock](repeating: StateBlock(), count: states)
        // The fused kernel scales by γ itself; only the Swift path reads the γ-scaled design.
        let weighted = kernel == .swift || template.configuration.emission.fusedKernelCode == nil
        let single = singlePrecision && !weighted
        posteriors[index].withUnsafeBufferPointer { gamma in
            sequence.design.withUnsafeBufferPointer { design in
                sequence.counts.withUnsafeBufferPointer { counts in
                    for s in 0..<states {
                        var block = StateBlock()
                        let rows = (0..<t).filter { gamma[$0 &* states &+ s] >= cutoff }
                        block.rows = rows.count
                        block.design.reserveCapacity(rows.count * k)
                        if weighted { block.weightedDesign.reserveCapacity(rows.count * k) }
                        block.counts.reserveCapacity(rows.count * n)
                        for row in rows {
                            let g = gamma[row &* states &+ s]
                            block.gamma.append(g)
                            for j in 0..<k {
                                let v = design[row &* k &+ j]
                                block.design.append(v)
                                if weighted { block.weightedDesign.append(g * v) }
                            }
                            for j in 0..<n { block.counts.append(counts[row &* n &+ j]) }
                        }
                        if single {
                            block.design32 = block.design.map { Float($0) }
                            block.counts32 = block.counts.map { Float($0) }
                            block.gamma32 = block.gamma.map { Float($0) }
                        }
                        out[s] = block
                    }
                }
            }
        }
        blocks[index] = out
        return out
    }

    /// Calls a fused C pass on rows start..<start+rows of a block's design (rows × (N + 1)), counts and γ,
    /// in whichever precision the arrays hold.
    private static func fusedPass<T>(
        _ design: [T], _ counts: [T], _ gamma: [T], start: Int, rows: Int, neurons n: Int, gradient: inout [Double],
        _ call: (UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>, Int64, Int64, UnsafeMutablePointer<Double>) -> Double
    ) -> Double {
        design.withUnsafeBufferPointer { a in
            counts.withUnsafeBufferPointer { x in
                gamma.withUnsafeBufferPointer { w in
                    gradient.withUnsafeMutableBufferPointer { g in
                        call(a.baseAddress! + start * (n + 1), x.baseAddress! + start * n, w.baseAddress! + start, Int64(rows), Int64(n), g.baseAddress!)
                    }
                }
            }
        }
    }

    /// Rows start..<start+rows of one state's block: returns Σ_t γ_t Σ_n log p(x_tn | η_tn) and adds
    /// (γ ∘ design)ᵀ · ∂ℓ/∂η into `gradient` ((N + 1) × N). Scratch buffers hold at least rows × N.
    private static func accumulate(
        _ block: StateBlock, start: Int, rows: Int, neurons n: Int, coupling: UnsafePointer<Double>, coupling32: UnsafePointer<Float>?,
        emission: StateGLMEmission, kernel: FusedKernel, drives: inout [Double], logLikelihoods: inout [Double], sums: inout [Double],
        gradient: inout [Double]
    ) -> Double {
        let k = n + 1, count = rows * n
        if let coupling32, !block.design32.isEmpty, let code = emission.fusedKernelCode {
            let run = kernel == .generic ? ck_glm_block_f32_generic : ck_glm_block_f32
            return fusedPass(block.design32, block.counts32, block.gamma32, start: start, rows: rows, neurons: n, gradient: &gradient) {
                run(code, $0, $1, $2, $3, $4, coupling32, $5)
            }
        }
        if kernel != .swift, let code = emission.fusedKernelCode {
            // One fused pass (CKernels/glm_block.c): drives, ℓ, ∂ℓ/∂η and the gradient products per row.
            let run = kernel == .generic ? ck_glm_block_generic : ck_glm_block
            return fusedPass(block.design, block.counts, block.gamma, start: start, rows: rows, neurons: n, gradient: &gradient) {
                run(code, $0, $1, $2, $3, $4, coupling, $5)
            }
        }
        var total = 0.0
        drives.withUnsafeMutableBufferPointer { d in
            logLikelihoods.withUnsafeMutableBufferPointer { ll in
                block.design.withUnsafeBufferPointer { a in
                    Double.gemm(
                        transA: false, transB: false, m: Int32(rows), n: Int32(n), k: Int32(k), alpha: 1,
                        a: a.baseAddress! + start * k, lda: Int32(k), b: coupling, ldb: Int32(n), beta: 0,
                        c: d.baseAddress!, ldc: Int32(n))
                }
                block.counts.withUnsafeBufferPointer { x in
                    emission.evaluateBlock(counts: x.baseAddress! + start * n, drives: d.baseAddress!, logLikelihood: ll.baseAddress!, count: count)
                }
                // Σ_t γ_t Σ_n log p = 1ᵀ (LLᵀ γ).
                block.gamma.withUnsafeBufferPointer { gamma in
                    sums.withUnsafeMutableBufferPointer { y in
                        Double.gemv(
                            trans: true, m: Int32(rows), n: Int32(n), alpha: 1, a: ll.baseAddress!, lda: Int32(n),
                            x: gamma.baseAddress! + start, beta: 0, y: y.baseAddress!)
                        for j in 0..<n { total += y[j] }
                    }
                }
                block.weightedDesign.withUnsafeBufferPointer { a in
                    gradient.withUnsafeMutableBufferPointer { g in
                        Double.gemm(
                            transA: true, transB: false, m: Int32(k), n: Int32(n), k: Int32(rows), alpha: 1,
                            a: a.baseAddress! + start * k, lda: Int32(k), b: d.baseAddress!, ldb: Int32(n), beta: 1,
                            c: g.baseAddress!, ldc: Int32(n))
                    }
                }
            }
        }
        return total
    }

    /// Loss and gradient at θ. `generator` supplies the noise of stochastic weight modes. `exact`
    /// evaluates in double even when `singlePrecision` is on (the monotone-EM guard compares losses
    /// that way, so the guarantee does not rest on float32 rounding).
    func evaluate(_ theta: [Double], mode: WeightMode, generator: inout SeededGenerator, exact: Bool = false) -> (value: Double, gradient: [Double]) {
        let singlePrecision = self.singlePrecision && !exact
        template.flatParameters = theta
        let s = template.states, n = template.neurons, k = n + 1, stride = k * n
        let perStateBias = template.configuration.perStateBias
        let prior = template.prior.evaluate(template.priorParameters, states: s, neurons: n, mode: mode, generator: &generator)
        var loss = -priorScale * prior.logPrior
        prior.weights.withUnsafeBufferPointer { w in
            template.bias.withUnsafeBufferPointer { b in
                coupling.withUnsafeMutableBufferPointer { c in
                    for state in 0..<s {
                        let base = state &* stride
                        for target in 0..<n {
                            for source in 0..<n { c[base &+ source &* n &+ target] = w[state &* n &* n &+ target &* n &+ source] }
                            c[base &+ n &* n &+ target] = perStateBias ? b[state &* n &+ target] : b[target]
                        }
                    }
                }
            }
        }
        if singlePrecision {
            if coupling32.count != coupling.count { coupling32 = [Float](repeating: 0, count: coupling.count) }
            for i in coupling.indices { coupling32[i] = Float(coupling[i]) }
        }
        gradientBlocks.withUnsafeMutableBufferPointer { g in
            for i in 0..<g.count { g[i] = 0 }
        }
        let emission = template.configuration.emission
        // Work items: (sequence, state, first row, rows). Large M-steps are cut into pieces of
        // similar size and spread over the cores; each piece returns its loss and gradient block.
        var items: [(index: Int, state: Int, start: Int, rows: Int)] = []
        var totalRows = 0
        for index in active {
            let stateBlocks = stateBlocks(index)
            for state in 0..<s where stateBlocks[state].rows > 0 {
                items.append((index, state, 0, stateBlocks[state].rows))
                totalRows += stateBlocks[state].rows
            }
        }
        if parallel && totalRows * n >= 20_000 {
            let pieceRows = Swift.max(128, totalRows / 16)
            var pieces: [(index: Int, state: Int, start: Int, rows: Int)] = []
            for item in items {
                var start = 0
                while start < item.rows {
                    let rows = Swift.min(pieceRows, item.rows - start)
                    pieces.append((item.index, item.state, start, rows))
                    start += rows
                }
            }
            let allBlocks = pieces.map { blocks[$0.index]![$0.state] }
            let c = coupling, frozen = pieces, kernel = kernel, c32 = coupling32, single = singlePrecision
            // `try!`: the body never throws; concurrentMap is only `throws` for bodies that do.
            let results = try! concurrentMap(count: pieces.count) { i -> (Double, [Double]) in
                let piece = frozen[i]
                var localDrives = [Double](repeating: 0, count: piece.rows * n)
                var localLL = [Double](repeating: 0, count: piece.rows * n)
                var sums = [Double](repeating: 0, count: n)
                var gradient = [Double](repeating: 0, count: stride)
                let value = c.withUnsafeBufferPointer { cp in
                    c32.withUnsafeBufferPointer { cp32 in
                    StateGLMObjective.accumulate(
                        allBlocks[i], start: piece.start, rows: piece.rows, neurons: n, coupling: cp.baseAddress! + piece.state * stride,
                        coupling32: single ? cp32.baseAddress! + piece.state * stride : nil,
                        emission: emission, kernel: kernel, drives: &localDrives, logLikelihoods: &localLL, sums: &sums, gradient: &gradient)
                    }
                }
                return (value, gradient)
            }
            gradientBlocks.withUnsafeMutableBufferPointer { g in
                for (i, result) in results.enumerated() {
                    loss -= result.0
                    let base = pieces[i].state * stride
                    for j in 0..<stride { g[base &+ j] += result.1[j] }
                }
            }
        } else {
            let largest = items.map(\.rows).max() ?? 0
            if drives.count < largest * n {
                drives = [Double](repeating: 0, count: largest * n)
                logLikelihoods = [Double](repeating: 0, count: largest * n)
            }
            var gradient = [Double](repeating: 0, count: stride)
            for item in items {
                for j in 0..<stride { gradient[j] = 0 }
                let single = singlePrecision
                let value = coupling.withUnsafeBufferPointer { cp in
                    coupling32.withUnsafeBufferPointer { cp32 in
                        Self.accumulate(
                            blocks[item.index]![item.state], start: 0, rows: item.rows, neurons: n,
                            coupling: cp.baseAddress! + item.state * stride,
                            coupling32: single ? cp32.baseAddress! + item.state * stride : nil, emission: emission, kernel: kernel,
                            drives: &drives, logLikelihoods: &logLikelihoods, sums: &neuronSums, gradient: &gradient)
                    }
                }
                loss -= value
                gradientBlocks.withUnsafeMutableBufferPointer { g in
                    let base = item.state * stride
                    for j in 0..<stride { g[base &+ j] += gradient[j] }
                }
            }
        }
        // ∂loss/∂W_s[n ← n'] = −G_s[n', n]; the bias row is G_s[N, ·].
        var weightGradient = [Double](repeating: 0, count: s * n * n)
        var biasGradient = [Double](repeating: 0, count: template.bias.count)
        gradientBlocks.withUnsafeBufferPointer { g in
            for state in 0..<s {
                let base = state * stride
                for target in 0..<n {
                    for source in 0..<n { weightGradient[state * n * n + target * n + source] = -g[base + source * n + target] }
                    if perStateBias {
                        biasGradient[state * n + target] = -g[base + n * n + target]
                    } else {
                        biasGradient[target] -= g[base + n * n + target]
                    }
                }
            }
        }
        return (loss, biasGradient + prior.gradient(weightGradient: weightGradient, priorScale: priorScale))
    }
}

extension StateGLMModel {
    /// The flat parameter vector the M-step optimises: bias, then the prior's parameters.
    public var parameterVector: [Double] {
        get { flatParameters }
        set {
            precondition(newValue.count == flatParameters.count, "parameterVector: \(newValue.count) values, expected \(flatParameters.count)")
            flatParameters = newValue
        }
    }

    /// The M-step loss −Σ γ log p(x | z, θ) − priorScale · log prior(θ) at this model's parameters and
    /// its analytic gradient with respect to `parameterVector`. Stochastic weight modes draw their noise
    /// from `seed`, so the same seed gives the same loss (for finite-difference checks).
    public func mStepLoss(
        sequences: [StateGLMSequence], posteriors: [Matrix<Double>], priorScale: Double, mode: WeightMode, seed: UInt64 = 0,
        parallel: Bool = false
    ) -> (value: Double, gradient: [Double]) {
        mStepLoss(sequences: sequences, posteriors: posteriors, priorScale: priorScale, mode: mode, seed: seed, parallel: parallel, kernel: .automatic)
    }

    /// `mStepLoss` with a pinned block implementation (tests compare the fused C kernel with the Swift path).
    func mStepLoss(
        sequences: [StateGLMSequence], posteriors: [Matrix<Double>], priorScale: Double, mode: WeightMode, seed: UInt64,
        parallel: Bool, kernel: FusedKernel, singlePrecision: Bool = false
    ) -> (value: Double, gradient: [Double]) {
        precondition(sequences.count == posteriors.count, "mStepLoss: one posterior per sequence")
        let objective = StateGLMObjective(template: self, sequences: sequences, priorScale: priorScale)
        objective.parallel = parallel
        objective.kernel = kernel
        objective.singlePrecision = singlePrecision
        objective.posteriors = posteriors
        var generator = SeededGenerator(seed: seed)
        return objective.evaluate(flatParameters, mode: mode, generator: &generator)
    }
}
