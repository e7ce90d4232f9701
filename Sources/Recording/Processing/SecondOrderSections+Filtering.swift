import NeuroCore

extension SecondOrderSections {
    /// Runs the cascade over `x` in transposed direct form II (scipy's `sosfilt`), each section
    /// starting from its `(z0, z1)` in `state` (zeros when nil).
    public func apply(_ x: [Double], initialState state: [(Double, Double)]? = nil) -> [Double] {
        precondition(state == nil || state!.count == sections.count, "one initial state per section")
        var y = x
        y.withUnsafeMutableBufferPointer { y in
            for (s, q) in sections.enumerated() {
                var (z0, z1) = state?[s] ?? (0, 0)
                let (b0, b1, b2, a1, a2) = (q.b0, q.b1, q.b2, q.a1, q.a2)
                for i in 0..<y.count {
                    let input = y[i]
                    let output = b0 * input + z0
                    z0 = b1 * input - a1 * output + z1
                    z1 = b2 * input - a2 * output
                    y[i] = output
                }
            }
        }
        return y
    }

    /// Initial states for a step response in steady state (scipy's `sosfilt_zi`): each section's
    /// `lfilter_zi`, scaled by the DC gain of the sections before it.
    public var stepInitialState: [(Double, Double)] {
        var scale = 1.0
        return sections.map { q in
            // Solve zi = A·zi + B for the 2-state companion form:
            // (1 + a1)·z0 − z1 = b1 − a1·b0,  a2·z0 + z1 = b2 − a2·b0.
            let (r0, r1) = (q.b1 - q.a1 * q.b0, q.b2 - q.a2 * q.b0)
            let z0 = (r0 + r1) / (1 + q.a1 + q.a2)
            let z1 = r1 - q.a2 * z0
            defer { scale *= (q.b0 + q.b1 + q.b2) / (1 + q.a1 + q.a2) }
            return (scale * z0, scale * z1)
        }
    }

    /// The tap count scipy's `sosfiltfilt` pads by (×3): 2·sections + 1, less the number of
    /// sections that are really first order (b2 = 0 and a2 = 0).
    var effectiveTapCount: Int {
        2 * sections.count + 1 - min(sections.filter { $0.b2 == 0 }.count, sections.filter { $0.a2 == 0 }.count)
    }

    /// Zero-phase filtering, `scipy.signal.sosfiltfilt(sos, x)` with its defaults: odd extension by
    /// 3·(2·sections + 1 − first-order sections) samples, forward and backward passes started from
    /// `sosfilt_zi` scaled by the first sample (then the last output), extension removed.
    public func filtfilt(_ x: [Double]) throws -> [Double] {
        let edge = try checkedPadding(taps: effectiveTapCount, signalLength: x.count)
        let ext = oddExtension(x, edge: edge)
        let zi = stepInitialState
        var y = apply(ext, initialState: zi.map { ($0.0 * ext[0], $0.1 * ext[0]) })
        let last = y[y.count - 1]
        y.reverse()
        y = apply(y, initialState: zi.map { ($0.0 * last, $0.1 * last) })
        y.reverse()
        return Array(y[edge ..< edge + x.count])
    }
}
