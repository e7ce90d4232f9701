import RealModule

/// Windows for FIR design in their symmetric form (scipy's `get_window(..., fftbins=False)`),
/// which keeps a window-designed filter exactly linear-phase.
public enum FIRWindow: Sendable, Hashable {
    case hamming
    case hann
    case blackman
    case rectangular
    /// Kaiser window with shape parameter β (scipy's `('kaiser', beta)`; resample_poly uses β = 5).
    case kaiser(beta: Double)

    /// The symmetric window of `length` points.
    public func coefficients(_ length: Int) -> [Double] {
        precondition(length > 0, "window length must be positive, got \(length)")
        if length == 1 { return [1] }
        let m = Double(length - 1)
        switch self {
        case .kaiser(let beta):
            let norm = FIRWindow.besselI0(beta)
            return (0..<length).map { k in
                let r = 2 * Double(k) / m - 1
                return FIRWindow.besselI0(beta * (Swift.max(0, 1 - r * r)).squareRoot()) / norm
            }
        default:
            return (0..<length).map { k in
                let phase = 2 * Double.pi * Double(k) / m
                switch self {
                case .hamming: return 0.54 - 0.46 * Double.cos(phase)
                case .hann: return 0.5 - 0.5 * Double.cos(phase)
                case .blackman: return 0.42 - 0.5 * Double.cos(phase) + 0.08 * Double.cos(2 * phase)
                default: return 1
                }
            }
        }
    }

    /// MNE's length factor (mne.filter._length_factors): the automatic filter length is
    /// `factor · fs / transition bandwidth`, so the transition band matches the window's main lobe.
    /// Nil for windows MNE has no factor for.
    var lengthFactor: Double? {
        switch self {
        case .hann: return 3.1
        case .hamming: return 3.3
        case .blackman: return 5.0
        case .rectangular, .kaiser: return nil
        }
    }

    /// The modified Bessel function of the first kind, order 0, by its power series
    /// Σ ((x/2)^k / k!)², which converges quickly for the β ≤ 20 used by Kaiser windows.
    static func besselI0(_ x: Double) -> Double {
        let q = x * x / 4
        var term = 1.0
        var sum = 1.0
        var k = 1.0
        while term > sum * 1e-17 {
            term *= q / (k * k)
            sum += term
            k += 1
        }
        return sum
    }
}
