import Foundation

/// Recovery metrics against a known truth: state matching (Hungarian), state accuracy, weight error
/// and correlation, 3-class connection-type accuracy, held-out log-likelihood.
public enum StateGLMEvaluation {
    /// mapping[fitted state] = true state, maximising the posterior mass on the true states
    /// (Hungarian assignment on the S × S overlap Σ_t γ_t(fitted) · [z_t = true]).
    public static func matchStates(truth: [[Int]], posteriors: [Matrix<Double>], states: Int) throws -> [Int] {
        try ParameterError.check(truth.count == posteriors.count, "state matching", expected: "one posterior per true sequence", found: "\(posteriors.count) for \(truth.count)")
        var overlap = Matrix<Double>(rows: states, columns: states)
        for (z, gamma) in zip(truth, posteriors) {
            try ParameterError.check(z.count == gamma.rows && gamma.columns == states, "state matching", expected: "T × \(states) posteriors matching the true path", found: "\(gamma.rows) × \(gamma.columns) for \(z.count) bins")
            for t in 0..<z.count {
                guard z[t] >= 0 && z[t] < states else { throw ParameterError("true states", expected: "labels in 0..<\(states)", found: z[t]) }
                for f in 0..<states { overlap[f, z[t]] += gamma[t, f] }
            }
        }
        let assignment = try LinearAssignment(cost: overlap, maximize: true)
        var mapping = [Int](repeating: 0, count: states)
        for (r, c) in zip(assignment.rows, assignment.columns) { mapping[r] = c }
        return mapping
    }

    /// Fraction of bins whose mapped predicted state equals the true state.
    public static func stateAccuracy(truth: [[Int]], predicted: [[Int]], mapping: [Int]) -> Double {
        var agree = 0, total = 0
        for (z, p) in zip(truth, predicted) {
            precondition(z.count == p.count, "stateAccuracy: paths of different lengths")
            for t in 0..<z.count where mapping[p[t]] == z[t] { agree += 1 }
            total += z.count
        }
        return total == 0 ? .nan : Double(agree) / Double(total)
    }

    /// Posterior argmax per bin.
    public static func argmaxPath(_ gamma: Matrix<Double>) -> [Int] {
        (0..<gamma.rows).map { t in (0..<gamma.columns).max { gamma[t, $0] < gamma[t, $1] } ?? 0 }
    }

    /// Fitted per-state weights reordered into the true states' order (inverse of `mapping`).
    public static func alignedWeights(_ weights: [Double], mapping: [Int], neurons: Int) -> [Double] {
        let m = neurons * neurons
        var out = [Double](repeating: 0, count: weights.count)
        for (fitted, truthState) in mapping.enumerated() {
            out.replaceSubrange((truthState * m)..<((truthState + 1) * m), with: weights[(fitted * m)..<((fitted + 1) * m)])
        }
        return out
    }

    static func offDiagonal<T>(_ values: [T], neurons: Int) -> [T] {
        values.enumerated().filter { ($0.offset % (neurons * neurons)) / neurons != $0.offset % neurons }.map(\.element)
    }

    /// RMSE and Pearson correlation over the off-diagonal entries of all states.
    public static func weightAgreement(truth: [Double], fitted: [Double], neurons: Int) -> (rmse: Double, correlation: Double) {
        precondition(truth.count == fitted.count, "weightAgreement: different sizes")
        let a = offDiagonal(truth, neurons: neurons), b = offDiagonal(fitted, neurons: neurons)
        let count = Double(a.count)
        let rmse = (zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / count).squareRoot()
        let ma = a.reduce(0, +) / count, mb = b.reduce(0, +) / count
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for (x, y) in zip(a, b) { sab += (x - ma) * (y - mb); saa += (x - ma) * (x - ma); sbb += (y - mb) * (y - mb) }
        return (rmse, sab / (saa * sbb).squareRoot())
    }

    /// Plain and balanced (mean recall over inh, none, exc) accuracy of types in {−1, 0, 1}, off-diagonal.
    public static func typeAccuracy(truth: [Int], predicted: [Int], neurons: Int) -> (accuracy: Double, balanced: Double) {
        let a = offDiagonal(truth, neurons: neurons), b = offDiagonal(predicted, neurons: neurons)
        var correct = 0
        var hit = [0, 0, 0], support = [0, 0, 0]
        for (x, y) in zip(a, b) {
            support[x + 1] += 1
            if x == y { correct += 1; hit[x + 1] += 1 }
        }
        let recalls = (0..<3).filter { support[$0] > 0 }.map { Double(hit[$0]) / Double(support[$0]) }
        return (Double(correct) / Double(a.count), recalls.reduce(0, +) / Double(recalls.count))
    }

    /// sign(w) · [|w| > threshold].
    public static func thresholdTypes(_ weights: [Double], threshold: Double) -> [Int] {
        weights.map { Swift.abs($0) <= threshold ? 0 : ($0 > 0 ? 1 : -1) }
    }

    /// The oracle threshold maximising plain type accuracy (so the figure is optimistic; reported as such).
    public static func bestThresholdTypeAccuracy(truth: [Int], weights: [Double], neurons: Int)
        -> (threshold: Double, accuracy: Double, balanced: Double) {
        let candidates = [0.0] + offDiagonal(weights, neurons: neurons).map { Swift.abs($0) }.sorted().enumerated()
            .filter { $0.offset % 10 == 0 }.map(\.element)
        var best = (threshold: 0.0, accuracy: -1.0, balanced: 0.0)
        for c in candidates {
            let r = typeAccuracy(truth: truth, predicted: thresholdTypes(weights, threshold: c), neurons: neurons)
            if r.accuracy > best.accuracy { best = (c, r.accuracy, r.balanced) }
        }
        return best
    }
}

/// All recovery figures of one fit against a simulation, as the validation and the demo report them.
public struct StateGLMRecovery: Sendable {
    public var stateAccuracy: Double
    public var heldOutLogLikelihoodPerBin: Double
    public var trueHeldOutLogLikelihoodPerBin: Double
    public var weightRMSE: Double
    public var weightCorrelation: Double
    /// One-hot: hard types, no threshold. Naive/Gaussian: the oracle threshold (see `typeThreshold`).
    public var typeAccuracy: Double
    public var typeBalancedAccuracy: Double
    /// nil when types came without a threshold (one-hot).
    public var typeThreshold: Double?
    /// One-hot only: argmax of the learned α against the generator's α argmax, off-diagonal.
    public var priorAgreement: Double?

    /// States are matched on the training sequences, then scored (posterior argmax) on held-out ones.
    public init(fit: StateGLMModel, simulation: StateGLMSimulation.Result, training: [Int], heldOut: [Int]) throws {
        let sim = simulation.simulation, n = sim.neurons
        let basis = fit.configuration.basis
        func sequences(_ idx: [Int]) throws -> [StateGLMSequence] {
            try idx.map { try StateGLMSequence(counts: simulation.counts[$0], basis: basis, emission: fit.configuration.emission) }
        }
        let train = try sequences(training), test = try sequences(heldOut)
        let mapping = try StateGLMEvaluation.matchStates(
            truth: training.map { simulation.truth.states[$0] }, posteriors: train.map { fit.posterior($0).posteriors }, states: sim.states)
        let testPosteriors = test.map { fit.posterior($0) }
        stateAccuracy = StateGLMEvaluation.stateAccuracy(
            truth: heldOut.map { simulation.truth.states[$0] }, predicted: testPosteriors.map { StateGLMEvaluation.argmaxPath($0.posteriors) },
            mapping: mapping)
        let bins = Double(test.reduce(0) { $0 + $1.binCount })
        heldOutLogLikelihoodPerBin = testPosteriors.reduce(0) { $0 + $1.logLikelihood } / bins
        let truthModel = try simulation.trueModel()
        let truthTest = try heldOut.map { try StateGLMSequence(counts: simulation.counts[$0], basis: sim.basis, emission: sim.emission) }
        trueHeldOutLogLikelihoodPerBin = truthModel.logLikelihoodPerBin(truthTest)
        let weights = StateGLMEvaluation.alignedWeights(fit.weights(mode: .hard), mapping: mapping, neurons: n)
        (weightRMSE, weightCorrelation) = StateGLMEvaluation.weightAgreement(truth: simulation.truth.weights, fitted: weights, neurons: n)
        if let onehot = fit.prior as? OneHotPrior {
            let types = StateGLMEvaluation.alignedWeights(
                onehot.hardTypes(fit.priorParameters, states: sim.states, neurons: n).map(Double.init), mapping: mapping, neurons: n).map { Int($0) }
            (typeAccuracy, typeBalancedAccuracy) = StateGLMEvaluation.typeAccuracy(truth: simulation.truth.types, predicted: types, neurons: n)
            typeThreshold = nil
            let alpha = onehot.typeProbabilities(fit.priorParameters, states: sim.states, neurons: n)
            let trueAlpha = simulation.truth.typeProbabilities
            var agree = 0, total = 0
            for k in 0..<(n * n) where k / n != k % n {
                let a = (0..<3).max { alpha[k * 3 + $0] < alpha[k * 3 + $1] }!
                let b = (0..<3).max { trueAlpha[k * 3 + $0] < trueAlpha[k * 3 + $1] }!
                if a == b { agree += 1 }
                total += 1
            }
            priorAgreement = Double(agree) / Double(total)
        } else {
            let best = StateGLMEvaluation.bestThresholdTypeAccuracy(truth: simulation.truth.types, weights: weights, neurons: n)
            (typeAccuracy, typeBalancedAccuracy, typeThreshold) = (best.accuracy, best.balanced, best.threshold)
            priorAgreement = nil
        }
    }
}
