import Foundation
import RealModule

/// Non-negative CP (PARAFAC) decomposition of a 3-way tensor: X ≈ Σᵣ λᵣ aᵣ ∘ bᵣ ∘ cᵣ with every
/// factor ≥ 0, minimising the squared error over the observed entries.
///
/// Semantics follow tensortools (`ncp_hals`, `ncp_bcd`): random uniform initialisation scaled so that
/// ‖X̂‖ = ‖X‖, the relative error ‖X − X̂‖/‖X‖ over observed entries, stopping when one outer
/// iteration improves it by less than `tolerance` or after `maxIterations`. Each iteration updates
/// the modes in the order time, animal, pair.
public struct NonNegativeCP: Sendable, Hashable {
    public enum Algorithm: String, Sendable, Hashable, CaseIterable, Codable {
        /// Hierarchical alternating least squares (Cichocki & Phan 2009): exact column-wise
        /// minimisation, so the objective never increases. The default.
        case hals
        /// Block-coordinate descent with Nesterov-type extrapolation (Xu & Yin 2013), rejecting steps
        /// that increase the objective.
        case bcd
        /// Multiplicative updates (Lee & Seung, as tensorly's `non_negative_parafac`); slow, for parity.
        case multiplicative
    }

    public var rank: Int
    public var algorithm: Algorithm
    public var maxIterations: Int
    /// Stop when the relative error improves by less than this in one iteration.
    public var tolerance: Double
    /// HALS: column sweeps per mode update. tensortools uses 3, which leaves the mode sub-problems far
    /// from solved (long tails: up to 27 outer iterations to within 1e-4 of the optimum on the
    /// benchmark tensor); 5 reaches it in as few outer iterations as 10 or 20 (40 starts: mean 8.4) at
    /// half the cost of 10.
    public var innerSweeps: Int
    /// HALS: updates of the time and animal modes per outer iteration before the pair mode. Both read
    /// Y = X₍₀₁₎·C, which only the pair mode changes, so every extra alternation is a further exact
    /// block minimisation without a pass over the tensor. 1 is tensortools' iteration; the default 2
    /// reaches a given error in fewer outer iterations (40 starts on the benchmark tensor, to within
    /// 1e-4 of the optimum: mean 7.5 instead of 8.4, median 7 instead of 8); 3 gains nothing more.
    public var cycles: Int
    /// HALS on the Float copy without missing entries: make the pair-mode update and the next sweep's
    /// Y in one pass over the tensor (stripe by stripe of 64 pairs) instead of two (same iterates up to
    /// rounding). Off by default: measured on the benchmark tensor it was about 1.7× slower per fit than
    /// the two full passes (the strided stripe reads and the per-stripe reductions cost more than the
    /// second read of the tensor saves; docs/performance.md).
    public var fusePairStep: Bool
    /// Precision of the tensor copy the MTTKRP passes read. `.single` (the default) halves memory and
    /// is ≈ 2× faster per pass; sums are kept in Double over short runs (≈ 1e-7 relative error in the
    /// MTTKRPs) and the factors, Gram matrices and updates stay Double. Errors are then relative to the
    /// Float-rounded tensor (≈ 1e-8 relative difference), and fits reach the same error as `.double`
    /// (the benchmark in docs/performance.md checks this at 1e-4 relative).
    public var precision: Precision
    /// HALS: start each sweep from an extrapolation of the last two accepted iterates (see
    /// `HALSSolver`), which reaches a given error in fewer sweeps. On by default; a sweep that ends
    /// worse is discarded, so the reported error still never increases. Off gives tensortools' plain
    /// HALS iterates.
    public var extrapolation: Bool
    /// Workers for the two passes over the tensor per iteration (Y splits rows, the pair-mode MTTKRP
    /// splits pairs, so results are bit-identical for any count); tensors under 65,536 entries
    /// always use one.
    public var threads: Int

    /// The defaults: the fastest configuration that reaches the plain Float64 HALS error (Float32
    /// tensor copy, extrapolation, 5 inner sweeps, 2 time/animal cycles, one worker). The passes are
    /// memory-bound: on the 1.9 M-entry benchmark tensor a second worker made the time to target
    /// bimodal and slower (docs/performance.md), so more workers are opt-in for larger tensors.
    public static let defaultPrecision = Precision.single
    public static let defaultExtrapolation = true
    public static let defaultInnerSweeps = 5
    public static let defaultCycles = 2
    public static let defaultThreads = 1

    public enum Precision: String, Sendable, Hashable, CaseIterable, Codable {
        case double, single
    }

    public init(
        rank: Int, algorithm: Algorithm = .hals, maxIterations: Int = 500, tolerance: Double = 1e-5,
        innerSweeps: Int = defaultInnerSweeps,
        precision: Precision = defaultPrecision, threads: Int = defaultThreads, extrapolation: Bool = defaultExtrapolation,
        cycles: Int = defaultCycles, fusePairStep: Bool = false
    ) throws {
        try ParameterError.check(cycles >= 1, "cycles", expected: "≥ 1", found: cycles)
        try ParameterError.check(threads >= 1, "threads", expected: "≥ 1", found: threads)
        try ParameterError.check(rank >= 1, "rank", expected: "≥ 1", found: rank)
        try ParameterError.check(maxIterations >= 1, "maxIterations", expected: "≥ 1", found: maxIterations)
        try ParameterError.check(tolerance >= 0 && tolerance.isFinite, "tolerance", expected: "a finite value ≥ 0", found: tolerance)
        try ParameterError.check(innerSweeps >= 1, "innerSweeps", expected: "≥ 1", found: innerSweeps)
        self.rank = rank
        self.algorithm = algorithm
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.innerSweeps = innerSweeps
        self.precision = precision
        self.threads = threads
        self.extrapolation = extrapolation
        self.cycles = cycles
        self.fusePairStep = fusePairStep
    }

    /// Fits one decomposition from the random start drawn with `seed`.
    /// - Throws: `ParameterError` when the tensor has no observed non-zero entry.
    public func fit(_ tensor: ThreeWayTensor, seed: UInt64, monitor: any FitMonitor = SilentMonitor()) throws -> NTFResult {
        var rng = SeededGenerator(seed: seed)
        return try fit(tensor, generator: &rng, seed: seed, monitor: monitor)
    }

    /// Fits `restarts` decompositions from independent seeded starts (restart k uses the k-th
    /// `split()` of `SeededGenerator(seed:)`), sorted by increasing error.
    public func fit(
        _ tensor: ThreeWayTensor, restarts: Int, seed: UInt64, monitor: any FitMonitor = SilentMonitor()
    ) throws -> [NTFResult] {
        try ParameterError.check(restarts >= 1, "restarts", expected: "≥ 1", found: restarts)
        var root = SeededGenerator(seed: seed)
        var results: [NTFResult] = []
        for k in 0..<restarts {
            var rng = root.split()
            results.append(try fit(tensor, generator: &rng, seed: seed, restart: k, monitor: monitor))
            if monitor.shouldStop { break }
        }
        return results.sorted { $0.relativeError < $1.relativeError }
    }

    func fit(
        _ tensor: ThreeWayTensor, generator rng: inout SeededGenerator, seed: UInt64, restart: Int = 0,
        monitor: any FitMonitor
    ) throws -> NTFResult {
        guard tensor.observedCount > 0, tensor.squaredNorm > 0 else {
            throw ParameterError("tensor", expected: "some observed entry > 0", found: "all zero or missing")
        }
        let engine = CPEngine(
            tensor: tensor, factors: initialFactors(tensor, &rng), rank: rank, singlePrecision: precision == .single,
            threads: threads)
        engine.allowFusion = fusePairStep
        // The initial error comes from Y = X₍₀₁₎·C, which the first HALS sweep then reuses: no extra
        // pass over the tensor. Missing entries are imputed first so that this Y is the sweep's.
        engine.impute()
        engine.refreshY()
        var errors: [Double] = [engine.relativeError(engine.maskedSSEFromY())]
        var converged = false
        var solver = makeSolver(engine)
        var iteration = 0
        while iteration < maxIterations {
            iteration += 1
            if iteration > 1 { engine.impute() }
            let sse = solver.iterate()
            let error = engine.relativeError(sse)
            let improvement = errors.last! - error
            errors.append(error)
            monitor.report(FitProgress(stage: "NTF rank \(rank), restart \(restart + 1)", iteration: iteration, total: maxIterations, objective: error))
            if solver.reachedFloor || (abs(improvement) < tolerance && !solver.lastIterationDiscarded) { converged = true; break }
            if monitor.shouldStop { break }
        }
        solver.finish()
        let result = try KruskalTensor(factors: (0..<3).map { Matrix(rows: engine.dims[$0], columns: rank, elements: engine.factors[$0]) })
        return NTFResult(
            factors: result.sortedByWeight(), relativeError: errors.last!, errorTrace: errors, iterations: iteration,
            converged: converged, algorithm: algorithm, seed: seed, restart: restart)
    }

    func makeSolver(_ engine: CPEngine) -> any CPSolver {
        switch algorithm {
        case .hals: return HALSSolver(engine: engine, sweeps: innerSweeps, extrapolate: extrapolation, cycles: cycles)
        case .bcd: return BCDSolver(engine: engine)
        case .multiplicative: return MultiplicativeSolver(engine: engine)
        }
    }

    /// Uniform [0, 1) factors scaled so that ‖X̂‖ = ‖X_observed‖ (tensortools `rand_ktensor` + rescale).
    func initialFactors(_ tensor: ThreeWayTensor, _ rng: inout SeededGenerator) -> [[Double]] {
        var factors = tensor.shape.map { rows in (0..<(rows * rank)).map { _ in rng.nextUnitInterval() } }
        // ‖X̂‖² = Σ_{q,r} Πₙ (UₙᵀUₙ)_{qr}.
        var product = [Double](repeating: 1, count: rank * rank)
        for n in 0..<3 {
            let u = factors[n]
            for q in 0..<rank {
                for r in 0..<rank {
                    var g = 0.0
                    for i in 0..<tensor.shape[n] { g += u[i &* rank &+ q] * u[i &* rank &+ r] }
                    product[q &* rank &+ r] *= g
                }
            }
        }
        let modelNorm = product.reduce(0, +).squareRoot()
        if modelNorm > 0 {
            let scale = Double.pow(tensor.squaredNorm.squareRoot() / modelNorm, 1.0 / 3)
            for n in 0..<3 { for k in factors[n].indices { factors[n][k] *= scale } }
        }
        return factors
    }
}

/// One outer iteration of a CP solver over all three modes; returns the masked SSE afterwards.
protocol CPSolver {
    mutating func iterate() -> Double
    /// Called once after the last iteration, before the engine's factors are read.
    mutating func finish()
    /// Whether the last iteration's result was discarded (then it says nothing about convergence).
    var lastIterationDiscarded: Bool { get }
    /// Whether the solver can make no more progress at working precision (the fit then stops).
    var reachedFloor: Bool { get }
}

extension CPSolver {
    mutating func finish() {}
    var lastIterationDiscarded: Bool { false }
    var reachedFloor: Bool { false }
}

/// One fitted decomposition.
public struct NTFResult: Sendable, Hashable {
    /// The decomposition, components ordered by decreasing weight.
    public let factors: KruskalTensor
    /// ‖X − X̂‖ / ‖X‖ over the observed entries at the end.
    public let relativeError: Double
    /// Relative error at the start and after each iteration.
    public let errorTrace: [Double]
    public let iterations: Int
    /// Whether the improvement fell below the tolerance before `maxIterations`.
    public let converged: Bool
    public let algorithm: NonNegativeCP.Algorithm
    public let seed: UInt64
    /// Index of the restart (0 for a single fit).
    public let restart: Int
}
