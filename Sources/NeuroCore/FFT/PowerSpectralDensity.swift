import RealModule

/// Settings of Welch's method: split the signal into overlapping segments, detrend and taper each,
/// and average their periodograms. Defaults are `scipy.signal.welch`'s.
public struct WelchConfiguration: Sendable, Hashable {
    public enum Detrend: Sendable, Hashable { case none, constant, linear }
    public enum Scaling: Sendable, Hashable {
        /// Power per hertz (V²/Hz): integrates over frequency to the signal's variance.
        case density
        /// Power per bin (V²): a sinusoid's peak reads its mean-square amplitude.
        case spectrum
    }
    public enum Average: Sendable, Hashable {
        case mean
        /// Median of the periodograms, corrected for its bias under χ² statistics (robust to artefacts).
        case median
    }

    /// Samples per segment (scipy's `nperseg`); shortened to the signal length when longer.
    public var segmentLength: Int
    /// Samples shared by consecutive segments; nil means half a segment.
    public var overlap: Int?
    public var window: Window
    public var detrend: Detrend
    public var scaling: Scaling
    public var average: Average

    public init(
        segmentLength: Int = 256, overlap: Int? = nil, window: Window = .hann, detrend: Detrend = .constant,
        scaling: Scaling = .density, average: Average = .mean
    ) {
        self.segmentLength = segmentLength
        self.overlap = overlap
        self.window = window
        self.detrend = detrend
        self.scaling = scaling
        self.average = average
    }

    public func validate() throws {
        try ParameterError.check(segmentLength >= 1, "segmentLength", expected: "≥ 1 sample", found: segmentLength)
        if let overlap {
            try ParameterError.check(
                overlap >= 0 && overlap < segmentLength, "overlap",
                expected: "0 ≤ overlap < segmentLength (\(segmentLength))", found: overlap)
        }
    }
}

/// Power spectral densities of one or more channels on a shared frequency grid.
public struct PowerSpectrum: Sendable, Hashable {
    /// Bin centre frequencies in Hz, 0 … fs/2.
    public let frequencies: [Double]
    /// channels × frequencies.
    public let power: Matrix<Double>

    public var resolution: Double { frequencies.count > 1 ? frequencies[1] - frequencies[0] : 0 }

    /// The spectrum of `x`'s rows by Welch's method (scipy.signal.welch with the same settings).
    public init(welch x: Matrix<Double>, samplingRate: Double, configuration: WelchConfiguration = .init()) throws {
        try ParameterError.check(
            samplingRate > 0 && samplingRate.isFinite, "samplingRate", expected: "a positive frequency in Hz", found: samplingRate)
        try configuration.validate()
        guard x.columns > 0 else { throw ParameterError("signal", expected: "at least one sample", found: "0 samples") }
        let n = Swift.min(configuration.segmentLength, x.columns)
        let overlap = Swift.min(configuration.overlap ?? n / 2, n - 1)
        let step = n - overlap
        let segments = (x.columns - n) / step + 1
        let window = configuration.window.coefficients(n)
        let windowSum = window.reduce(0, +)
        let windowEnergy = window.reduce(0) { $0 + $1 * $1 }
        var scale = configuration.scaling == .density
            ? 1 / (samplingRate * windowEnergy) : 1 / (windowSum * windowSum)
        let bins = n / 2 + 1
        let fft = RealFFT<Double>(count: n)
        var power = Matrix<Double>(rows: x.rows, columns: bins)
        var segment = [Double](repeating: 0, count: n)
        var periodogram = [Double](repeating: 0, count: bins)
        var perSegment = [Double](repeating: 0, count: configuration.average == .median ? segments * bins : 0)
        if configuration.average == .median { scale /= Self.medianBias(segments) }

        for channel in 0..<x.rows {
            var accumulated = [Double](repeating: 0, count: bins)
            for s in 0..<segments {
                let start = channel * x.columns + s * step
                x.withUnsafeBufferPointer { source in
                    segment.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: source.baseAddress! + start, count: n) }
                }
                Self.detrend(&segment, configuration.detrend)
                for t in 0..<n { segment[t] *= window[t] }
                segment.withUnsafeBufferPointer { seg in
                    periodogram.withUnsafeMutableBufferPointer { fft.squaredMagnitudes(seg, into: $0) }
                }
                if configuration.average == .median {
                    for k in 0..<bins { perSegment[k &* segments &+ s] = periodogram[k] }
                } else {
                    for k in 0..<bins { accumulated[k] += periodogram[k] }
                }
            }
            for k in 0..<bins {
                var value: Double
                if configuration.average == .median {
                    value = Self.median(&perSegment[(k * segments)..<((k + 1) * segments)])
                } else {
                    value = accumulated[k] / Double(segments)
                }
                // One-sided: fold the negative frequencies onto the positive ones (not DC or Nyquist).
                let isNyquist = n % 2 == 0 && k == bins - 1
                if k != 0 && !isNyquist { value *= 2 }
                power[channel, k] = value * scale
            }
        }
        self.frequencies = (0..<bins).map { Double($0) * samplingRate / Double(n) }
        self.power = power
    }

    /// The spectrum of one signal.
    public init(welch x: [Double], samplingRate: Double, configuration: WelchConfiguration = .init()) throws {
        try self.init(
            welch: Matrix(rows: 1, columns: x.count, elements: x), samplingRate: samplingRate, configuration: configuration)
    }

    /// Power in [low, high] Hz per channel: the trapezoidal integral of the density over the bins in
    /// the band (V² for a density). Throws when the band holds fewer than two bins, where the integral
    /// would silently be zero.
    public func bandPower(low: Double, high: Double) throws -> [Double] {
        let inBand = frequencies.indices.filter { frequencies[$0] >= low && frequencies[$0] <= high }
        guard inBand.count >= 2 else {
            throw ParameterError(
                "band", expected: "at least two frequency bins (resolution \(resolution) Hz)",
                found: "\(low)–\(high) Hz holding \(inBand.count)")
        }
        return (0..<power.rows).map { channel in
            var total = 0.0
            for (a, b) in zip(inBand.dropLast(), inBand.dropFirst()) {
                total += 0.5 * (power[channel, a] + power[channel, b]) * (frequencies[b] - frequencies[a])
            }
            return total
        }
    }

    /// The frequency of the largest power within [low, high] Hz, per channel.
    public func peakFrequency(low: Double = 0, high: Double = .infinity) -> [Double] {
        let inBand = frequencies.indices.filter { frequencies[$0] >= low && frequencies[$0] <= high }
        return (0..<power.rows).map { channel in
            guard let best = inBand.max(by: { power[channel, $0] < power[channel, $1] }) else { return .nan }
            return frequencies[best]
        }
    }

    // MARK: Helpers

    private static func detrend(_ x: inout [Double], _ kind: WelchConfiguration.Detrend) {
        let n = Double(x.count)
        switch kind {
        case .none:
            return
        case .constant:
            let mean = x.reduce(0, +) / n
            for i in x.indices { x[i] -= mean }
        case .linear:
            // Least-squares line against t = 0…n−1, removed in place.
            let tMean = (n - 1) / 2
            let yMean = x.reduce(0, +) / n
            var sxy = 0.0
            var sxx = 0.0
            for i in x.indices {
                let dt = Double(i) - tMean
                sxy += dt * (x[i] - yMean)
                sxx += dt * dt
            }
            let slope = sxx > 0 ? sxy / sxx : 0
            for i in x.indices { x[i] -= yMean + slope * (Double(i) - tMean) }
        }
    }

    private static func median(_ values: inout ArraySlice<Double>) -> Double {
        values.sort()
        let c = values.count
        let mid = values.startIndex + c / 2
        return c % 2 == 1 ? values[mid] : 0.5 * (values[mid - 1] + values[mid])
    }

    /// The bias of the median of k χ²₂ periodograms relative to their mean (scipy's `_median_bias`).
    private static func medianBias(_ k: Int) -> Double {
        var bias = 1.0
        var i = 2
        while i <= 2 * ((k - 1) / 2) {
            bias += 1 / Double(i + 1) - 1 / Double(i)
            i += 2
        }
        return bias
    }
}
