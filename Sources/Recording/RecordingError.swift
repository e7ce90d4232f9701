/// Errors from reading recordings and building recording values: each names the file (or the value
/// being built), the field, what was expected and what was found, so that a user can fix the input.
public enum RecordingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A header field or value that does not satisfy the format (non-numeric, out of range, ...).
    case invalidField(file: String, field: String, expected: String, found: String)
    /// The file is shorter than its header says (or than a header itself needs).
    case truncated(file: String, field: String, expectedBytes: Int, foundBytes: Int)
    /// A malformed EDF+ time-stamped annotation list (TAL).
    case invalidAnnotation(file: String, record: Int, expected: String, found: String)
    /// Channels with different sampling rates were requested in one `TimeSeries`.
    case mixedSamplingRates(file: String, channels: [String], rates: [Double])
    /// A channel name that the recording does not have.
    case unknownChannel(file: String, name: String, available: [String])
    /// An argument or a value given to an initialiser that cannot describe a valid recording.
    case invalidValue(type: String, field: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .invalidField(let file, let field, let expected, let found):
            return "\(file): \(field): expected \(expected), found \(found)"
        case .truncated(let file, let field, let expectedBytes, let foundBytes):
            return "\(file): \(field): the file is truncated: expected \(expectedBytes) bytes, found \(foundBytes)"
        case .invalidAnnotation(let file, let record, let expected, let found):
            return "\(file): annotations in data record \(record): expected \(expected), found \(found)"
        case .mixedSamplingRates(let file, let channels, let rates):
            let pairs = zip(channels, rates).map { "\($0) at \($1) Hz" }.joined(separator: ", ")
            return "\(file): channels with different sampling rates cannot share one time series (\(pairs)); "
                + "read them separately or resample"
        case .unknownChannel(let file, let name, let available):
            let shown = available.prefix(12).joined(separator: ", ") + (available.count > 12 ? ", ..." : "")
            return "\(file): no channel named \"\(name)\" (available: \(shown))"
        case .invalidValue(let type, let field, let expected, let found):
            return "\(type): \(field): expected \(expected), found \(found)"
        }
    }
}
