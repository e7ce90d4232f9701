/// A configuration value that an estimator cannot run with, reported by its `validate()`.
///
/// Carries the parameter's name, what was expected and what was found, so the CLI and scripts can
/// show a message such as `rank: expected an integer ≥ 1, found 0`.
public struct ParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var parameter: String
    public var expected: String
    public var found: String

    public init(_ parameter: String, expected: String, found: String) {
        self.parameter = parameter
        self.expected = expected
        self.found = found
    }

    public init<T>(_ parameter: String, expected: String, found value: T) {
        self.init(parameter, expected: expected, found: String(describing: value))
    }

    public var description: String { "\(parameter): expected \(expected), found \(found)" }

    /// Throws unless `condition` holds; the usual building block of `validate()`.
    public static func check<T>(
        _ condition: Bool, _ parameter: String, expected: String, found value: T
    ) throws {
        if !condition { throw ParameterError(parameter, expected: expected, found: value) }
    }
}
