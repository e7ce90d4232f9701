import Foundation
import NeuroCore
import Recording

/// Two-class EEG-like trials whose classes differ only in their spatial covariance: the synthetic
/// known-answer scenarios of the geometric-EEG methods note (§5.2).
///
/// x(t) = A·diag(g)·s(t) + e(t): C unit-variance sources band-limited to `band` (Butterworth,
/// forwards and backwards, over a padded window), a fixed random mixing A with entries N(0, 1/C),
/// per-trial source gains g_k = exp(0.3·N(0, 1)) as nuisance, and white sensor noise at `noise` times
/// each channel's standard deviation.
public struct CovarianceScenario: Sendable, Hashable {
    public enum Effect: Sendable, Hashable, CustomStringConvertible {
        /// Class 0 multiplies source 0's gain by (1 + δ), class 1 source 1's (ERD/ERS-like).
        case variance(Double)
        /// In class 1, sources 0 and 1 share a component with weight ρ (unit variance kept).
        case correlation(Double)
        /// No class difference: every pipeline must stay at chance.
        case none

        public var description: String {
            switch self {
            case .variance(let d): return "var δ=\(d)"
            case .correlation(let r): return "corr ρ=\(r)"
            case .none: return "null"
            }
        }
    }

    public var effect: Effect
    public var channels: Int
    public var samplingRate: Double
    public var samples: Int
    public var trialsPerClass: Int
    public var band: ClosedRange<Double>
    public var noise: Double

    public init(effect: Effect, channels: Int = 14, samplingRate: Double = 128, samples: Int = 256,
                trialsPerClass: Int = 100, band: ClosedRange<Double> = 8...30, noise: Double = 0.5) {
        self.effect = effect
        self.channels = channels
        self.samplingRate = samplingRate
        self.samples = samples
        self.trialsPerClass = trialsPerClass
        self.band = band
        self.noise = noise
    }

    /// Class labels of the trials.
    public static let classLabels = ["left", "right"]

    /// The trials (classes interleaved: left, right, left, …) in volts (sources scaled to 10 µV).
    public func simulate(seed: UInt64) throws -> Epochs {
        try ParameterError.check(channels >= 2, "channels", expected: "≥ 2", found: channels)
        try ParameterError.check(samples >= 16, "samples", expected: "≥ 16", found: samples)
        try ParameterError.check(trialsPerClass >= 2, "trialsPerClass", expected: "≥ 2", found: trialsPerClass)
        try ParameterError.check(noise >= 0, "noise", expected: "≥ 0", found: noise)
        switch effect {
        case .variance(let d): try ParameterError.check(d > -1, "δ", expected: "> −1", found: d)
        case .correlation(let r): try ParameterError.check(r >= 0 && r <= 1, "ρ", expected: "in [0, 1]", found: r)
        case .none: break
        }
        var rng = SeededGenerator(seed: seed)
        let c = channels
        let mixing = Matrix<Double>(rows: c, columns: c) { _, _ in rng.standardNormal() / Double(c).squareRoot() }
        let filter = try SecondOrderSections.butterworth(order: 4, band: .bandpass(band.lowerBound, band.upperBound), samplingRate: samplingRate)
        let pad = samples / 2
        let total = samples + 2 * pad
        let scale = 10e-6
        var data = [Float]()
        data.reserveCapacity(2 * trialsPerClass * c * samples)
        var labels = [String]()
        for trial in 0..<(2 * trialsPerClass) {
            let label = trial % 2
            // Band-limited unit-variance sources.
            var sources = Matrix<Double>(rows: c, columns: samples)
            for k in 0..<c {
                let white = (0..<total).map { _ in rng.standardNormal() }
                let filtered = Array(try filter.filtfilt(white)[pad..<(pad + samples)])
                let sd = (filtered.reduce(0) { $0 + $1 * $1 } / Double(samples)).squareRoot()
                for t in 0..<samples { sources[k, t] = filtered[t] / sd }
            }
            if case .correlation(let rho) = effect, label == 1 {
                // s0 ← √(1−ρ²)·s0 + ρ·s1 keeps unit variance and gives corr(s0, s1) ≈ ρ.
                let keep = (1 - rho * rho).squareRoot()
                for t in 0..<samples { sources[0, t] = keep * sources[0, t] + rho * sources[1, t] }
            }
            var gains = (0..<c).map { _ in Foundation.exp(0.3 * rng.standardNormal()) }
            if case .variance(let delta) = effect { gains[label] *= 1 + delta }
            let scaledSources = Matrix<Double>(rows: c, columns: samples) { k, t in gains[k] * sources[k, t] }
            var x = mixing * scaledSources
            for ch in 0..<c {
                var power = 0.0
                x.withRow(ch) { row in for v in row { power += v * v } }
                let sd = (power / Double(samples)).squareRoot()
                for t in 0..<samples { x[ch, t] += noise * sd * rng.standardNormal() }
            }
            data.append(contentsOf: x.elements.map { Float($0 * scale) })
            labels.append(Self.classLabels[label])
        }
        let channelList = (1...c).map { Channel(name: "EEG\($0)", kind: .eeg, originalUnit: "µV") }
        return try Epochs(data: data, channels: channelList, labels: labels, samplingRate: samplingRate, tmin: 0)
    }
}
