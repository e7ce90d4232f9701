import RealModule

/// "Differential affinity": rectified co-variation of the neurons' smoothed rates of change.
///
/// What is computed, for neurons i, j and window w (frames t ∈ w, |w| = L):
///
///     d_i(t)  = (g_σ ∗ x_i)′(t)                     Gaussian-smoothed trace, central differences
///     z_i(t)  = d_i(t) / max(sd_t(d_i), median_k sd_t(d_k))   scaled by its whole-recording sd,
///                                                    floored at the animal's median sd
///     a_ij(w) = max(0, (1/L) Σ_{t∈w} z_i(t) z_j(t))
///
/// Why this form (the paper names the kernel but its definition was not retrievable):
/// - **Derivatives**: calcium traces carry slow baselines, bleaching and long decays; the rate of change
///   is what two neurons share when they are driven together, and differentiating removes offsets
///   that would otherwise make every pair look similar (a positive baseline in the tensor that NTF
///   would spend a component on).
/// - **Smoothing before differentiating** (σ frames, default 1): derivatives amplify shot noise.
/// - **Global, not per-window, scaling**: a window where both neurons are quiet then scores ≈ 0, not a
///   noisy correlation in [−1, 1]; a window with shared transients scores high. This keeps the
///   *amount* of co-activity in the tensor — which is what lets the temporal factor say *when* a motif
///   is active — while making neurons with different indicator gains comparable. The scale is floored
///   at the median over the animal's neurons: a nearly silent neuron has a tiny sd, and dividing by it
///   would turn a single chance transient into the strongest affinity of the recording (seen in
///   simulations: a non-member joining a motif's community).
/// - **Uncentred within the window**: the derivative has mean ≈ 0 already; centring per window would
///   cancel a single shared rise that fills the window.
/// - **Rectification**: NTF needs non-negative entries; anti-correlated changes are read as "no
///   affinity" rather than as a separate relation (use `WindowedCorrelation` with its own rectification
///   to compare).
/// Neurons whose smoothed derivative is constant (dead ROIs) get affinity 0 with everyone.
public struct DifferentialAffinity: PairAffinity {
    /// Standard deviation of the Gaussian smoothing, in frames (0: no smoothing).
    public let smoothing: Double
    public var name: String { "differential(sigma=\(smoothing) frames)" }

    /// - Throws: `ParameterError` when `smoothing` is negative or not finite.
    public init(smoothing: Double = 1) throws {
        try ParameterError.check(smoothing >= 0 && smoothing.isFinite, "smoothing", expected: "a finite σ ≥ 0 frames", found: smoothing)
        self.smoothing = smoothing
    }

    public func affinities(_ traces: Matrix<Double>, window: SlidingWindow) throws -> Matrix<Double> {
        let windows = try checkShape(traces, window)
        let z = standardisedDerivatives(traces)
        let n = traces.rows
        let pairs = NeuronPairs(neuronCount: n)
        var out = Matrix<Double>(rows: windows, columns: pairs.count)
        out.withUnsafeMutableBufferPointer { o in
            forEachWindowGram(z, window: window, windows: windows, scale: 1 / Double(window.length)) { k, g in
                var p = k &* pairs.count
                for i in 0..<n {
                    for j in (i &+ 1)..<max(i &+ 1, n) {
                        o[p] = max(0, g[i &* n &+ j])
                        p &+= 1
                    }
                }
            }
        }
        return out
    }

    /// z_i(t) of the doc comment, N × F.
    func standardisedDerivatives(_ traces: Matrix<Double>) -> Matrix<Double> {
        let f = traces.columns
        let n = traces.rows
        let kernel = GaussianKernel(sigma: smoothing)
        var out = Matrix<Double>(rows: n, columns: f)
        var smooth = [Double](repeating: 0, count: f)
        var sds = [Double](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<n {
                traces.withRow(i) { x in kernel.smooth(x, into: &smooth) }
                let base = i &* f
                for t in 0..<f {
                    let lo = max(0, t &- 1), hi = min(f &- 1, t &+ 1)
                    o[base &+ t] = hi > lo ? (smooth[hi] - smooth[lo]) / Double(hi &- lo) : 0
                }
                var mean = 0.0
                for t in 0..<f { mean += o[base &+ t] }
                mean /= Double(f)
                var ss = 0.0
                for t in 0..<f { let d = o[base &+ t] - mean; ss += d * d }
                sds[i] = (ss / Double(f)).squareRoot()
            }
            // Floor each scale at the animal's median so that a nearly silent neuron's rare transient
            // is not blown up into the largest affinities of the recording.
            let sorted = sds.sorted()
            let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            for i in 0..<n {
                let scale = max(sds[i], median)
                let inv = sds[i] > 0 && scale > 0 ? 1 / scale : 0
                for t in 0..<f { o[i &* f &+ t] *= inv }
            }
        }
        return out
    }
}

/// A normalised Gaussian smoothing kernel truncated at 4σ, with reflecting edges (scipy's
/// `gaussian_filter1d(mode="reflect")` convention).
struct GaussianKernel {
    let weights: [Double]
    var radius: Int { weights.count / 2 }

    init(sigma: Double) {
        guard sigma > 0 else { weights = [1]; return }
        let r = Int((4 * sigma).rounded())
        var w = (-r...r).map { Double.exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let s = w.reduce(0, +)
        for k in w.indices { w[k] /= s }
        weights = w
    }

    func smooth(_ x: UnsafeBufferPointer<Double>, into out: inout [Double]) {
        let n = x.count
        let r = radius
        for t in 0..<n {
            var acc = 0.0
            for k in -r...r {
                var s = t &+ k
                // Reflect (d c b a | a b c d | d c b a); repeat for kernels longer than the signal.
                while s < 0 || s >= n { s = s < 0 ? -s &- 1 : 2 &* n &- s &- 1 }
                acc += weights[k &+ r] * x[s]
            }
            out[t] = acc
        }
    }
}
