/// Input that a statistic or metric cannot be computed from. These are user-data errors (wrong
/// lengths, too few values, a missing class), so they are thrown rather than trapped.
///
/// Every case names `what` was being computed (e.g. `"adjustedRandIndex: predicted labels"`) and
/// what was expected versus found, so a message reads like
/// `rocAUC: labels: expected both classes, found only the negative class`.
///
/// Statistics that are merely *undefined* for well-formed input — the correlation of a constant
/// vector, the z-score of a constant sample — return NaN instead, as numpy and scipy do, so that a
/// matrix of correlations over many channels is not aborted by one flat channel.
public enum StatisticsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Two arrays that pair up element by element have different lengths.
    case lengthMismatch(what: String, expected: Int, found: Int)
    /// Too few values (e.g. an empty array, or one value for a sample variance).
    case tooFewValues(what: String, expected: String, found: Int)
    /// The classes present do not allow the metric (e.g. ROC AUC with one class only, or a label
    /// that is not among the classes given).
    case classes(what: String, expected: String, found: String)
    /// A value that the computation cannot use: NaN, or an infinity where only finite values make sense.
    case invalidValue(what: String, index: Int, expected: String, found: Double)
    /// An argument that is inconsistent with the data (e.g. duplicate labels in a label list).
    case invalidArgument(what: String, expected: String, found: String)
    /// A linear assignment problem whose forbidden (infinite) costs leave no complete assignment.
    case infeasibleAssignment(rows: Int, columns: Int)

    public var description: String {
        switch self {
        case .lengthMismatch(let what, let expected, let found):
            return "\(what): expected \(expected) values (the length of the first array), found \(found)"
        case .tooFewValues(let what, let expected, let found):
            return "\(what): expected \(expected) values, found \(found)"
        case .classes(let what, let expected, let found):
            return "\(what): expected \(expected), found \(found)"
        case .invalidValue(let what, let index, let expected, let found):
            return "\(what): expected \(expected), found \(found) at index \(index)"
        case .invalidArgument(let what, let expected, let found):
            return "\(what): expected \(expected), found \(found)"
        case .infeasibleAssignment(let rows, let columns):
            return "linear assignment: the \(rows) × \(columns) cost matrix has no assignment with finite total cost"
        }
    }
}

// MARK: Shared checks

extension StatisticsError {
    static func checkSameLength(_ what: String, _ first: Int, _ second: Int) throws {
        if first != second { throw StatisticsError.lengthMismatch(what: what, expected: first, found: second) }
    }

    static func checkCount(_ what: String, _ count: Int, atLeast minimum: Int) throws {
        if count < minimum {
            throw StatisticsError.tooFewValues(what: what, expected: "at least \(minimum)", found: count)
        }
    }

    /// Throws on the first NaN.
    static func checkNoNaN(_ what: String, _ values: UnsafeBufferPointer<Double>) throws {
        for i in 0..<values.count where values[i].isNaN {
            throw StatisticsError.invalidValue(what: what, index: i, expected: "a number", found: values[i])
        }
    }

    /// Throws on the first NaN or infinity.
    static func checkFinite(_ what: String, _ values: UnsafeBufferPointer<Double>) throws {
        for i in 0..<values.count where !values[i].isFinite {
            throw StatisticsError.invalidValue(what: what, index: i, expected: "a finite number", found: values[i])
        }
    }
}
