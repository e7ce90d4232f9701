/// Errors from reading recordings: each names the file, the field, what was expected and what was found.
public enum RecordingError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidField(file: String, field: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .invalidField(let file, let field, let expected, let found):
            return "\(file): \(field): expected \(expected), found \(found)"
        }
    }
}
