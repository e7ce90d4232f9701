import Foundation

/// Errors of the bi-clustering model that come from the data or from a run, not from programming.
public enum BiClusteringError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The count matrix cannot be fitted (too few neurons or bins, negative or non-integer counts…).
    case invalidCounts(String)
    /// A factorisation failed during a sweep (the chain's state became degenerate).
    case numerical(String)
    /// A checkpoint does not belong to this data or configuration, or is unreadable.
    case checkpoint(String)

    public var description: String {
        switch self {
        case .invalidCounts(let m): "invalid counts: \(m)"
        case .numerical(let m): "numerical failure in the bi-clustering sampler: \(m)"
        case .checkpoint(let m): "checkpoint: \(m)"
        }
    }
}
