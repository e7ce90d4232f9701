import NeuroCore

/// scipy's `odd_ext`: `x` extended by `edge` samples at each end by point reflection about the
/// end samples (2·x[0] − x[edge…1] before, 2·x[n−1] − x[n−2…n−1−edge] after), which continues the
/// signal's value and slope so a filter's start-up transient falls in the discarded extension.
func oddExtension(_ x: [Double], edge: Int) -> [Double] {
    let n = x.count
    var ext = [Double](repeating: 0, count: n + 2 * edge)
    let (first, last) = (x[0], x[n - 1])
    for i in 0..<edge { ext[i] = 2 * first - x[edge - i] }
    for i in 0..<n { ext[edge + i] = x[i] }
    for i in 0..<edge { ext[edge + n + i] = 2 * last - x[n - 2 - i] }
    return ext
}

/// The default padding `scipy.signal.filtfilt`/`sosfiltfilt` use (3 × the filter's tap count),
/// checked against the signal length as scipy does.
func checkedPadding(taps: Int, signalLength n: Int) throws -> Int {
    let edge = 3 * taps
    try ParameterError.check(
        n > edge, "signal", expected: "more than \(edge) samples (3 × \(taps) taps of padding) for zero-phase filtering",
        found: "\(n) samples")
    return edge
}
