import Foundation

/// One labelled interval of a recording: onset and duration in seconds from the recording's first
/// sample (an event is an annotation of duration 0).
public struct Annotation: Sendable, Hashable, Codable {
    public let onset: Double
    public let duration: Double
    public let label: String

    public init(onset: Double, duration: Double = 0, label: String) {
        self.onset = onset
        self.duration = duration
        self.label = label
    }

    /// The end of the interval in seconds.
    public var end: Double { onset + duration }
}

/// Annotations of a recording, sorted by onset (stable: equal onsets keep the order they were given,
/// which for EDF+ is the file's order).
///
/// Onsets may be negative (an annotation before the first sample is legal in EDF+) but must be
/// finite; durations must be finite and non-negative.
public struct Annotations: Sendable, Hashable, Codable, RandomAccessCollection {
    public let items: [Annotation]

    public init(_ annotations: [Annotation] = []) throws {
        for (index, annotation) in annotations.enumerated() {
            guard annotation.onset.isFinite else {
                throw RecordingError.invalidValue(
                    type: "Annotations", field: "onset of annotation \(index) (\(annotation.label))",
                    expected: "a finite number of seconds", found: "\(annotation.onset)")
            }
            guard annotation.duration.isFinite, annotation.duration >= 0 else {
                throw RecordingError.invalidValue(
                    type: "Annotations", field: "duration of annotation \(index) (\(annotation.label))",
                    expected: "a finite, non-negative number of seconds", found: "\(annotation.duration)")
            }
        }
        // Stable sort: Swift's sort is not guaranteed stable, so sort indices with a tie-break.
        let order = annotations.indices.sorted {
            let a = annotations[$0], b = annotations[$1]
            return a.onset != b.onset ? a.onset < b.onset : $0 < $1
        }
        items = order.map { annotations[$0] }
    }

    /// No annotations.
    public static let empty = try! Annotations([])

    public var startIndex: Int { items.startIndex }
    public var endIndex: Int { items.endIndex }
    public subscript(position: Int) -> Annotation { items[position] }

    /// The distinct labels in order of first appearance.
    public var labels: [String] {
        var seen = Set<String>()
        return items.compactMap { seen.insert($0.label).inserted ? $0.label : nil }
    }

    /// The annotations with the given label.
    public func withLabel(_ label: String) -> Annotations {
        // Filtering a sorted, valid list keeps it sorted and valid.
        Annotations(validatedSorted: items.filter { $0.label == label })
    }

    /// The annotations that overlap `[start, end)` (events at `start` included), with onsets moved
    /// so that `start` becomes 0; intervals keep their full duration, as MNE's `crop` does not clip either.
    public func shifted(toWindow range: Range<Double>) -> Annotations {
        let kept = items.filter { a in
            a.onset < range.upperBound && (a.end > range.lowerBound || a.onset >= range.lowerBound)
        }
        return Annotations(validatedSorted: kept.map {
            Annotation(onset: $0.onset - range.lowerBound, duration: $0.duration, label: $0.label)
        })
    }

    init(validatedSorted items: [Annotation]) {
        self.items = items
    }

    // Decoding goes through the validating initialiser.
    public init(from decoder: any Decoder) throws {
        try self.init(try [Annotation](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try items.encode(to: encoder)
    }
}
