import Foundation

/// Spike counts in time bins: units × bins, bin `k` covering `[start + k·binWidth, start + (k+1)·binWidth)`.
///
/// **Storage.** Counts are `Double`, row-major units × bins (unit `u` is the contiguous run
/// `counts[u·binCount ..< (u+1)·binCount]`). Double rather than Int32 because every consumer
/// (Poisson GLMs, bi-clustering, decoders) computes in Double, counts stay exact up to 2⁵³, the same
/// type then holds smoothed or trial-averaged counts, and `matrix()` is a copy-free hand-off. `init`
/// requires finite, non-negative values (not necessarily integers, so averages are allowed).
public struct SpikeCounts: Sendable, Hashable {
    public let units: [SpikeUnit]
    public let binCount: Int
    public let binWidth: Double
    /// Left edge of the first bin, in seconds.
    public let start: Double
    /// Row-major units × bins.
    public let counts: [Double]

    public init(counts: [Double], units: [SpikeUnit], binWidth: Double, start: Double = 0) throws {
        guard binWidth.isFinite, binWidth > 0 else {
            throw RecordingError.invalidValue(type: "SpikeCounts", field: "binWidth", expected: "a finite width > 0 s", found: "\(binWidth)")
        }
        guard start.isFinite else {
            throw RecordingError.invalidValue(type: "SpikeCounts", field: "start", expected: "a finite time", found: "\(start)")
        }
        guard !units.isEmpty, counts.count % units.count == 0 else {
            throw RecordingError.invalidValue(
                type: "SpikeCounts", field: "counts", expected: "a multiple of the \(units.count) units",
                found: "\(counts.count) values")
        }
        if let bad = counts.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw RecordingError.invalidValue(
                type: "SpikeCounts", field: "counts", expected: "finite counts ≥ 0",
                found: "\(counts[bad]) at unit \(bad / (counts.count / units.count)), bin \(bad % (counts.count / units.count))")
        }
        self.units = units
        self.binCount = counts.count / units.count
        self.binWidth = binWidth
        self.start = start
        self.counts = counts
    }

    public var unitCount: Int { units.count }
    /// The `binCount + 1` bin edges in seconds.
    public var binEdges: [Double] { (0...binCount).map { start + Double($0) * binWidth } }
    /// Bin centres in seconds.
    public var binCenters: [Double] { (0..<binCount).map { start + (Double($0) + 0.5) * binWidth } }
    /// One unit's counts.
    public func unit(_ u: Int) -> ArraySlice<Double> { counts[(u * binCount)..<((u + 1) * binCount)] }
    public subscript(unit: Int, bin: Int) -> Double { counts[unit * binCount + bin] }
    /// Counts as a units × bins matrix.
    public func matrix() -> Matrix<Double> { Matrix(rows: unitCount, columns: binCount, elements: counts) }
    /// Counts divided by the bin width (spikes per second).
    public var rates: [Double] { counts.map { $0 / binWidth } }
}

extension SpikeTrains {
    /// Counts spikes in bins of `width` seconds.
    ///
    /// Bins are `[lo + k·width, lo + (k+1)·width)` for `k < n`, with `n = ⌊(hi − lo)/width⌋` whole
    /// bins (a relative tolerance of 10⁻⁹ absorbs rounding, so 0..<10 in 0.1 s bins gives 100);
    /// spikes outside `[lo, lo + n·width)` are not counted — as numpy's histogram over
    /// `arange(lo, hi + width/2, width)` edges but with right-open last bin. Without a range, bins start
    /// at 0 and extend to cover the last spike. Cost: O(spikes + units·bins).
    public func binned(width: Double, range: Range<Double>? = nil) throws -> SpikeCounts {
        guard width.isFinite, width > 0 else {
            throw RecordingError.invalidValue(type: "SpikeTrains", field: "bin width", expected: "a finite width > 0 s", found: "\(width)")
        }
        let lo: Double, n: Int
        if let range {
            guard range.lowerBound.isFinite, range.upperBound.isFinite else {
                throw RecordingError.invalidValue(type: "SpikeTrains", field: "range", expected: "finite bounds", found: "\(range)")
            }
            lo = range.lowerBound
            let ratio = (range.upperBound - range.lowerBound) / width
            guard ratio < 1e9 else {
                throw RecordingError.invalidValue(type: "SpikeTrains", field: "range", expected: "at most 10⁹ bins", found: "\(ratio) bins")
            }
            n = Int((ratio * (1 + 1e-9)).rounded(.down))
        } else {
            lo = 0
            let last = max(0, times.compactMap(\.last).max() ?? 0)
            let ratio = last / width
            guard ratio < 1e9 else {
                throw RecordingError.invalidValue(type: "SpikeTrains", field: "bin width", expected: "at most 10⁹ bins", found: "\(ratio) bins")
            }
            n = Int(ratio.rounded(.down)) + 1
        }
        guard n > 0, !units.isEmpty else {
            throw RecordingError.invalidValue(
                type: "SpikeTrains", field: "range", expected: "at least one whole bin and one unit",
                found: "\(n) bins, \(units.count) units")
        }
        var counts = [Double](repeating: 0, count: units.count * n)
        let hi = lo + Double(n) * width
        counts.withUnsafeMutableBufferPointer { out in
            for (u, list) in times.enumerated() {
                let row = u &* n
                var i = SpikeTrains.lowerBound(list, lo)
                while i < list.count, list[i] < hi {
                    let k = Int(((list[i] - lo) / width).rounded(.down))
                    // Rounding at an upper edge can give n; such a spike belongs to the last bin's edge.
                    if k >= 0 && k < n { out[row &+ k] += 1 }
                    i &+= 1
                }
            }
        }
        return try SpikeCounts(counts: counts, units: units, binWidth: width, start: lo)
    }
}
