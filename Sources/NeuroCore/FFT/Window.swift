import RealModule

/// Tapering windows for spectral estimation, in the periodic ("DFT-even") form that
/// `scipy.signal.get_window` returns by default, so spectra match scipy's bin for bin.
public enum Window: String, Sendable, Hashable, CaseIterable, Codable {
    case hann, hamming, blackman, boxcar

    /// The `length` window coefficients.
    public func coefficients(_ length: Int) -> [Double] {
        precondition(length > 0, "window length must be positive, got \(length)")
        if length == 1 { return [1] }
        let n = Double(length)
        return (0..<length).map { k in
            let phase = 2 * Double.pi * Double(k) / n
            switch self {
            case .hann: return 0.5 - 0.5 * Double.cos(phase)
            case .hamming: return 0.54 - 0.46 * Double.cos(phase)
            case .blackman: return 0.42 - 0.5 * Double.cos(phase) + 0.08 * Double.cos(2 * phase)
            case .boxcar: return 1
            }
        }
    }
}
