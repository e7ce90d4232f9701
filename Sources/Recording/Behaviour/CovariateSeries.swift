import Foundation

/// Behavioural or other covariates (position, speed, pupil size, stimulus values) sampled at
/// explicit timestamps: named columns × samples.
///
/// Unlike `TimeSeries` there is no single sampling rate: video trackers and behavioural rigs drop
/// and repeat frames, so each sample carries its own time (seconds). Values are `Double` because
/// covariates mix pixel coordinates, centimetres and 32-bit counters, and they are small. Columns
/// are stored column-major (`values[c·count ..< (c+1)·count]` is column `c`) so one column is a
/// contiguous run.
public struct CovariateSeries: Sendable, Hashable {
    /// Column names (unique).
    public let names: [String]
    /// A unit per column when the source gives one (e.g. "pixel", "m"), else nil.
    public let units: [String?]
    /// Sample times in seconds, non-decreasing.
    public let timestamps: [Double]
    /// Column-major values, `names.count × timestamps.count`.
    public let values: [Double]

    public init(names: [String], units: [String?]? = nil, timestamps: [Double], values: [Double]) throws {
        guard !names.isEmpty else {
            throw RecordingError.invalidValue(type: "CovariateSeries", field: "names", expected: "at least one column", found: "none")
        }
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted {
            throw RecordingError.invalidValue(type: "CovariateSeries", field: "names", expected: "unique column names", found: "\"\(n)\" twice")
        }
        let units = units ?? Array(repeating: nil, count: names.count)
        guard units.count == names.count else {
            throw RecordingError.invalidValue(
                type: "CovariateSeries", field: "units", expected: "\(names.count) units (one per column)", found: "\(units.count)")
        }
        guard values.count == names.count * timestamps.count else {
            throw RecordingError.invalidValue(
                type: "CovariateSeries", field: "values",
                expected: "\(names.count) × \(timestamps.count) = \(names.count * timestamps.count) values", found: "\(values.count)")
        }
        for i in timestamps.indices {
            guard timestamps[i].isFinite else {
                throw RecordingError.invalidValue(type: "CovariateSeries", field: "timestamps[\(i)]", expected: "a finite time", found: "\(timestamps[i])")
            }
            if i > 0, timestamps[i] < timestamps[i - 1] {
                throw RecordingError.invalidValue(
                    type: "CovariateSeries", field: "timestamps[\(i)]",
                    expected: "non-decreasing times (≥ \(timestamps[i - 1]))", found: "\(timestamps[i])")
            }
        }
        self.names = names
        self.units = units
        self.timestamps = timestamps
        self.values = values
    }

    /// The number of samples (rows).
    public var count: Int { timestamps.count }
    public var columnCount: Int { names.count }
    /// Seconds from the first to the last sample (0 when there are fewer than two).
    public var duration: Double { count > 1 ? timestamps[count - 1] - timestamps[0] : 0 }

    /// Column `index` (a contiguous slice of `values`).
    public func column(at index: Int) -> ArraySlice<Double> {
        precondition(names.indices.contains(index), "column index \(index) out of range")
        return values[(index &* count)..<((index &+ 1) &* count)]
    }

    /// The column named `name`.
    public func column(named name: String) throws -> [Double] {
        guard let i = names.firstIndex(of: name) else {
            throw RecordingError.unknownChannel(file: "CovariateSeries", name: name, available: names)
        }
        return Array(column(at: i))
    }

    /// The value of column `column` at sample `sample`.
    public subscript(column: Int, sample: Int) -> Double { values[column &* count &+ sample] }

    /// The columns at `indices`, in that order.
    public func selecting(columns indices: [Int]) -> CovariateSeries {
        var out = [Double]()
        out.reserveCapacity(indices.count * count)
        for i in indices { out.append(contentsOf: column(at: i)) }
        return try! CovariateSeries(names: indices.map { names[$0] }, units: indices.map { units[$0] }, timestamps: timestamps, values: out)
    }
}
