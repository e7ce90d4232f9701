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
/// by γ, and their counts (and, for the float32 M-step, float copies in the kernel's panel layout).
/// Each evaluation then runs the fused CKernels pass (drives, log p, ∂/∂η and the gradient products in
/// one sweep over the bins) on fixed pieces of each block, spread over `workers` threads.
final class StateGLMObjective {
    let sequences: [StateGLMSequence]
    var posteriors: [Matrix<Double>] {
        didSet { blocks.removeAll(keepingCapacity: true) }
    }
    /// Which sequences enter the current objective (all in batch EM, one in the reference schedule).
    var active: [Int]
    var priorScale: Double
    /// Threads of the likelihood pass. Every evaluation cuts the gathered bins into the same pieces
    /// (`pieceRows` bins of one sequence and state) whatever this is, and adds the pieces' results in
    /// piece order, so the loss and gradient are bit-identical for any worker count.
    var workers = 1
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
        /// Float copies of design, counts and γ for the single-precision kernel in its panel layout
        /// (8 bins per panel in the lanes, zero-padded; see ck_glm.h), empty otherwise.
        var design32: [Float] = []
        var counts32: [Float] = []
        var gamma32: [Float] = []
    }
    /// Bins per piece of work: a multiple of the float kernel's accumulation group (16 panels of 8).
    static let pieceRows = 256
    /// Per piece: its loss term and its (N + 1) × N gradient block, reused across evaluations.
    private var pieceValues: [Double] = []
    private var pieceGradients: [Double] = []
    private var blocks: [Int: [StateBlock]] = [:]
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
                            let panels = (rows.count + 7) / 8
                            block.design32 = [Float](repeating: 0, count: panels * 8 * k)
                            block.counts32 = [Float](repeating: 0, count: panels * 8 * n)
                            block.gamma32 = [Float](repeating: 0, count: panels * 8)
                            for (r, g) in block.gamma.enumerated() {
                                let p = r / 8, lane = r % 8
                                block.gamma32[r] = Float(g)
                                for j in 0..<k { block.design32[(p * k + j) * 8 + lane] = Float(block.design[r * k + j]) }
                                for j in 0..<n { block.counts32[(p * n + j) * 8 + lane] = Float(block.counts[r * n + j]) }
                            }
                        }
                        out[s] = block
                    }
                }
            }
        }
        blocks[index] = out
        return out
    }

    /// Raw pointers shared by the workers of one evaluation: each piece writes only its own value and
    /// gradient block, and the caller reads them after all workers have finished.
    private struct PieceBuffers: @unchecked Sendable {
        let coupling: UnsafePointer<Double>
        let coupling32: UnsafePointer<Float>?
        let values: UnsafeMutablePointer<Double>
        let gradients: UnsafeMutablePointer<Double>
    }

    /// Rows start..<start+rows of one state's block: returns Σ_t γ_t Σ_n log p(x_tn | η_tn) and adds
    /// (γ ∘ design)ᵀ · ∂ℓ/∂η into `gradient` ((N + 1) × N).
    private static func accumulate(
        _ block: StateBlock, start: Int, rows: Int, neurons n: Int, coupling: UnsafePointer<Double>, coupling32: UnsafePointer<Float>?,
        emission: StateGLMEmission, kernel: FusedKernel, gradient: UnsafeMutablePointer<Double>
    ) -> Double {
        let k = n + 1, count = rows * n
        if let coupling32, !block.design32.isEmpty, let code = emission.fusedKernelCode {
            // Panel layout: `start` is a multiple of 8 (pieces are), the last panel may be partial.
            let run = kernel == .generic ? ck_glm_panels_f32_generic : ck_glm_panels_f32
            let panels = (rows + 7) / 8, first = start / 8
            return block.design32.withUnsafeBufferPointer { a in
                block.counts32.withUnsafeBufferPointer { x in
                    block.gamma32.withUnsafeBufferPointer { w in
                        run(code, a.baseAddress! + first * 8 * k, x.baseAddress! + first * 8 * n, w.baseAddress! + first * 8,
                            Int64(panels), Int64(n), coupling32, gradient)
                    }
                }
            }
        }
        if kernel != .swift, let code = emission.fusedKernelCode {
            // One fused pass (CKernels/glm_block.c): drives, ℓ, ∂ℓ/∂η and the gradient products per row.
            let run = kernel == .generic ? ck_glm_block_generic : ck_glm_block
            return block.design.withUnsafeBufferPointer { a in
                block.counts.withUnsafeBufferPointer { x in
                    block.gamma.withUnsafeBufferPointer { w in
                        run(code, a.baseAddress! + start * k, x.baseAddress! + start * n, w.baseAddress! + start, Int64(rows), Int64(n),
                            coupling, gradient)
                    }
                }
            }
        }
        // The Swift pipeline (tests compare it with the kernels; emissions the kernels lack).
        var drives = [Double](repeating: 0, count: count), logLikelihoods = drives, sums = [Double](repeating: 0, count: n)
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
                    Double.gemm(
                        transA: true, transB: false, m: Int32(k), n: Int32(n), k: Int32(rows), alpha: 1,
                        a: a.baseAddress! + start * k, lda: Int32(k), b: d.baseAddress!, ldb: Int32(n), beta: 1,
                        c: gradient, ldc: Int32(n))
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
        // Pieces of at most `pieceRows` bins of one sequence and state, the same for any worker count;
        // each returns its loss term and gradient block, added below in piece order.
        var pieces: [(index: Int, state: Int, start: Int, rows: Int)] = []
        var pieceBlocks: [StateBlock] = []
        for index in active {
            let stateBlocks = stateBlocks(index)
            for state in 0..<s {
                var start = 0
                while start < stateBlocks[state].rows {
                    let rows = Swift.min(Self.pieceRows, stateBlocks[state].rows - start)
                    pieces.append((index, state, start, rows))
                    pieceBlocks.append(stateBlocks[state])
                    start += rows
                }
            }
        }
        if pieceValues.count < pieces.count {
            pieceValues = [Double](repeating: 0, count: pieces.count)
            pieceGradients = [Double](repeating: 0, count: pieces.count * stride)
        }
        let single = singlePrecision, kernel = kernel, frozen = pieces, frozenBlocks = pieceBlocks
        coupling.withUnsafeBufferPointer { cp in
            coupling32.withUnsafeBufferPointer { cp32 in
                pieceValues.withUnsafeMutableBufferPointer { values in
                    pieceGradients.withUnsafeMutableBufferPointer { gradients in
                        let shared = PieceBuffers(
                            coupling: cp.baseAddress!, coupling32: cp32.baseAddress, values: values.baseAddress!, gradients: gradients.baseAddress!)
                        let run: @Sendable (Int) -> Void = { i in
                            let piece = frozen[i]
                            let g = shared.gradients + i * stride
                            g.update(repeating: 0, count: stride)
                            shared.values[i] = StateGLMObjective.accumulate(
                                frozenBlocks[i], start: piece.start, rows: piece.rows, neurons: n, coupling: shared.coupling + piece.state * stride,
                                coupling32: single ? shared.coupling32.map { $0 + piece.state * stride } : nil,
                                emission: emission, kernel: kernel, gradient: g)
                        }
                        let threads = Swift.min(workers, pieces.count)
                        if threads > 1 {
                            DispatchQueue.concurrentPerform(iterations: threads) { w in
                                for i in Swift.stride(from: w, to: frozen.count, by: threads) { run(i) }
                            }
                        } else {
                            for i in 0..<frozen.count { run(i) }
                        }
                    }
                }
            }
        }
        gradientBlocks.withUnsafeMutableBufferPointer { g in
            for (i, piece) in pieces.enumerated() {
                loss -= pieceValues[i]
                let base = piece.state * stride, from = i * stride
                for j in 0..<stride { g[base &+ j] += pieceGradients[from &+ j] }
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

    /// `mStepLoss` with a pinned block implementation (tests compare the fused C kernel with the Swift
    /// path) and worker count (`workers` overrides `parallel`).
    func mStepLoss(
        sequences: [StateGLMSequence], posteriors: [Matrix<Double>], priorScale: Double, mode: WeightMode, seed: UInt64,
        parallel: Bool, kernel: FusedKernel, singlePrecision: Bool = false, workers: Int? = nil
    ) -> (value: Double, gradient: [Double]) {
        precondition(sequences.count == posteriors.count, "mStepLoss: one posterior per sequence")
        let objective = StateGLMObjective(template: self, sequences: sequences, priorScale: priorScale)
        objective.workers = workers ?? (parallel ? ProcessInfo.processInfo.activeProcessorCount : 1)
        objective.kernel = kernel
        objective.singlePrecision = singlePrecision
        objective.posteriors = posteriors
        var generator = SeededGenerator(seed: seed)
        return objective.evaluate(flatParameters, mode: mode, generator: &generator)
    }
}
