import RealModule
import ComplexModule

/// Multichannel EEG-like signals with a planted oscillation per channel over a 1/f background:
/// the ground truth for spectral pipelines (and the first file in `sample-data/`).
///
/// Channel c carries aₖ·sin(2π fₖ t + φₖ) with fₖ uniform in `peakRange` and aₖ uniform in
/// `amplitudeRange`, plus pink noise (power ∝ 1/f, shaped in the frequency domain) scaled to
/// `backgroundRMS`. All values in volts and hertz.
public struct OscillationSimulation: Sendable, Hashable {
    public var channels: Int
    public var duration: Double
    public var samplingRate: Double
    public var peakRange: ClosedRange<Double>
    public var amplitudeRange: ClosedRange<Double>
    public var backgroundRMS: Double

    public init(
        channels: Int = 8, duration: Double = 60, samplingRate: Double = 250,
        peakRange: ClosedRange<Double> = 8...13, amplitudeRange: ClosedRange<Double> = 5e-6...20e-6,
        backgroundRMS: Double = 10e-6
    ) {
        self.channels = channels
        self.duration = duration
        self.samplingRate = samplingRate
        self.peakRange = peakRange
        self.amplitudeRange = amplitudeRange
        self.backgroundRMS = backgroundRMS
    }

    public var samples: Int { Int((duration * samplingRate).rounded()) }

    public func validate() throws {
        try ParameterError.check(channels >= 1 && channels <= 4096, "channels", expected: "1…4096", found: channels)
        try ParameterError.check(samplingRate > 0 && samplingRate.isFinite, "samplingRate", expected: "a positive rate in Hz", found: samplingRate)
        try ParameterError.check(
            samples >= 16 && samples <= 100_000_000, "duration",
            expected: "16 to 10⁸ samples at \(samplingRate) Hz", found: "\(duration) s")
        try ParameterError.check(
            peakRange.lowerBound > 0 && peakRange.upperBound < samplingRate / 2, "peakRange",
            expected: "inside (0, \(samplingRate / 2)) Hz", found: peakRange)
        try ParameterError.check(amplitudeRange.lowerBound >= 0, "amplitudeRange", expected: "non-negative volts", found: amplitudeRange)
        try ParameterError.check(backgroundRMS >= 0 && backgroundRMS.isFinite, "backgroundRMS", expected: "non-negative volts", found: backgroundRMS)
    }

    /// A simulated recording with its ground truth.
    public struct Result: Sendable {
        /// channels × samples, volts.
        public let signals: Matrix<Double>
        public let peakFrequencies: [Double]
        public let amplitudes: [Double]
        public let samplingRate: Double

        public init(signals: Matrix<Double>, peakFrequencies: [Double], amplitudes: [Double], samplingRate: Double) {
            self.signals = signals
            self.peakFrequencies = peakFrequencies
            self.amplitudes = amplitudes
            self.samplingRate = samplingRate
        }
    }

    public func simulate(seed: UInt64) throws -> Result {
        try validate()
        var generator = SeededGenerator(seed: seed)
        let n = samples
        let fft = RealFFT<Double>(count: n)
        var signals = Matrix<Double>(rows: channels, columns: n)
        var peaks = [Double]()
        var amplitudes = [Double]()
        for c in 0..<channels {
            var stream = generator.split()
            let f = stream.uniform(in: peakRange)
            let a = stream.uniform(in: amplitudeRange)
            let phase = stream.uniform(in: 0..<(2 * Double.pi))
            let background = pinkNoise(count: n, using: &stream, fft: fft)
            for t in 0..<n {
                let time = Double(t) / samplingRate
                signals[c, t] = a * Double.sin(2 * Double.pi * f * time + phase) + backgroundRMS * background[t]
            }
            peaks.append(f)
            amplitudes.append(a)
        }
        return Result(signals: signals, peakFrequencies: peaks, amplitudes: amplitudes, samplingRate: samplingRate)
    }

    /// Unit-RMS noise with power ∝ 1/f: Gaussian white noise shaped by 1/√f in the
    /// frequency domain, with the DC term removed.
    private func pinkNoise(count n: Int, using generator: inout SeededGenerator, fft: RealFFT<Double>) -> [Double] {
        let white = (0..<n).map { _ in generator.standardNormal() }
        var spectrum = fft.forward(white)
        spectrum[0] = .zero
        for k in 1..<spectrum.count { spectrum[k] = spectrum[k].divided(by: Double(k).squareRoot()) }
        var pink = fft.inverse(spectrum)
        let rms = (pink.reduce(0) { $0 + $1 * $1 } / Double(n)).squareRoot()
        if rms > 0 { for t in 0..<n { pink[t] /= rms } }
        return pink
    }
}
