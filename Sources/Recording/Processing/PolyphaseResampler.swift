import NeuroCore

/// Rational resampling by up/down with a polyphase anti-aliasing FIR, `scipy.signal.resample_poly`
/// with its defaults.
///
/// The filter is `firwin(2·h + 1, 1/max(up, down))` (cutoff relative to Nyquist, Kaiser β = 5
/// window) with h = 10·max(up, down), scaled by `up`. Output sample j sits at input time j·down/up
/// and is Σₙ x[n]·taps[h + j·down − n·up] — zero-stuffing, filtering and decimating without
/// computing the discarded samples; outside the signal x is 0 (scipy's `padtype='constant'`).
/// The output has ceil(n·up/down) samples.
public struct PolyphaseResampler: Sendable, Hashable {
    /// The factors reduced by their greatest common divisor.
    public let up: Int
    public let down: Int
    /// The anti-aliasing filter including the gain `up` (empty when up = down = 1).
    public let taps: [Double]

    public init(up: Int, down: Int, window: FIRWindow = .kaiser(beta: 5)) throws {
        try ParameterError.check(up >= 1 && down >= 1, "up/down", expected: "integers ≥ 1", found: "\(up)/\(down)")
        let g = PolyphaseResampler.gcd(up, down)
        self.up = up / g
        self.down = down / g
        if self.up == 1 && self.down == 1 {
            taps = []
            return
        }
        let maxRate = max(self.up, self.down)
        let half = 10 * maxRate
        let lowpass = try FIRFilter(
            band: .lowpass(1 / Double(maxRate)), length: 2 * half + 1, samplingRate: 2, window: window)
        let gain = Double(self.up)
        taps = lowpass.taps.map { $0 * gain }
    }

    /// ceil(n·up/down).
    public func outputLength(for n: Int) -> Int { (n * up + down - 1) / down }

    public func resample(_ x: [Double]) -> [Double] {
        if taps.isEmpty { return x }
        let nIn = x.count
        let nOut = outputLength(for: nIn)
        let half = (taps.count - 1) / 2
        let length = taps.count
        var y = [Double](repeating: 0, count: nOut)
        taps.withUnsafeBufferPointer { h in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { y in
                    for j in 0..<nOut {
                        let t = half &+ j &* down
                        // n with 0 ≤ t − n·up < length, within the signal.
                        let first = max(0, (t - length + up) / up)
                        let last = min(nIn - 1, t / up)
                        var s = 0.0
                        var n = first
                        while n <= last {
                            s += x[n] * h[t &- n &* up]
                            n &+= 1
                        }
                        y[j] = s
                    }
                }
            }
        }
        return y
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
