import Foundation

/// Held-out splits and the classical decoders a Neuroformer behaviour read-out is compared with.
public enum BehaviourDecodingBaselines {
    /// Lap index of every bin of a 1-D track position (−1 before the first lap): a lap ends each time
    /// the smoothed position (1 s moving average) reaches the opposite end of the track (within 15 % of
    /// its range from the 2nd / 98th percentile). Bins without a position get −1 (no lap).
    public static func laps(position: [Double], binWidth: Double) -> [Int] {
        let finite = position.filter(\.isFinite).sorted()
        guard finite.count > 10 else { return [Int](repeating: -1, count: position.count) }
        let lo = finite[finite.count / 50], hi = finite[finite.count * 49 / 50]
        let margin = 0.15 * (hi - lo)
        let half = max(1, Int((0.5 / binWidth).rounded()))
        var smooth = [Double](repeating: .nan, count: position.count)
        var sum = 0.0, count = 0
        // Centred moving average over finite samples.
        for b in 0..<(position.count + half) {
            if b < position.count, position[b].isFinite { sum += position[b]; count += 1 }
            let out = b - 2 * half - 1
            if out >= 0, position[out].isFinite { sum -= position[out]; count -= 1 }
            let centre = b - half
            if centre >= 0 && centre < position.count && count > 0 { smooth[centre] = sum / Double(count) }
        }
        var lap = -1, lastEnd = 0  // 0 unknown, 1 low end, 2 high end
        var result = [Int](repeating: -1, count: position.count)
        for b in position.indices {
            let x = smooth[b]
            if x.isFinite {
                let end = x <= lo + margin ? 1 : (x >= hi - margin ? 2 : 0)
                if end != 0 && end != lastEnd {
                    if lastEnd != 0 { lap += 1 }
                    lastEnd = end
                }
            }
            result[b] = position[b].isFinite ? lap : -1
        }
        return result
    }

    /// Ridge regression (a Wiener filter on binned counts): `features` is `[n, p]` row-major; an
    /// intercept is fitted unpenalised (by centring). λ is chosen among `lambdas` on the last 20 % of
    /// the training rows, then refitted on all of them. Returns the predictions for `test`.
    public static func ridge(features: [Double], p: Int, targets: [Double], train: [Int], test: [Int],
                             lambdas: [Double] = [0.1, 1, 10, 100, 1000, 10_000]) throws -> [Double] {
        let cut = train.count * 4 / 5
        let inner = Array(train[..<cut]), validation = Array(train[cut...])
        var best = (lambda: lambdas[0], error: Double.infinity)
        if !validation.isEmpty && cut > p / 4 {
            for lambda in lambdas {
                let predicted = try ridgeFit(features, p, targets, inner, validation, lambda)
                let error = zip(predicted, validation).reduce(0) { $0 + ($1.0 - targets[$1.1]) * ($1.0 - targets[$1.1]) }
                if error < best.error { best = (lambda, error) }
            }
        }
        return try ridgeFit(features, p, targets, train, test, best.lambda)
    }

    private static func ridgeFit(_ x: [Double], _ p: Int, _ y: [Double], _ train: [Int], _ test: [Int], _ lambda: Double) throws -> [Double] {
        var mean = [Double](repeating: 0, count: p)
        var yMean = 0.0
        for i in train { for j in 0..<p { mean[j] += x[i * p + j] }; yMean += y[i] }
        for j in 0..<p { mean[j] /= Double(train.count) }
        yMean /= Double(train.count)
        var design = [Double](repeating: 0, count: train.count * p)
        for (r, i) in train.enumerated() { for j in 0..<p { design[r * p + j] = x[i * p + j] - mean[j] } }
        let X = Matrix<Double>(rows: train.count, columns: p, elements: design)
        var gram = X.multiplied(by: X, transposingSelf: true)
        for j in 0..<p { gram[j, j] += lambda }
        let rhs = X.multiplied(by: train.map { y[$0] - yMean }, transposed: true)
        let w = try Cholesky(gram).solve(rhs)
        return test.map { i in
            var s = yMean
            for j in 0..<p { s += (x[i * p + j] - mean[j]) * w[j] }
            return s
        }
    }

    /// The Bayesian place-field decoder (Zhang et al. 1998): Poisson counts with position tuning curves
    /// estimated on `train` over `positionBins` equal bins (floored at 0.01 spikes per window), a uniform
    /// prior, and the posterior mean as the estimate. `counts` is `[n, neurons]` (spikes per decoding
    /// window).
    public static func bayesian(counts: [Double], neurons: Int, position: [Double], train: [Int], test: [Int], positionBins: Int = 40) -> [Double] {
        let values = train.map { position[$0] }
        let lo = values.min() ?? 0, hi = values.max() ?? 1
        let width = max((hi - lo) / Double(positionBins), 1e-12)
        func bin(_ x: Double) -> Int { min(positionBins - 1, max(0, Int((x - lo) / width))) }
        var tuning = [Double](repeating: 0, count: positionBins * neurons)
        var occupancy = [Double](repeating: 0, count: positionBins)
        for i in train {
            let k = bin(position[i])
            occupancy[k] += 1
            for n in 0..<neurons { tuning[k * neurons + n] += counts[i * neurons + n] }
        }
        for k in 0..<positionBins {
            for n in 0..<neurons {
                tuning[k * neurons + n] = occupancy[k] > 0 ? max(0.01, tuning[k * neurons + n] / occupancy[k]) : 0.01
            }
        }
        let logTuning = tuning.map { Double.log($0) }
        var sumTuning = [Double](repeating: 0, count: positionBins)
        for k in 0..<positionBins { for n in 0..<neurons { sumTuning[k] += tuning[k * neurons + n] } }
        return test.map { i in
            var logPosterior = [Double](repeating: 0, count: positionBins)
            for k in 0..<positionBins {
                var s = -sumTuning[k]
                for n in 0..<neurons where counts[i * neurons + n] > 0 { s += counts[i * neurons + n] * logTuning[k * neurons + n] }
                logPosterior[k] = occupancy[k] > 0 ? s : -.infinity
            }
            let m = logPosterior.max() ?? 0
            var total = 0.0, estimate = 0.0
            for k in 0..<positionBins where logPosterior[k].isFinite {
                let w = Double.exp(logPosterior[k] - m)
                total += w
                estimate += w * (lo + (Double(k) + 0.5) * width)
            }
            return total > 0 ? estimate / total : (lo + hi) / 2
        }
    }

    /// Per-window count features of `raster`: the counts of every neuron in `groups` consecutive groups
    /// of `binsPerGroup` bins ending at each window's end bin → `[windows, groups × neurons]`.
    public static func lagFeatures(_ raster: SpikeRaster, endBins: [Int], groups: Int, binsPerGroup: Int) -> [Double] {
        let n = raster.neurons
        var result = [Double](repeating: 0, count: endBins.count * groups * n)
        for (w, end) in endBins.enumerated() {
            for g in 0..<groups {
                let first = end - (groups - g) * binsPerGroup
                for b in max(0, first)..<(first + binsPerGroup) where b < raster.bins {
                    for u in 0..<n { result[(w * groups + g) * n + u] += Double(raster[b, u]) }
                }
            }
        }
        return result
    }
}
