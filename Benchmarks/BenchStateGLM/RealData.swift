import Foundation
import Models

/// The real-data fits of docs/stateglm.md: Allen 719161530 (movie vs spontaneous) and the nelpy linear
/// track (track vs rest, running direction). Each recording is cut into sequences; even ones train,
/// odd ones measure held-out log-likelihood; the fitted model then decodes the whole recording
/// (Viterbi) and its states are tabulated against the behavioural/epoch labels.
struct RealDataFit {
    var name: String
    var binWidth: Double
    /// T × N counts of the whole recording.
    var counts: Matrix<Double>
    /// One label per bin, and the label names.
    var labels: [Int]
    var labelNames: [String]
    var sequenceLength: Int
    var states: Int

    func sequences(_ parity: Int) -> [Matrix<Double>] {
        let n = counts.columns, chunks = counts.rows / sequenceLength
        return stride(from: parity, to: chunks, by: 2).map { c in
            Matrix(rows: sequenceLength, columns: n, elements: Array(counts.elements[(c * sequenceLength * n)..<((c + 1) * sequenceLength * n)]))
        }
    }

    func run(seed: UInt64, epochs: Int) throws -> [String] {
        let configuration = StateGLMConfiguration(
            states: states, basis: try .exponential(length: 5, decay: 1), emission: StateGLMEmission(likelihood: .poisson, link: .softplus))
        let train = sequences(0), test = try sequences(1).map { try StateGLMSequence(counts: $0, basis: configuration.basis, emission: configuration.emission) }
        let whole = try StateGLMSequence(counts: counts, basis: configuration.basis, emission: configuration.emission)
        var lines = [
            "### \(name)", "",
            "\(counts.columns) units, \(counts.rows) bins of \(binWidth) s; \(train.count) training and \(test.count) held-out sequences of \(sequenceLength) bins (alternating); \(states) states, Poisson, softplus link, K = 5 history basis; \(epochs) EM epochs × 50 Adam steps (lr 0.01, batch schedule), seed \(seed).", "",
            "| prior | held-out LL / bin | vs naive | state ↔ label agreement (Hungarian) | fit s |", "|---|---|---|---|---|",
        ]
        var naiveLL = Double.nan
        var tables: [String] = []
        for prior in [NaivePrior() as any InteractionPrior, GaussianPrior(), OneHotPrior()] {
            let options = StateGLMFitOptions(
                epochs: epochs, optimizer: .adam(steps: 50, learningRate: 0.01), seed: seed,
                warmStart: prior is OneHotPrior ? .init(prior: GaussianPrior(), epochs: max(1, epochs / 2)) : nil)
            let start = Date()
            let fit = try StateGLMFitter(configuration: configuration, prior: prior, options: options).fit(train)
            let seconds = Date().timeIntervalSince(start)
            let ll = fit.model.logLikelihoodPerBin(test)
            if prior is NaivePrior { naiveLL = ll }
            let path = fit.model.viterbi(whole)
            // Contingency states × labels, and the best one-to-one agreement.
            let k = labelNames.count
            var table = Matrix<Double>(rows: states, columns: k)
            for (z, l) in zip(path, labels) where l >= 0 { table[z, l] += 1 }
            var agreement = Double.nan
            if let assignment = try? LinearAssignment(cost: table, maximize: true) {
                let hit = zip(assignment.rows, assignment.columns).reduce(0.0) { $0 + table[$1.0, $1.1] }
                agreement = hit / Double(labels.filter { $0 >= 0 }.count)
            }
            lines.append(String(format: "| %@ | %.4f | %+.4f | %.3f | %.0f |", prior.name, ll, ll - naiveLL, agreement, seconds))
            var rows = ["", "\(prior.name): bins per (Viterbi state × label), whole recording", "",
                        "| state | " + labelNames.joined(separator: " | ") + " | total |",
                        "|---|" + String(repeating: "---|", count: k + 1)]
            for z in 0..<states {
                let total = (0..<k).reduce(0.0) { $0 + table[z, $1] }
                rows.append("| \(z) | " + (0..<k).map { String(format: "%.0f (%.0f%%)", table[z, $0], total > 0 ? 100 * table[z, $0] / total : 0) }.joined(separator: " | ") + String(format: " | %.0f |", total))
            }
            tables += rows
        }
        return lines + tables + [""]
    }
}

enum RealData {
    static func allen(_ folder: URL) throws -> RealDataFit {
        let y = try SpikeTextFiles.readMatrix(folder.appendingPathComponent("Y.csv"))
        let states = try SpikeTextFiles.readLabels(folder.appendingPathComponent("Lab_states.csv"))
        let counts = Matrix(rows: y.rows, columns: y.columns, elements: y.values).transposed()
        return RealDataFit(
            name: "Allen Brain Observatory 719161530 (CA1, LP, VISp): spontaneous vs natural movie", binWidth: 0.5, counts: counts,
            labels: states, labelNames: ["spontaneous", "movie"], sequenceLength: 60, states: 2)
    }

    static func nelpy(_ folder: URL, binWidth: Double) throws -> RealDataFit {
        let mat = try MATFile(url: folder.appendingPathComponent("spikes.mat"))
        var trains: [[Double]] = []
        func walk(_ value: MATValue) {
            switch value {
            case .cell(let cell): cell.elements.forEach(walk)
            case .structure(let s):
                if let times = s.values(field: "time") {
                    for t in times {
                        if let d = t.doubles, !d.isEmpty { trains.append(d.sorted()) } else { walk(t) }
                    }
                } else {
                    s.fieldValues.flatMap { $0 }.forEach(walk)
                }
            default: break
            }
        }
        if let spikes = mat["spikes"] { walk(spikes) }
        let position = try PositionTrackingFile.read(folder.appendingPathComponent("trajectory.videoPositionTracking"))
        let series = position.series
        let times = series.timestamps
        let x = Array(series.column(at: 0))
        let start = trains.compactMap(\.first).min()!, end = trains.compactMap(\.last).max()!
        let bins = Int((end - start) / binWidth)
        var counts = Matrix<Double>(rows: bins, columns: trains.count)
        for (u, train) in trains.enumerated() {
            for t in train {
                let b = Int((t - start) / binWidth)
                if b >= 0 && b < bins { counts[b, u] += 1 }
            }
        }
        // The rest box sits at x ≈ 522 px; the track epoch ends at the last sample with x < 500.
        let trackEnd = zip(times, x).filter { $0.1 < 500 }.map(\.0).max() ?? end
        // Speed (px/s) per bin from the position samples inside it; direction from the x displacement.
        var labels = [Int](repeating: -1, count: bins)
        var j = 0
        for b in 0..<bins {
            let lo = start + Double(b) * binWidth, hi = lo + binWidth
            while j < times.count && times[j] < lo { j += 1 }
            var k = j
            while k < times.count && times[k] < hi { k += 1 }
            guard k - j >= 2 else { continue }
            let dx = x[k - 1] - x[j], dt = times[k - 1] - times[j]
            let speed = abs(dx) / max(dt, 1e-9)
            if lo >= trackEnd { labels[b] = 0 }
            else if speed < 20 { labels[b] = 1 }
            else { labels[b] = dx > 0 ? 2 : 3 }
        }
        return RealDataFit(
            name: "nelpy linear track (rat hippocampus): track vs rest, running direction", binWidth: binWidth, counts: counts,
            labels: labels, labelNames: ["rest box", "track, still (< 20 px/s)", "running +x", "running −x"], sequenceLength: 300, states: 4)
    }
}
