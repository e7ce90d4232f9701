import NeuroCore

/// Which frequencies a filter keeps, with edges in hertz.
public enum FilterBand: Sendable, Hashable {
    /// Keep frequencies below the cutoff.
    case lowpass(Double)
    /// Keep frequencies above the cutoff.
    case highpass(Double)
    /// Keep frequencies between the two edges.
    case bandpass(Double, Double)
    /// Remove frequencies between the two edges.
    case bandstop(Double, Double)

    /// The edges in ascending order.
    public var edges: [Double] {
        switch self {
        case .lowpass(let f), .highpass(let f): return [f]
        case .bandpass(let lo, let hi), .bandstop(let lo, let hi): return [lo, hi]
        }
    }

    /// True when the band includes 0 Hz (lowpass and bandstop).
    var passesZero: Bool {
        switch self {
        case .lowpass, .bandstop: return true
        case .highpass, .bandpass: return false
        }
    }

    /// True when the band includes the Nyquist frequency (highpass and bandstop).
    var passesNyquist: Bool {
        switch self {
        case .highpass, .bandstop: return true
        case .lowpass, .bandpass: return false
        }
    }

    /// Checks that every edge lies strictly between 0 and the Nyquist frequency and that band
    /// edges are increasing.
    func validate(samplingRate: Double) throws {
        try ParameterError.check(
            samplingRate.isFinite && samplingRate > 0, "samplingRate", expected: "a finite rate > 0 Hz",
            found: samplingRate)
        let nyquist = samplingRate / 2
        for f in edges {
            try ParameterError.check(
                f.isFinite && f > 0 && f < nyquist, "cutoff",
                expected: "a frequency strictly between 0 and the Nyquist frequency \(nyquist) Hz", found: f)
        }
        if edges.count == 2 {
            try ParameterError.check(
                edges[0] < edges[1], "band", expected: "low edge < high edge", found: "\(edges[0])–\(edges[1]) Hz")
        }
    }
}
