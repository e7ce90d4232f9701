/// A time-resolved, non-negative similarity between the traces of every pair of neurons.
///
/// The first stage of the dynamic-connectome pipeline (Dyballa et al. 2024): for one animal it turns
/// neurons × frames traces into windows × pairs affinities (pairs ordered as `NeuronPairs`), which
/// `AffinityTensor` stacks over animals. Affinities must be ≥ 0 because the tensor is factorised by
/// non-negative CP; the paper's kernel is not published in readable form, so it is pluggable.
public protocol PairAffinity: Sendable {
    /// Short name recorded in exported provenance.
    var name: String { get }
    /// Affinities of `traces` (neurons × frames, one row per neuron) over `window`'s windows:
    /// a windows × N(N−1)/2 matrix with every entry finite and ≥ 0.
    /// - Throws: `ParameterError` when the recording holds no complete window or fewer than 2 neurons.
    func affinities(_ traces: Matrix<Double>, window: SlidingWindow) throws -> Matrix<Double>
}

extension PairAffinity {
    func checkShape(_ traces: Matrix<Double>, _ window: SlidingWindow) throws -> Int {
        try ParameterError.check(traces.rows >= 2, "traces.rows", expected: "≥ 2 neurons", found: traces.rows)
        let windows = window.count(frames: traces.columns)
        try ParameterError.check(
            windows > 0, "window.length", expected: "≤ the \(traces.columns) frames of the recording", found: window.length)
        return windows
    }
}

/// Shared kernel of the affinities: for each window, the N × N Gram matrix of the window's columns of
/// `rows` (N × F row-major), scaled by `scale`, handed to `body` with the window index. One `gemm`
/// per window reads the window in place (leading dimension F), so nothing is copied.
func forEachWindowGram(
    _ rows: Matrix<Double>, window: SlidingWindow, windows: Int, scale: Double,
    _ body: (Int, UnsafeBufferPointer<Double>) -> Void
) {
    let n = rows.rows
    let f = rows.columns
    var gram = [Double](repeating: 0, count: n * n)
    rows.withUnsafeBufferPointer { x in
        gram.withUnsafeMutableBufferPointer { g in
            for k in 0..<windows {
                let a = x.baseAddress! + window.start(k)
                Double.gemm(
                    transA: false, transB: true, m: Int32(n), n: Int32(n), k: Int32(window.length), alpha: scale,
                    a: a, lda: Int32(f), b: a, ldb: Int32(f), beta: 0, c: g.baseAddress!, ldc: Int32(n))
                body(k, UnsafeBufferPointer(g))
            }
        }
    }
}
