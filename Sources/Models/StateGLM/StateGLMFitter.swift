import Foundation
import RealModule

/// Settings of generalised EM for the HMM-GLM.
public struct StateGLMFitOptions: Sendable {
    /// The M-step optimiser.
    public enum Optimizer: Sendable, Equatable {
        /// `steps` Adam steps per M-step (the reference: 50 steps, learning rate 0.01).
        case adam(steps: Int, learningRate: Double)
        /// L-BFGS with a monotone line search, at most `iterations` per M-step (deterministic priors only).
        case lbfgs(iterations: Int, memory: Int)
    }

    /// How E- and M-steps interleave over sequences.
    public enum Schedule: String, Sendable, Codable {
        /// Reference schedule: for each sequence in turn, an E-step on it then an M-step on its Q alone
        /// (the prior counted once per M-step).
        case perSequence
        /// Classic EM: E-step on all sequences, then one M-step on the summed Q (the prior scaled by
        /// the number of sequences, so that its weight matches the reference's).
        case batch
    }

    /// A short preliminary fit with another prior whose weights initialise this one (e.g. Gaussian
    /// before one-hot: the one-hot model alone often stalls in a poor basin, see the notes §5.2).
    public struct WarmStart: Sendable {
        public var prior: any InteractionPrior
        public var epochs: Int
        public init(prior: any InteractionPrior, epochs: Int) {
            self.prior = prior
            self.epochs = epochs
        }
    }

    /// Cheap screening of initial points, like scikit-learn's `n_init` but short: `starts` seeded starts
    /// each run `epochs` EM epochs on an evenly spaced subset of at most `sequences` training sequences
    /// (all when nil); the one with the best training objective on that subset is kept and continued
    /// for the full `epochs` of the fit on all sequences. A single random start of the weights can stop
    /// in a basin where two true states are merged and another split (docs/stateglm.md, simulation
    /// seed 2); the training objective separates those basins after one epoch, so screening picks the
    /// good one for a fraction of the cost of full restarts. With a warm start, the screening applies to
    /// the warm-start fit (which chooses the basin) and not again to the fit it initialises.
    public struct Screening: Sendable, Equatable {
        public var starts: Int
        public var epochs: Int
        public var sequences: Int?
        public init(starts: Int, epochs: Int = 1, sequences: Int? = nil) {
            self.starts = starts
            self.epochs = epochs
            self.sequences = sequences
        }

        /// Evenly spaced indices of at most `sequences` of `count` sequences (all when nil or ≥ count).
        public func subset(of count: Int) -> [Int] {
            guard let m = sequences, m < count else { return Array(0..<count) }
            return (0..<m).map { $0 * count / m }
        }
    }

    public var epochs: Int
    public var optimizer: Optimizer
    public var schedule: Schedule
    /// Independent starts with seeds split from `seed`; the one with the best final objective is kept.
    public var restarts: Int
    public var seed: UInt64
    /// Weight of the log-prior in the M-step loss; nil picks the schedule's default (see `Schedule`).
    public var priorScale: Double?
    public var forwardBackward: ForwardBackward.Method
    public var warmStart: WarmStart?
    /// Screened starts (see `Screening`); nil fits from one random start (per restart).
    public var screening: Screening? = nil
    /// Spread M-step evaluations over the cores (when `workers` is nil). The pieces are cut by bin counts
    /// only and added in a fixed order, so the result is the same on any machine and any thread count;
    /// off, everything runs on the calling thread.
    public var parallel: Bool
    /// Threads of the M-step's likelihood pass; nil takes every core when `parallel` is on, else one.
    /// Results are bit-identical for every value (fixed pieces, fixed reduction order).
    public var workers: Int? = nil
    /// One-hot prior: after the fit, decide each hard type against "none" by the model's MAP criterion
    /// (exact change of the expected log-likelihood plus the learned prior's log-odds; see
    /// `OneHotPrior.pruningHardTypes`) instead of argmax ψ alone.
    public var mapHardTypes: Bool
    /// M-step terms of (bin, state) pairs with posterior weight below this are skipped. The default
    /// 1e−10 changes the loss by < 1e−5 nats per reference-size sequence; larger values trade a
    /// bounded approximation (≤ cutoff · Σ|log p| per skipped pair) for speed.
    public var posteriorCutoff: Double
    /// Evaluate the Adam M-step's likelihood terms in float32, the reference implementation's precision
    /// (its fused kernel is ~2× faster than double; sums and gradients still accumulate in double).
    /// Only the Adam steps change: E-steps, the objective trace, the monotone-EM guard, L-BFGS and all
    /// exports stay double. On by default: at the reference demo size the fits match the float64 ones
    /// (docs/stateglm.md); set it to false for a float64 M-step.
    public var singlePrecisionMStep: Bool = true

    public init(
        epochs: Int = 10, optimizer: Optimizer = .adam(steps: 50, learningRate: 0.01), schedule: Schedule = .batch,
        restarts: Int = 1, seed: UInt64 = 0, priorScale: Double? = nil, forwardBackward: ForwardBackward.Method = .scaled,
        warmStart: WarmStart? = nil, parallel: Bool = true, mapHardTypes: Bool = true, posteriorCutoff: Double = 1e-10
    ) {
        self.posteriorCutoff = posteriorCutoff
        self.parallel = parallel
        self.mapHardTypes = mapHardTypes
        self.epochs = epochs
        self.optimizer = optimizer
        self.schedule = schedule
        self.restarts = restarts
        self.seed = seed
        self.priorScale = priorScale
        self.forwardBackward = forwardBackward
        self.warmStart = warmStart
    }

    public func validate(prior: any InteractionPrior) throws {
        try ParameterError.check(epochs >= 0, "epochs", expected: "an integer ≥ 0", found: epochs)
        try ParameterError.check(restarts >= 1, "restarts", expected: "an integer ≥ 1", found: restarts)
        if let priorScale { try ParameterError.check(priorScale >= 0 && priorScale.isFinite, "prior scale", expected: "a finite value ≥ 0", found: priorScale) }
        switch optimizer {
        case .adam(let steps, let rate):
            try ParameterError.check(steps >= 1, "Adam steps", expected: "an integer ≥ 1", found: steps)
            try ParameterError.check(rate > 0 && rate.isFinite, "learning rate", expected: "a finite value > 0", found: rate)
        case .lbfgs(let iterations, let memory):
            try ParameterError.check(iterations >= 1 && memory >= 1, "L-BFGS", expected: "iterations and memory ≥ 1", found: "\(iterations), \(memory)")
            try ParameterError.check(
                !prior.isStochastic, "optimizer", expected: "Adam for a stochastic (Gumbel-sampling) prior",
                found: "L-BFGS with prior \(prior.name)")
        }
        if let workers { try ParameterError.check(workers >= 1, "M-step workers", expected: "an integer ≥ 1", found: workers) }
        try ParameterError.check(
            posteriorCutoff >= 0 && posteriorCutoff < 1, "posterior cutoff", expected: "a value in [0, 1)", found: posteriorCutoff)
        if let warm = warmStart { try ParameterError.check(warm.epochs >= 1, "warm-start epochs", expected: "an integer ≥ 1", found: warm.epochs) }
        if let screen = screening {
            try ParameterError.check(screen.starts >= 1, "screening starts", expected: "an integer ≥ 1", found: screen.starts)
            try ParameterError.check(screen.epochs >= 1, "screening epochs", expected: "an integer ≥ 1", found: screen.epochs)
            if let m = screen.sequences { try ParameterError.check(m >= 1, "screening sequences", expected: "an integer ≥ 1", found: m) }
        }
    }
}

/// The outcome of `StateGLMFitter.fit`.
public struct StateGLMFit: Sendable {
    public var model: StateGLMModel
    /// Per epoch (before it, plus one after the last): Σ log p(x | θ) + scale · log prior(θ) +
    /// transition log-prior, at the E-step weights. Non-decreasing for deterministic priors in batch EM.
    public var objectiveTrace: [Double]
    /// Final objective of every restart; `bestRestart` indexes the kept one.
    public var restartObjectives: [Double]
    public var bestRestart: Int
    /// With screening: the objective of every screened start after its short run on the screening
    /// subset (of the kept restart); `bestScreenedStart` indexes the continued one.
    public var screenedObjectives: [Double] = []
    public var bestScreenedStart: Int = 0
    /// True when a monitor asked to stop early.
    public var stoppedEarly: Bool
}

/// Generalised EM for the HMM-GLM with any `InteractionPrior`.
public struct StateGLMFitter: Sendable {
    public var configuration: StateGLMConfiguration
    public var prior: any InteractionPrior
    public var options: StateGLMFitOptions

    public init(configuration: StateGLMConfiguration, prior: any InteractionPrior, options: StateGLMFitOptions = StateGLMFitOptions()) {
        self.configuration = configuration
        self.prior = prior
        self.options = options
    }

    /// Fits to sequences of T_m × N counts (bins × neurons, same N for all).
    public func fit(_ counts: [Matrix<Double>], monitor: any FitMonitor = SilentMonitor()) throws -> StateGLMFit {
        try configuration.validate()
        try options.validate(prior: prior)
        try ParameterError.check(!counts.isEmpty, "sequences", expected: "at least one", found: 0)
        let n = counts[0].columns
        for (i, c) in counts.enumerated() where c.columns != n {
            throw ParameterError("sequences", expected: "\(n) neurons in every sequence", found: "\(c.columns) in sequence \(i)")
        }
        let sequences = try counts.map { try StateGLMSequence(counts: $0, basis: configuration.basis, emission: configuration.emission) }
        return try fit(sequences: sequences, monitor: monitor)
    }

    public func fit(sequences: [StateGLMSequence], monitor: any FitMonitor = SilentMonitor()) throws -> StateGLMFit {
        try configuration.validate()
        try options.validate(prior: prior)
        var root = SeededGenerator(seed: options.seed)
        var best: StateGLMFit?
        var objectives: [Double] = []
        for restart in 0..<options.restarts {
            var generator = root.split()
            let label = options.restarts > 1 ? "EM start \(restart + 1)" : "EM"
            let run: StateGLMFit
            if let screen = options.screening, options.warmStart == nil {
                run = try screenedFit(sequences: sequences, screen: screen, generator: &generator, monitor: monitor, label: label)
            } else {
                run = try fitOnce(sequences: sequences, generator: &generator, monitor: monitor, label: label)
            }
            let final = run.objectiveTrace.last ?? -.infinity
            objectives.append(final)
            if best == nil || final > (best!.objectiveTrace.last ?? -.infinity) || !(best!.objectiveTrace.last ?? .nan).isFinite {
                best = run
                best!.bestRestart = restart
            }
            if run.stoppedEarly { break }
        }
        best!.restartObjectives = objectives
        return best!
    }

    /// The inverse link of each neuron's mean count: the bias of a model without coupling.
    func initialBias(_ sequences: [StateGLMSequence], neurons n: Int) -> [Double] {
        var mean = [Double](repeating: 0, count: n)
        var bins = 0
        for seq in sequences {
            bins += seq.binCount
            for t in 0..<seq.binCount { for j in 0..<n { mean[j] += seq.counts[t, j] } }
        }
        let base: [Double] = mean.map { total in
            let m = total / Double(Swift.max(bins, 1))
            switch (configuration.emission.likelihood, configuration.emission.link) {
            case (_, .sigmoid):
                let p = Swift.min(Swift.max(m, 1e-3), 1 - 1e-3)
                return Double.log(p / (1 - p))
            case (_, .softplus):
                let p = Swift.max(m, 1e-3)
                return p + Double.log(-Double.expMinusOne(-p))
            default:
                return Double.log(Swift.max(m, 1e-3))
            }
        }
        return configuration.perStateBias ? Array((0..<configuration.states).map { _ in base }.joined()) : base
    }

    /// `screen.starts` short fits on the screening subset, each from its own split generator; the best
    /// by final objective (ties: the earliest) is continued on all sequences for `options.epochs`.
    func screenedFit(
        sequences: [StateGLMSequence], screen: StateGLMFitOptions.Screening, generator: inout SeededGenerator,
        monitor: any FitMonitor, label: String
    ) throws -> StateGLMFit {
        let subset = screen.subset(of: sequences.count).map { sequences[$0] }
        var short = self
        short.options.epochs = screen.epochs
        short.options.mapHardTypes = false
        var objectives: [Double] = []
        var best: (index: Int, model: StateGLMModel, objective: Double)?
        for start in 0..<screen.starts {
            var g = generator.split()
            let run = try short.fitOnce(sequences: subset, generator: &g, monitor: monitor, label: "screening start \(start + 1)/\(screen.starts)")
            if run.stoppedEarly { return run }
            let value = run.objectiveTrace.last ?? -.infinity
            objectives.append(value)
            if value.isFinite && (best == nil || value > best!.objective) { best = (start, run.model, value) }
        }
        var g = generator.split()
        var fit = try fitOnce(sequences: sequences, generator: &g, monitor: monitor, label: label, initialModel: best?.model)
        fit.screenedObjectives = objectives
        fit.bestScreenedStart = best?.index ?? 0
        return fit
    }

    private func eStepMode(_ prior: any InteractionPrior) -> WeightMode { prior.isStochastic ? .hard : .expected }

    private func fitOnce(
        sequences: [StateGLMSequence], generator: inout SeededGenerator, monitor: any FitMonitor, label: String,
        initialModel: StateGLMModel? = nil
    ) throws -> StateGLMFit {
        let n = sequences[0].neuronCount, s = configuration.states
        var model = try StateGLMModel(
            configuration: configuration, prior: prior, neurons: n, bias: initialBias(sequences, neurons: n),
            priorParameters: prior.initialParameters(states: s, neurons: n, generator: &generator))
        if let initialModel {
            model.bias = initialModel.bias
            model.logTransition = initialModel.logTransition
            model.priorParameters = initialModel.priorParameters
        } else if let warm = options.warmStart {
            var warmOptions = options
            warmOptions.warmStart = nil
            warmOptions.restarts = 1
            warmOptions.epochs = warm.epochs
            warmOptions.seed = generator.next()
            let warmFit = try StateGLMFitter(configuration: configuration, prior: warm.prior, options: warmOptions)
                .fit(sequences: sequences, monitor: monitor)
            model.bias = warmFit.model.bias
            model.logTransition = warmFit.model.logTransition
            model.priorParameters = prior.parameters(approximating: warmFit.model.weights(mode: .expected), states: s, neurons: n)
        }
        let batch = options.schedule == .batch
        let scale = options.priorScale ?? (batch ? Double(sequences.count) : 1)
        let objective = StateGLMObjective(template: model, sequences: sequences, priorScale: scale)
        objective.workers = options.workers ?? (options.parallel ? ProcessInfo.processInfo.activeProcessorCount : 1)
        objective.cutoff = options.posteriorCutoff
        objective.singlePrecision = options.singlePrecisionMStep
        var adam: AdamState?
        if case .adam(_, let rate) = options.optimizer { adam = AdamState(count: model.flatParameters.count, learningRate: rate) }
        var trace: [Double] = []
        var stopped = false
        let eMode = eStepMode(prior)

        func eStep(_ indices: [Int]) -> (logLikelihood: Double, counts: Matrix<Double>) {
            var total = 0.0
            var counts = Matrix<Double>(rows: s, columns: s)
            for i in indices {
                let post = model.posterior(sequences[i], mode: eMode, method: options.forwardBackward)
                objective.posteriors[i] = post.posteriors
                total += post.logLikelihood
                counts.add(post.transitionCounts)
            }
            return (total, counts)
        }
        func currentObjective(_ logLikelihood: Double) -> Double {
            var g = SeededGenerator(seed: 0)
            let logPrior = prior.evaluate(model.priorParameters, states: s, neurons: n, mode: eMode, generator: &g).logPrior
            return logLikelihood + scale * logPrior + model.transitionLogPrior
        }
        func mStep(mode: WeightMode, generator: inout SeededGenerator) {
            var theta = model.flatParameters
            switch options.optimizer {
            case .adam(let steps, _):
                let start = theta
                // Only batch EM has a monotone objective to protect; the reference schedule is an
                // incremental EM over sequences (one sequence's Q per M-step) and, like the reference,
                // keeps every Adam step.
                let monotone = !prior.isStochastic && options.schedule == .batch
                var startLoss = Double.nan
                for step in 0..<steps {
                    projectFlat(&theta, model: model)
                    let (value, gradient) = objective.evaluate(theta, mode: mode, generator: &generator)
                    if step == 0 { startLoss = value }
                    adam!.step(&theta, gradient: gradient)
                }
                projectFlat(&theta, model: model)
                if monotone {
                    // Generalised EM only needs the M-step not to lose ground: keep the start otherwise.
                    // The comparison is in double even with a float32 M-step.
                    var g = generator
                    let endLoss = objective.evaluate(theta, mode: mode, generator: &g, exact: true).value
                    var reference = start
                    projectFlat(&reference, model: model)
                    let startProjected = objective.evaluate(reference, mode: mode, generator: &g, exact: true).value
                    // Step 0 evaluated the projected start, in float32 when that is on: compare in double.
                    if objective.singlePrecision { startLoss = startProjected }
                    if !(endLoss <= Swift.min(startLoss, startProjected)) || !endLoss.isFinite {
                        theta = startProjected <= startLoss || !startLoss.isFinite ? reference : start
                    }
                }
            case .lbfgs(let iterations, let memory):
                projectFlat(&theta, model: model)
                var g = generator
                // The line search compares nearby losses: always in double.
                let result = LimitedMemoryBFGS(memory: memory, maxIterations: iterations).minimize(theta) { x in
                    objective.evaluate(x, mode: mode, generator: &g, exact: true)
                }
                theta = result.minimizer
            }
            model.flatParameters = theta
        }

        for epoch in 0..<options.epochs {
            let mode = prior.trainingMode(epoch: epoch, epochs: options.epochs)
            if batch {
                let (ll, counts) = eStep(Array(sequences.indices))
                trace.append(currentObjective(ll))
                model.updateTransitions(counts: counts)
                objective.active = Array(sequences.indices)
                mStep(mode: mode, generator: &generator)
            } else {
                var total = 0.0
                for i in sequences.indices {
                    let (ll, counts) = eStep([i])
                    total += ll
                    model.updateTransitions(counts: counts)
                    objective.active = [i]
                    mStep(mode: mode, generator: &generator)
                }
                trace.append(currentObjective(total))
            }
            monitor.report(FitProgress(stage: label, iteration: epoch + 1, total: options.epochs, objective: trace.last))
            if monitor.shouldStop { stopped = true; break }
        }
        var (ll, _) = eStep(Array(sequences.indices))
        if options.mapHardTypes, !stopped, let onehot = prior as? OneHotPrior {
            let decision = onehot.pruningHardTypes(of: model, sequences: sequences, posteriors: objective.posteriors)
            if decision.dropped > 0 {
                model.priorParameters = decision.parameters
                ll = eStep(Array(sequences.indices)).logLikelihood
            }
        }
        trace.append(currentObjective(ll))
        return StateGLMFit(model: model, objectiveTrace: trace, restartObjectives: [], bestRestart: 0, stoppedEarly: stopped)
    }

    private func projectFlat(_ theta: inout [Double], model: StateGLMModel) {
        let b = model.bias.count
        var p = Array(theta[b...])
        prior.project(&p, states: model.states, neurons: model.neurons)
        theta.replaceSubrange(b..., with: p)
    }
}
