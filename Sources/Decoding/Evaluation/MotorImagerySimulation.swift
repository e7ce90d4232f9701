import Foundation
import NeuroCore
import Recording

/// A continuous motor-imagery-like EEG recording: back-to-back trials from a `CovarianceScenario`,
/// each marked by an annotation at its onset ("T1" for class left, "T2" for right, as PhysioNet's
/// EEGMMIDB), so the whole `decode eeg` path (file → filter → epochs → classifier) runs on it.
public struct MotorImagerySimulation: Sendable, Hashable {
    public var scenario: CovarianceScenario
    /// Seconds per trial; the scenario's sample count is set from it.
    public var trialDuration: Double

    public init(effect: CovarianceScenario.Effect = .variance(1.0), channels: Int = 14, samplingRate: Double = 128,
                trialsPerClass: Int = 30, trialDuration: Double = 3) {
        scenario = CovarianceScenario(
            effect: effect, channels: channels, samplingRate: samplingRate,
            samples: Int((trialDuration * samplingRate).rounded()), trialsPerClass: trialsPerClass)
        self.trialDuration = trialDuration
    }

    /// What was planted, written beside the recording.
    public struct Truth: Sendable, Codable, Hashable {
        public var effect: String
        public var channels: Int
        public var samplingRate: Double
        public var trialDuration: Double
        public var onsets: [Double]
        /// "T1"/"T2" per trial, in time order.
        public var events: [String]
        /// "left"/"right" per trial.
        public var classes: [String]
        public var seed: UInt64
    }

    public func simulate(seed: UInt64) throws -> (series: TimeSeries, truth: Truth) {
        let epochs = try scenario.simulate(seed: seed)
        let (c, s) = (epochs.channelCount, epochs.sampleCount)
        var samples = [Float](repeating: 0, count: c * s * epochs.trialCount)
        let total = s * epochs.trialCount
        for t in 0..<epochs.trialCount {
            let block = epochs.trial(t)
            block.withUnsafeBufferPointer { src in
                for ch in 0..<c {
                    for i in 0..<s { samples[ch * total + t * s + i] = src[ch * s + i] }
                }
            }
        }
        let onsets = (0..<epochs.trialCount).map { Double($0 * s) / scenario.samplingRate }
        let events = epochs.labels.map { $0 == CovarianceScenario.classLabels[0] ? "T1" : "T2" }
        let annotations = try Annotations(zip(onsets, events).map { Annotation(onset: $0, duration: trialDuration, label: $1) })
        let series = try TimeSeries(samples: samples, channels: epochs.channels, samplingRate: scenario.samplingRate, annotations: annotations)
        let truth = Truth(
            effect: scenario.effect.description, channels: c, samplingRate: scenario.samplingRate, trialDuration: trialDuration,
            onsets: onsets, events: events, classes: epochs.labels, seed: seed)
        return (series, truth)
    }
}
