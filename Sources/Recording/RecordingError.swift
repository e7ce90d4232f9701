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
    /// A file that another file refers to (a `.vhdr`'s `DataFile`, a `.set`'s `.fdt`) does not exist.
    case missingFile(file: String, field: String, path: String)
    /// One part of a multi-file recording that is not the part to open (`.vmrk`, `.eeg`, `.fdt`).
    case notTheEntryFile(file: String, role: String, open: String)
    /// A well-formed file that uses a feature this library does not read.
    case unsupported(file: String, feature: String, hint: String)
    /// A file whose format is recognised neither by extension nor by content.
    case unknownFormat(file: String, detail: String, supported: [String])

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
        case .missingFile(let file, let field, let path):
            return "\(file): \(field) refers to \(path), which does not exist"
        case .notTheEntryFile(let file, let role, let open):
            return "\(file) is \(role): open the \(open)"
        case .unsupported(let file, let feature, let hint):
            return "\(file): \(feature) is not supported" + (hint.isEmpty ? "" : "; \(hint)")
        case .unknownFormat(let file, let detail, let supported):
            return "\(file): not a recording this library reads (\(detail)); supported: " + supported.joined(separator: ", ")
        }
    }
}
