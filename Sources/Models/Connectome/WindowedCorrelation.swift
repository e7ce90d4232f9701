/// Pearson correlation of the raw traces within each window, rectified at 0.
///
/// The conventional "sliding-window functional connectivity", as a second kernel to compare with
/// `DifferentialAffinity`. Unlike that one it is scale-free inside every window: two quiet neurons
/// whose noise happens to align score as high as two co-active ones, and slow shared trends count.
/// Negative correlations become 0 so the tensor stays non-negative. Windows in which a neuron is
/// constant give it affinity 0.
public struct WindowedCorrelation: PairAffinity {
    public var name: String { "windowed-correlation" }
    public init() {}

    public func affinities(_ traces: Matrix<Double>, window: SlidingWindow) throws -> Matrix<Double> {
        let windows = try checkShape(traces, window)
        let n = traces.rows
        let f = traces.columns
        let length = window.length
        // Centre each neuron globally so the window cross-products below do not cancel catastrophically.
        var centred = traces
        centred.withUnsafeMutableBufferPointer { x in
            for i in 0..<n {
                var m = 0.0
                for t in 0..<f { m += x[i &* f &+ t] }
                m /= Double(f)
                for t in 0..<f { x[i &* f &+ t] -= m }
            }
        }
        // Per-window sums of each row by a running sum over prefix totals.
        var prefix = [Double](repeating: 0, count: n * (f + 1))
        centred.withUnsafeBufferPointer { x in
            for i in 0..<n {
                for t in 0..<f { prefix[i &* (f &+ 1) &+ t &+ 1] = prefix[i &* (f &+ 1) &+ t] + x[i &* f &+ t] }
            }
        }
        let pairs = NeuronPairs(neuronCount: n)
        var out = Matrix<Double>(rows: windows, columns: pairs.count)
        var mean = [Double](repeating: 0, count: n)
        var sd = [Double](repeating: 0, count: n)
        let inv = 1 / Double(length)
        out.withUnsafeMutableBufferPointer { o in
            forEachWindowGram(centred, window: window, windows: windows, scale: inv) { k, g in
                let s = window.start(k)
                for i in 0..<n {
                    mean[i] = (prefix[i &* (f &+ 1) &+ s &+ length] - prefix[i &* (f &+ 1) &+ s]) * inv
                    let v = g[i &* n &+ i] - mean[i] * mean[i]
                    sd[i] = v > 1e-12 * max(g[i &* n &+ i], 1e-300) ? v.squareRoot() : 0
                }
                var p = k &* pairs.count
                for i in 0..<n {
                    for j in (i &+ 1)..<max(i &+ 1, n) {
                        let denom = sd[i] * sd[j]
                        let r = denom > 0 ? (g[i &* n &+ j] - mean[i] * mean[j]) / denom : 0
                        o[p] = min(1, max(0, r))
                        p &+= 1
                    }
                }
            }
        }
        return out
    }
}
