import Foundation

/// Spike counts aligned to events (trials): trials × units × bins, the basis of a PSTH.
///
/// Bin `k` covers `[window.lowerBound + k·binWidth, window.lowerBound + (k+1)·binWidth)` relative to
/// each event; the same whole-bin rule as `SpikeTrains.binned(width:range:)` applies.
public struct PeriEventHistogram: Sendable, Hashable {
    public let units: [SpikeUnit]
    /// Event times (seconds) the trials are aligned to.
    public let events: [Double]
    public let binWidth: Double
    /// Start of the first bin relative to the event (negative for a pre-event baseline).
    public let windowStart: Double
    public let binCount: Int
    /// Counts, row-major trials × units × bins.
    public let counts: [Double]

    public var trialCount: Int { events.count }
    public var unitCount: Int { units.count }
    /// Bin centres relative to the event, in seconds.
    public var binCenters: [Double] { (0..<binCount).map { windowStart + (Double($0) + 0.5) * binWidth } }

    /// Count of `unit` in `bin` of `trial`.
    public subscript(trial: Int, unit: Int, bin: Int) -> Double {
        counts[(trial * unitCount + unit) * binCount + bin]
    }

    /// The PSTH: mean over trials of counts / binWidth, spikes per second, units × bins.
    public func meanRate() -> SpikeCounts {
        var mean = [Double](repeating: 0, count: unitCount * binCount)
        let block = unitCount * binCount
        let scale = trialCount > 0 ? 1 / (Double(trialCount) * binWidth) : 0
        for t in 0..<trialCount {
            for i in 0..<block { mean[i] += counts[t &* block &+ i] }
        }
        for i in mean.indices { mean[i] *= scale }
        return try! SpikeCounts(counts: mean, units: units, binWidth: binWidth, start: windowStart)
    }
}

extension SpikeTrains {
    /// Each unit's spike times relative to each event, keeping those in `window`:
    /// `result[trial][unit]` is ascending (a raster).
    public func aligned(to events: [Double], window: Range<Double>) -> [[[Double]]] {
        events.map { e in
            times.map { list in
                let a = SpikeTrains.lowerBound(list, e + window.lowerBound)
                let b = SpikeTrains.lowerBound(list, e + window.upperBound)
                return list[a..<b].map { $0 - e }
            }
        }
    }

    /// Counts spikes in bins of `binWidth` over `window` around each event. Cost: O(events × units ×
    /// log spikes + spikes in windows).
    public func periEventHistogram(events: [Double], window: Range<Double>, binWidth: Double) throws -> PeriEventHistogram {
        guard binWidth.isFinite, binWidth > 0 else {
            throw RecordingError.invalidValue(type: "SpikeTrains", field: "bin width", expected: "a finite width > 0 s", found: "\(binWidth)")
        }
        guard window.lowerBound.isFinite, window.upperBound.isFinite else {
            throw RecordingError.invalidValue(type: "SpikeTrains", field: "window", expected: "finite bounds", found: "\(window)")
        }
        if let bad = events.first(where: { !$0.isFinite }) {
            throw RecordingError.invalidValue(type: "SpikeTrains", field: "events", expected: "finite times", found: "\(bad)")
        }
        let ratio = (window.upperBound - window.lowerBound) / binWidth
        guard ratio < 1e7 else {
            throw RecordingError.invalidValue(type: "SpikeTrains", field: "window", expected: "at most 10⁷ bins", found: "\(ratio) bins")
        }
        let n = Int((ratio * (1 + 1e-9)).rounded(.down))
        guard n > 0 else {
            throw RecordingError.invalidValue(type: "SpikeTrains", field: "window", expected: "at least one whole bin", found: "\(window) with bins of \(binWidth) s")
        }
        let u = units.count
        var counts = [Double](repeating: 0, count: events.count * u * n)
        counts.withUnsafeMutableBufferPointer { out in
            for (t, e) in events.enumerated() {
                let lo = e + window.lowerBound, hi = lo + Double(n) * binWidth
                for (j, list) in times.enumerated() {
                    let row = (t &* u &+ j) &* n
                    var i = SpikeTrains.lowerBound(list, lo)
                    while i < list.count, list[i] < hi {
                        let k = Int(((list[i] - lo) / binWidth).rounded(.down))
                        if k >= 0 && k < n { out[row &+ k] += 1 }
                        i &+= 1
                    }
                }
            }
        }
        return PeriEventHistogram(units: units, events: events, binWidth: binWidth, windowStart: window.lowerBound, binCount: n, counts: counts)
    }
}
