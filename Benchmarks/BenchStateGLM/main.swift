import Foundation
import Models

// neuro-bench-stateglm: the release-mode harness of the HMM-GLM (issue 8).
//   recover   one simulated fit, its recovery figures as one JSON line (used by `validate`)
//   validate  full reference demo size, all three priors, a markdown table on standard output
//   bench     time per EM epoch in the reference configuration (E-step + 50 Adam steps per sequence),
//             on counts written by `dump`; JSON on standard output (compare/stateglm.py); `--workers N`
//             threads for the M-step, `--clock wall` for wall-clock instead of process CPU time
//   dump      the simulated counts as one .npy (sequences × T × N, float64) + truth for PyTorch
//   realdata  the two real-data fits behind docs/stateglm.md
//   profile   milliseconds per M-step loss, per emission evaluation, per design product and per E-step

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
/// `--workers N` (bench): the fit options' own `options` shadows the dictionary where it is read.
let workerOption = options["workers"].flatMap(Int.init)
func int(_ key: String, _ fallback: Int) -> Int { Int(options[key] ?? "") ?? fallback }
func double(_ key: String, _ fallback: Double) -> Double { Double(options[key] ?? "") ?? fallback }
func string(_ key: String, _ fallback: String) -> String { options[key] ?? fallback }

func makePrior(_ name: String) -> any InteractionPrior {
    switch name {
    case "gaussian": return GaussianPrior(standardDeviation: double("sigma", 1.0 / 3.0), learnsStandardDeviation: string("learn-sigma", "no") == "yes")
    case "onehot": return OneHotPrior(
        initialTemperature: double("tau0", 0.5), finalTemperature: double("tau1", 0.2), warmStartThreshold: double("warm-threshold", 0.5))
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
    let warmPrior: any InteractionPrior = string("warm-prior", "gaussian") == "naive" ? NaivePrior() : GaussianPrior(standardDeviation: double("sigma", 1.0 / 3.0), learnsStandardDeviation: string("learn-sigma", "no") == "yes")
    var fitOptions = StateGLMFitOptions(
        epochs: int(prior.hasPrefix("onehot") ? "onehot-epochs" : "epochs", int("epochs", 10)), optimizer: optimizer,
        schedule: string("schedule", "batch") == "batch" ? .batch : .perSequence,
        restarts: int("restarts", 1), seed: seed,
        priorScale: options["prior-scale"].flatMap(Double.init),
        warmStart: warm > 0 && prior.hasPrefix("onehot") ? .init(prior: warmPrior, epochs: warm) : nil,
        mapHardTypes: string("map-types", "yes") == "yes", posteriorCutoff: double("cutoff", 1e-10))
    // --precision single|double: the M-step's likelihood terms in float32 or float64 (default: the library's).
    if let precision = options["precision"] { fitOptions.singlePrecisionMStep = precision == "single" }
    // --screen-starts k [--screen-epochs e] [--screen-sequences m]: k short seeded starts, best continued.
    if int("screen-starts", 0) > 0 {
        fitOptions.screening = .init(
            starts: int("screen-starts", 0), epochs: int("screen-epochs", 1), sequences: options["screen-sequences"].flatMap(Int.init))
    }
    return fitOptions
}

func recover(prior name: String, sim: StateGLMSimulation.Result, seed: UInt64) throws -> [String: Double] {
    let training = Array(0..<int("train", 30)), heldOut = Array(int("train", 30)..<sim.counts.count)
    let configuration = StateGLMConfiguration(states: sim.simulation.states, basis: sim.simulation.basis, emission: sim.simulation.emission)
    let start = Date()
    var options = fitOptions(prior: name, seed: seed)
    let mapTypes = options.mapHardTypes && name == "onehot"
    options.mapHardTypes = false
    var fit = try StateGLMFitter(configuration: configuration, prior: makePrior(name), options: options)
        .fit(training.map { sim.counts[$0] })
    // One-hot: score the argmax-ψ types first, then apply the MAP type decision (what the fitter does
    // by default) to the same fit, so both figures come from one run.
    var argmaxFigures: [String: Double] = [:]
    if mapTypes, let onehot = fit.model.prior as? OneHotPrior {
        let before = try StateGLMRecovery(fit: fit.model, simulation: sim, training: training, heldOut: heldOut)
        argmaxFigures = [
            "argmax_type_accuracy": before.typeAccuracy, "argmax_type_balanced_accuracy": before.typeBalancedAccuracy,
            "argmax_heldout_ll_per_bin": before.heldOutLogLikelihoodPerBin, "argmax_state_accuracy": before.stateAccuracy,
        ]
        let sequences = try training.map { try StateGLMSequence(counts: sim.counts[$0], basis: configuration.basis, emission: configuration.emission) }
        let decision = onehot.pruningHardTypes(of: fit.model, sequences: sequences, posteriors: sequences.map { fit.model.posterior($0).posteriors })
        fit.model.priorParameters = decision.parameters
        argmaxFigures["dropped_types"] = Double(decision.dropped)
    }
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
    for (i, value) in fit.screenedObjectives.enumerated() { out["screened_objective_\(i)"] = value }
    if !fit.screenedObjectives.isEmpty { out["screened_best_start"] = Double(fit.bestScreenedStart) }
    out.merge(argmaxFigures) { a, _ in a }
    if let t = r.typeThreshold { out["type_threshold"] = t }
    if let a = r.priorAgreement { out["prior_agreement"] = a }
    return out
}

/// CPU time of this process: on a machine shared with other jobs, wall-clock time measures the load,
/// not the code; with one BLAS thread the process time is the work done.
func processSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
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
    case "screen":
        // Diagnosis of the start basins: `screen-starts` short fits (`screen-epochs` epochs on
        // `screen-sequences` evenly spaced training sequences) from fit seeds seed, seed+1, ..., each start's objective and how its
        // fitted states cover the true ones on those sequences (posterior argmax counts). JSON lines.
        let sim = try simulation().simulate(seed: UInt64(int("sim-seed", 0)))
        let name = string("prior", "naive")
        let configuration = StateGLMConfiguration(states: sim.simulation.states, basis: sim.simulation.basis, emission: sim.simulation.emission)
        let screen = StateGLMFitOptions.Screening(
            starts: int("screen-starts", 4), epochs: int("screen-epochs", 1), sequences: options["screen-sequences"].flatMap(Int.init))
        let subset = screen.subset(of: int("train", 30))
        // Start i is the plain single start of fit seed `seed` + i (seed 0: the validation's own start).
        for start in 0..<screen.starts {
            var options = fitOptions(prior: name, seed: UInt64(int("seed", 0) + start))
            options.epochs = screen.epochs
            options.screening = nil
            options.mapHardTypes = false
            let fit = try StateGLMFitter(configuration: configuration, prior: makePrior(name), options: options).fit(subset.map { sim.counts[$0] })
            let s = sim.simulation.states
            var confusion = [[Int]](repeating: [Int](repeating: 0, count: s), count: s)  // [fitted][true]
            for idx in subset {
                let path = StateGLMEvaluation.argmaxPath(fit.model.posterior(try StateGLMSequence(counts: sim.counts[idx], basis: configuration.basis, emission: configuration.emission)).posteriors)
                for (t, f) in path.enumerated() { confusion[f][sim.truth.states[idx][t]] += 1 }
            }
            let total = Double(confusion.joined().reduce(0, +))
            let matched = confusion.map { $0.max()! }.reduce(0, +)
            print(json(["start": start, "objective": fit.objectiveTrace.last!, "trace": fit.objectiveTrace,
                        "greedy_purity": Double(matched) / total, "confusion_fitted_by_true": confusion]))
        }
    case "dump":
        // The first `train` sequences of the demo simulation, for the PyTorch reference.
        let sim = try simulation().simulate(seed: UInt64(int("sim-seed", 0)))
        let m = int("train", 30)
        let (t, n) = (sim.simulation.binsPerSequence, sim.simulation.neurons)
        let values = sim.counts.prefix(m).flatMap(\.elements)
        try NPYFile.write(NumericArray(shape: [m, t, n], values: values), to: URL(fileURLWithPath: string("out", "stateglm_counts.npy")))
        print(json(["sequences": m, "bins": t, "neurons": n, "states": sim.simulation.states]))
    case "bench":
        // The reference configuration: per sequence an E-step then 50 Adam steps (lr 0.01) on that
        // sequence's Q, π updated in closed form; seconds per epoch = mean per sequence × `train`.
        let sim = try simulation().simulate(seed: UInt64(int("sim-seed", 0)))
        let m = int("train", 30), measured = int("measure", m)
        let configuration = StateGLMConfiguration(states: sim.simulation.states, basis: sim.simulation.basis, emission: sim.simulation.emission)
        var results: [String: Any] = ["sequences": m, "measured_sequences": measured, "threads": ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "default"]
        for name in string("priors", "naive,gaussian,onehot").split(separator: ",").map(String.init) {
            var times: [Double] = []
            for _ in 0..<int("repeats", 3) {
                // The MAP hard-type decision is post-fit analysis, not part of an EM epoch: off here.
                var options = StateGLMFitOptions(
                    epochs: 1, optimizer: .adam(steps: 50, learningRate: 0.01), schedule: .perSequence, seed: 1,
                    parallel: string("parallel", "no") == "yes", mapHardTypes: false, posteriorCutoff: double("cutoff", 1e-10))
                options.singlePrecisionMStep = string("precision", "single") == "single"
                // --workers N: threads of the M-step's likelihood pass (results do not depend on it).
                if let workers = workerOption { options.workers = workers }
                let fitter = StateGLMFitter(configuration: configuration, prior: makePrior(name == "onehot" ? "onehot" : name), options: options)
                let sequences = Array(sim.counts.prefix(measured))
                let start = processSeconds(), wallStart = Date()
                let fit = try fitter.fit(sequences)
                // The objective after the epoch (final E-step): double and float32 M-steps should agree.
                results[name + "_objective"] = fit.objectiveTrace.last!
                let elapsed = string("clock", "cpu") == "wall" ? Date().timeIntervalSince(wallStart) : processSeconds() - start
                times.append(elapsed / Double(measured) * Double(m))
            }
            results[name] = times.min()!
            results[name + "_all"] = times
        }
        print(json(results))
    case "validate":
        // Full demo size, each prior, `seeds` simulations: a markdown table on standard output.
        var rows: [String] = []
        let priors = string("priors", "naive,gaussian,onehot").split(separator: ",").map(String.init)
        for simSeed in int("first-seed", 0)..<(int("first-seed", 0) + int("seeds", 2)) {
            let sim = try simulation().simulate(seed: UInt64(simSeed))
            for name in priors {
                let r = try recover(prior: name, sim: sim, seed: UInt64(int("seed", 0)))
                let threshold = r["type_threshold"].map { String(format: "oracle threshold %.2f", $0) } ?? "none (hard types)"
                rows.append(String(
                    format: "| %d | %@ | %.3f (%.3f) | %.3f | %.3f | %.2f%% | %.2f | %.2f | %.3f | %.3f | %@ | %@ | %.0f |",
                    simSeed, name, r["state_accuracy"]!, r["true_model_state_accuracy"]!, r["heldout_ll_per_bin"]!,
                    r["true_heldout_ll_per_bin"]!,
                    100 * Swift.abs(r["heldout_ll_per_bin"]! / r["true_heldout_ll_per_bin"]! - 1),
                    r["weight_correlation"]!, r["weight_rmse"]!, r["type_accuracy"]!, r["type_balanced_accuracy"]!, threshold,
                    r["prior_agreement"].map { String(format: "%.2f", $0) } ?? "–", r["fit_seconds"]!))
                FileHandle.standardError.write(Data((rows.last! + "\n").utf8))
            }
        }
        print("| simulation seed | prior | state accuracy (true model) | held-out LL/bin | true model LL/bin | LL gap | weight corr. | weight RMSE | type accuracy | balanced type acc. | type threshold | learned-prior agreement | fit s |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for row in rows { print(row) }
    case "profile":
        let sim = try simulation().simulate(seed: 0)
        let configuration = StateGLMConfiguration(states: 5, basis: sim.simulation.basis, emission: sim.simulation.emission)
        let seq = try StateGLMSequence(counts: sim.counts[0], basis: configuration.basis, emission: configuration.emission)
        var rng = SeededGenerator(seed: 1)
        let prior = makePrior(string("prior", "naive"))
        let model = try StateGLMModel(configuration: configuration, prior: prior, neurons: 20, bias: [Double](repeating: 0, count: 20),
                                      priorParameters: prior.initialParameters(states: 5, neurons: 20, generator: &rng))
        let gamma = Matrix<Double>(rows: 2000, columns: 5, repeating: 0.2)
        let reps = int("reps", 200)
        var start = Date()
        for _ in 0..<reps { _ = model.mStepLoss(sequences: [seq], posteriors: [gamma], priorScale: 1, mode: .sample(temperature: 0.2)) }
        let step = Date().timeIntervalSince(start) / Double(reps)
        start = Date()
        for _ in 0..<reps { _ = model.logEmissions(seq) }
        let emissions = Date().timeIntervalSince(start) / Double(reps)
        let design = Matrix<Double>(rows: 2000, columns: 21, repeating: 0.5), c = Matrix<Double>(rows: 21, columns: 100, repeating: 0.1)
        start = Date()
        for _ in 0..<reps { _ = design.multiplied(by: c) }
        let gemm = Date().timeIntervalSince(start) / Double(reps)
        let e = try simulation().simulate(seed: 0)
        let post = try StateGLMSequence(counts: e.counts[1], basis: configuration.basis, emission: configuration.emission)
        start = Date()
        for _ in 0..<20 { _ = model.posterior(post) }
        let fb = Date().timeIntervalSince(start) / 20
        print(json(["mstep_ms": step * 1e3, "log_emissions_ms": emissions * 1e3, "gemm_ms": gemm * 1e3, "posterior_ms": fb * 1e3]))
    case "realdata":
        let root = URL(fileURLWithPath: string("data", "../shared/data"))
        var lines: [String] = []
        let which = string("which", "allen,nelpy")
        if which.contains("allen") {
            lines += try RealData.allen(root.appendingPathComponent("spikes/allen-719161530")).run(seed: UInt64(int("seed", 0)), epochs: int("epochs", 10))
        }
        if which.contains("nelpy") {
            lines += try RealData.nelpy(root.appendingPathComponent("spikes/nelpy-linear-track"), binWidth: double("bin", 0.2))
                .run(seed: UInt64(int("seed", 0)), epochs: int("epochs", 10))
        }
        print(lines.joined(separator: "\n"))
    default:
        FileHandle.standardError.write(Data("unknown mode \(mode)\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
