import Foundation

/// Spike counts on a regular time grid, bin-major (`counts[bin * neurons + neuron]`): the input the
/// Neuroformer tokeniser reads window by window.
public struct SpikeRaster: Sendable, Equatable {
    public let neurons: Int
    public let bins: Int
    public let binWidth: Double
    /// Time of the left edge of bin 0, seconds.
    public let start: Double
    public internal(set) var counts: [UInt16]

    public init(neurons: Int, bins: Int, binWidth: Double, start: Double = 0, counts: [UInt16]) {
        precondition(neurons >= 0 && bins >= 0 && counts.count == neurons * bins, "SpikeRaster: \(counts.count) counts for \(bins) × \(neurons)")
        self.neurons = neurons
        self.bins = bins
        self.binWidth = binWidth
        self.start = start
        self.counts = counts
    }

    /// Bins spike trains on `[start, end)` at `binWidth` seconds (spikes outside are dropped).
    public init(trains: SpikeTrains, binWidth: Double, start: Double, end: Double) throws {
        try ParameterError.check(binWidth > 0 && binWidth.isFinite, "binWidth", expected: "> 0 seconds", found: binWidth)
        try ParameterError.check(end > start, "end", expected: "after start \(start)", found: end)
        let bins = Int(((end - start) / binWidth).rounded(.down))
        let n = trains.unitCount
        var counts = [UInt16](repeating: 0, count: bins * n)
        for (u, list) in trains.times.enumerated() {
            for t in list where t >= start {
                let b = Int(((t - start) / binWidth).rounded(.down))
                if b >= bins { break }
                if counts[b * n + u] < UInt16.max { counts[b * n + u] += 1 }
            }
        }
        self.init(neurons: n, bins: bins, binWidth: binWidth, start: start, counts: counts)
    }

    public subscript(bin: Int, neuron: Int) -> Int { Int(counts[bin &* neurons &+ neuron]) }

    public mutating func add(bin: Int, neuron: Int) {
        let i = bin * neurons + neuron
        if counts[i] < UInt16.max { counts[i] += 1 }
    }

    /// Spikes per second of each neuron over the bins `range` (all by default).
    public func rates(bins range: Range<Int>? = nil) -> [Double] {
        let r = range ?? 0..<bins
        var totals = [Double](repeating: 0, count: neurons)
        for b in r { for n in 0..<neurons { totals[n] += Double(counts[b &* neurons &+ n]) } }
        let seconds = Double(r.count) * binWidth
        return totals.map { seconds > 0 ? $0 / seconds : 0 }
    }

    public var spikeCount: Int { counts.reduce(0) { $0 + Int($1) } }
}
