import NeuroCore
import Recording

/// Prepends the training class-mean waveforms (ERP prototypes) to every trial, so that covariance
/// pipelines see evoked responses: the covariance of [P; X] carries the cross-covariance between
/// the trial and each class's average (Barachant & Congedo 2014; pyRiemann `ERPCovariances`).
/// The prototypes are learned inside each training fold, never from test trials.
public struct ERPPrototypeAugmentation: EpochClassifier {
    public let base: any EpochClassifier

    public init(_ base: any EpochClassifier) {
        self.base = base
    }

    public func fit(_ epochs: Epochs, seed: UInt64, monitor: any FitMonitor) throws -> Fitted {
        let classes = Array(Set(epochs.labels)).sorted()
        let (c, s) = (epochs.channelCount, epochs.sampleCount)
        var prototypes = [Double](repeating: 0, count: classes.count * c * s)
        for (k, label) in classes.enumerated() {
            let members = epochs.labels.indices.filter { epochs.labels[$0] == label }
            for t in members {
                epochs.trial(t).withUnsafeBufferPointer { src in
                    for i in 0..<(c &* s) { prototypes[k &* c &* s &+ i] += Double(src[i]) }
                }
            }
            for i in 0..<(c * s) { prototypes[k * c * s + i] /= Double(members.count) }
        }
        let fitted = Fitted(prototypes: prototypes.map(Float.init), prototypeChannels: classes.count * c, inner: nil)
        let inner = try base.fit(try fitted.augmented(epochs), seed: seed, monitor: monitor)
        return Fitted(prototypes: fitted.prototypes, prototypeChannels: fitted.prototypeChannels, inner: inner)
    }

    public struct Fitted: FittedEpochClassifier {
        /// Class means, classes × channels × samples.
        let prototypes: [Float]
        let prototypeChannels: Int
        let inner: (any FittedEpochClassifier)?

        public var classes: [String] { inner?.classes ?? [] }

        public func probabilities(_ epochs: Epochs) throws -> Matrix<Double> {
            try inner!.probabilities(augmented(epochs))
        }

        func augmented(_ epochs: Epochs) throws -> Epochs {
            let (c, s) = (epochs.channelCount, epochs.sampleCount)
            try ParameterError.check(prototypes.count == prototypeChannels * s, "epochs", expected: "\(prototypes.count / max(prototypeChannels, 1)) samples per trial", found: s)
            var data = [Float]()
            data.reserveCapacity(epochs.trialCount * (prototypeChannels + c) * s)
            for t in 0..<epochs.trialCount {
                data.append(contentsOf: prototypes)
                data.append(contentsOf: epochs.trial(t))
            }
            let channels = (0..<prototypeChannels).map { Channel(name: "P\($0 + 1)", kind: .eeg, originalUnit: "µV") } + epochs.channels
            return try Epochs(data: data, channels: channels, labels: epochs.labels, samplingRate: epochs.samplingRate, tmin: epochs.tmin)
        }
    }
}
