import Foundation
import Models

// neuro-bench-stateglm: the release-mode harness of the HMM-GLM (issue 8).
//   recover   one simulated fit, its recovery figures as one JSON line (used by `validate`)
//   validate  full reference demo size, all three priors, a markdown table on standard output
//   bench     time per EM epoch in the reference configuration (E-step + 50 Adam steps per sequence),
//             on counts written by `dump`; JSON on standard output (compare/stateglm.py)
//   dump      the simulated counts as one .npy (sequences × T × N, float64) + truth for PyTorch
//   realdata  the two real-data fits behind docs/stateglm.md

let arguments = Array(CommandLine.arguments.dropFirst())
let mode = arguments.first ?? "recover"
let options: [String: String] = {
    var out: [String: String] = [:]
    var i = 1
    while i < arguments.count {
        let key = arguments[i].hasPrefix("--") ? String(arguments[i].dropFirst(2)) : arguments[i]
        out[key] = i + 1 < arguments.count ? arguments[i + 1] : ""
        i += 2
    }
    return out
}()
func int(_ key: String, _ fallback: Int) -> Int { Int(options[key] ?? "") ?? fallback }
func double(_ key: String, _ fallback: Double) -> Double { Double(options[key] ?? "") ?? fallback }
func string(_ key: String, _ fallback: String) -> String { options[key] ?? fallback }

func makePrior(_ name: String) -> any InteractionPrior {
    switch name {
    case "gaussian": return GaussianPrior()
    case "onehot": return OneHotPrior(initialTemperature: double("tau0", 0.5), finalTemperature: double("tau1", 0.2))
    case "onehot-expected": return OneHotPrior(deterministic: true)
    default: return NaivePrior()
    }
}

func simulation() -> StateGLMSimulation {
    StateGLMSimulation(
        states: int("states", 5), neurons: int("neurons", 20), binsPerSequence: int("bins", 2000),
        sequences: int("sequences", 50),
        typeConcentration: options["concentration"].map { c in c.split(separator: ",").map { Double($0)! } } ?? [0.2, 1.6, 0.2])
}

func fitOptions(prior: String, seed: UInt64) -> StateGLMFitOptions {
    let optimizer: StateGLMFitOptions.Optimizer = string("optimizer", "adam") == "lbfgs"
        ? .lbfgs(iterations: int("steps", 50), memory: 10) : .adam(steps: int("steps", 50), learningRate: double("lr", 0.01))
    let warm = int("warm", prior == "onehot" ? 5 : 0)
    return StateGLMFitOptions(
        epochs: int("epochs", 10), optimizer: optimizer,
        schedule: string("schedule", "batch") == "batch" ? .batch : .perSequence,
        restarts: int("restarts", 1), seed: seed,
        warmStart: warm > 0 && prior.hasPrefix("onehot") ? .init(prior: GaussianPrior(), epochs: warm) : nil)
}

func recover(prior name: String, sim: StateGLMSimulation.Result, seed: UInt64) throws -> [String: Double] {
    let training = Array(0..<int("train", 30)), heldOut = Array(int("train", 30)..<sim.counts.count)
    let configuration = StateGLMConfiguration(states: sim.simulation.states, basis: sim.simulation.basis, emission: sim.simulation.emission)
    let start = Date()
    let fit = try StateGLMFitter(configuration: configuration, prior: makePrior(name), options: fitOptions(prior: name, seed: seed))
        .fit(training.map { sim.counts[$0] })
    let seconds = Date().timeIntervalSince(start)
    let r = try StateGLMRecovery(fit: fit.model, simulation: sim, training: training, heldOut: heldOut)
    // The true model's own state accuracy (posterior argmax), the ceiling for any fit.
    let truth = try sim.trueModel()
    let truthPaths = try heldOut.map { idx in
        StateGLMEvaluation.argmaxPath(truth.posterior(try StateGLMSequence(counts: sim.counts[idx], basis: sim.simulation.basis, emission: sim.simulation.emission)).posteriors)
    }
    let ceiling = StateGLMEvaluation.stateAccuracy(
        truth: heldOut.map { sim.truth.states[$0] }, predicted: truthPaths, mapping: Array(0..<sim.simulation.states))
    var out: [String: Double] = [
        "state_accuracy": r.stateAccuracy, "true_model_state_accuracy": ceiling,
        "heldout_ll_per_bin": r.heldOutLogLikelihoodPerBin, "true_heldout_ll_per_bin": r.trueHeldOutLogLikelihoodPerBin,
        "weight_rmse": r.weightRMSE, "weight_correlation": r.weightCorrelation,
        "type_accuracy": r.typeAccuracy, "type_balanced_accuracy": r.typeBalancedAccuracy, "fit_seconds": seconds,
        "final_objective": fit.objectiveTrace.last ?? .nan,
    ]
    if let t = r.typeThreshold { out["type_threshold"] = t }
    if let a = r.priorAgreement { out["prior_agreement"] = a }
    return out
}

func json(_ values: [String: Any]) -> String {
    String(data: try! JSONSerialization.data(withJSONObject: values, options: [.sortedKeys]), encoding: .utf8)!
}

do {
    switch mode {
    case "recover":
        let sim = try simulation().simulate(seed: UInt64(int("sim-seed", 0)))
        var out: [String: Any] = try recover(prior: string("prior", "naive"), sim: sim, seed: UInt64(int("seed", 0)))
        out["prior"] = string("prior", "naive")
        print(json(out))
    default:
        FileHandle.standardError.write(Data("unknown mode \(mode)\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
