import Foundation

/// What is known about one sorted unit (a putative neuron).
public struct SpikeUnit: Sendable, Hashable, Codable {
    /// The unit's identifier in its source (Phy cluster id, NWB units `id`, …).
    public let id: Int
    /// Brain region or anatomical location, when the source records one.
    public let region: String?
    /// Curation label ("good", "mua", "noise", …), when the source records one.
    public let quality: String?
    /// Index of the electrode (channel) the unit was recorded on, when known.
    public let electrode: Int?

    public init(id: Int, region: String? = nil, quality: String? = nil, electrode: Int? = nil) {
        self.id = id
        self.region = region
        self.quality = quality
        self.electrode = electrode
    }
}

/// Spike times of sorted units: one ascending list of times in seconds per unit.
///
/// Times are `Double` seconds: a 30 kHz sample index over a day (2.6·10⁹) needs more than Float's
/// 24-bit mantissa. `init` checks that every time is finite and that each unit's list is sorted
/// (ties are allowed: two spikes in one sample), so binning and alignment can use binary search.
public struct SpikeTrains: Sendable, Hashable {
    public let units: [SpikeUnit]
    /// `times[u]` holds unit `u`'s spike times in seconds, ascending.
    public let times: [[Double]]

    public init(units: [SpikeUnit], times: [[Double]]) throws {
        guard units.count == times.count else {
            throw RecordingError.invalidValue(
                type: "SpikeTrains", field: "times", expected: "one list per unit (\(units.count))",
                found: "\(times.count) lists")
        }
        var ids = Set<Int>()
        for unit in units where !ids.insert(unit.id).inserted {
            throw RecordingError.invalidValue(
                type: "SpikeTrains", field: "units", expected: "unique unit ids", found: "id \(unit.id) twice")
        }
        for (u, list) in times.enumerated() {
            var previous = -Double.infinity
            for (k, t) in list.enumerated() {
                guard t.isFinite else {
                    throw RecordingError.invalidValue(
                        type: "SpikeTrains", field: "times of unit \(units[u].id)",
                        expected: "finite times", found: "\(t) at spike \(k)")
                }
                guard t >= previous else {
                    throw RecordingError.invalidValue(
                        type: "SpikeTrains", field: "times of unit \(units[u].id)",
                        expected: "ascending times", found: "\(t) after \(previous) at spike \(k)")
                }
                previous = t
            }
        }
        self.units = units
        self.times = times
    }

    /// Units numbered 0, 1, … without metadata.
    public init(times: [[Double]]) throws {
        try self.init(units: times.indices.map { SpikeUnit(id: $0) }, times: times)
    }

    /// Groups a flat list of spikes by unit label (Phy/Kilosort layout). Times need not be sorted;
    /// each unit's times are sorted here. Units are ordered by `units` (every label must appear in
    /// it); units without spikes get empty lists.
    public init(spikeTimes: [Double], labels: [Int], units: [SpikeUnit]) throws {
        guard spikeTimes.count == labels.count else {
            throw RecordingError.invalidValue(
                type: "SpikeTrains", field: "labels", expected: "one label per spike (\(spikeTimes.count))",
                found: "\(labels.count) labels")
        }
        var position = [Int: Int]()
        for (i, unit) in units.enumerated() { position[unit.id] = i }
        var lists = [[Double]](repeating: [], count: units.count)
        for (t, label) in zip(spikeTimes, labels) {
            guard let p = position[label] else {
                throw RecordingError.invalidValue(
                    type: "SpikeTrains", field: "labels", expected: "labels among the unit ids",
                    found: "label \(label)")
            }
            lists[p].append(t)
        }
        for i in lists.indices where lists[i].contains(where: { !$0.isFinite }) {
            throw RecordingError.invalidValue(
                type: "SpikeTrains", field: "times of unit \(units[i].id)", expected: "finite times", found: "a non-finite time")
        }
        for i in lists.indices { lists[i].sort() }
        try self.init(units: units, times: lists)
    }

    public var unitCount: Int { units.count }
    /// Total number of spikes over all units.
    public var spikeCount: Int { times.reduce(0) { $0 + $1.count } }
    /// Spikes per unit.
    public var spikeCounts: [Int] { times.map(\.count) }
    /// The earliest and latest spike over all units, nil when there are none.
    public var timeSpan: ClosedRange<Double>? {
        let firsts = times.compactMap(\.first), lasts = times.compactMap(\.last)
        guard let lo = firsts.min(), let hi = lasts.max() else { return nil }
        return lo...hi
    }

    /// The units whose metadata satisfy `keep`, in order.
    public func filter(_ keep: (SpikeUnit) -> Bool) -> SpikeTrains {
        let kept = units.indices.filter { keep(units[$0]) }
        // Already validated: the subset is valid too.
        return try! SpikeTrains(units: kept.map { units[$0] }, times: kept.map { times[$0] })
    }

    /// The spikes in `range` (seconds) of every unit, times unchanged.
    public func slice(_ range: Range<Double>) -> SpikeTrains {
        let sliced = times.map { list -> [Double] in
            Array(list[SpikeTrains.lowerBound(list, range.lowerBound) ..< SpikeTrains.lowerBound(list, range.upperBound)])
        }
        return try! SpikeTrains(units: units, times: sliced)
    }

    /// First index `i` with `list[i] >= value` (binary search over an ascending list).
    static func lowerBound(_ list: [Double], _ value: Double) -> Int {
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            if list[mid] < value { lo = mid &+ 1 } else { hi = mid }
        }
        return lo
    }
}
