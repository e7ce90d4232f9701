import Foundation
import Models

/// The HMM-GLM on its simulated sample: fit the naive, Gaussian and one-hot models on 6 sequences and
/// score states, likelihood, weights and connection types on 2 held-out ones against the truth.
struct StateGLMDemo: DemoPipeline {
    let name = "stateglm"
    let summary = "HMM-GLM (3 states, 10 neurons) with naive / Gaussian / one-hot coupling priors → states, weights, types"
    let inputFile = "stateglm.h5"

    func run(_ input: URL) throws -> DemoOutcome {
        let sim = try StateGLMSimulation.Result(contentsOf: input)
        let total = sim.counts.count
        let training = Array(0..<(total - 2)), heldOut = Array((total - 2)..<total)
        let configuration = StateGLMConfiguration(states: sim.simulation.states, basis: sim.simulation.basis, emission: sim.simulation.emission)
        var table = TextTable(
            ["prior", "state acc.", "held-out LL/bin", "true LL/bin", "weight corr.", "type acc.", "types from"],
            alignments: [.left, .right, .right, .right, .right, .right, .left])
        var worst = 1.0
        let fits: [(any InteractionPrior, StateGLMFitOptions)] = [
            (NaivePrior(), StateGLMFitOptions(epochs: 8, optimizer: .lbfgs(iterations: 30, memory: 10), restarts: 2, seed: 0)),
            (GaussianPrior(), StateGLMFitOptions(epochs: 8, optimizer: .lbfgs(iterations: 30, memory: 10), restarts: 2, seed: 0, priorScale: 1)),
            (OneHotPrior(), StateGLMFitOptions(
                epochs: 6, optimizer: .adam(steps: 40, learningRate: 0.05), seed: 1, warmStart: .init(prior: GaussianPrior(), epochs: 4))),
        ]
        for (prior, options) in fits {
            let fit = try StateGLMFitter(configuration: configuration, prior: prior, options: options).fit(training.map { sim.counts[$0] })
            let r = try StateGLMRecovery(fit: fit.model, simulation: sim, training: training, heldOut: heldOut)
            worst = min(worst, r.stateAccuracy)
            table.append([
                prior.name, String(format: "%.3f", r.stateAccuracy), String(format: "%.3f", r.heldOutLogLikelihoodPerBin),
                String(format: "%.3f", r.trueHeldOutLogLikelihoodPerBin), String(format: "%.2f", r.weightCorrelation),
                String(format: "%.2f", r.typeAccuracy),
                r.typeThreshold.map { String(format: "oracle |w| > %.2f", $0) } ?? "hard one-hot types",
            ])
        }
        return DemoOutcome(table: table, headline: String(format: "state accuracy ≥ %.3f for all three priors", worst))
    }
}
