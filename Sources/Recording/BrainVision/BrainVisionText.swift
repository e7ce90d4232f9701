import Foundation

/// The INI-like text of BrainVision `.vhdr` headers and `.vmrk` marker files: a first identification
/// line, then `[Section]` lines and `key=value` lines; `;` starts a comment line. Everything from a
/// `[Comment]` section on is free text (the recorder's notes) and is not parsed.
///
/// Keys are matched case-insensitively (as Python's `configparser`, which MNE uses, lowercases them);
/// section names are matched case-insensitively too, since some exporters write `[Common infos]`.
struct BrainVisionText: Sendable {
    /// The first line (e.g. "Brain Vision Data Exchange Header File Version 1.0").
    let identification: String
    /// Sections in file order; entries keep their order and original key spelling.
    let sections: [(name: String, entries: [(key: String, value: String, line: Int)])]

    /// Decodes `bytes` by the declared `Codepage` (UTF-8 by default; `ANSI` is Windows-1252) and
    /// falls back to Latin-1 for bytes that are not valid UTF-8, as MNE does for older recordings.
    static func decode(_ bytes: [UInt8]) -> String {
        let asciiView = String(decoding: bytes.prefix(4096).map { $0 < 0x80 ? $0 : 0x3F }, as: UTF8.self)
        let ansi = asciiView.range(of: "Codepage=ANSI", options: .caseInsensitive) != nil
        if !ansi, let text = String(bytes: bytes, encoding: .utf8) { return text }
        if let text = String(bytes: bytes, encoding: ansi ? .windowsCP1252 : .isoLatin1) { return text }
        return String(decoding: bytes, as: UTF8.self)
    }

    init(bytes: [UInt8], file: String, kind: String, identifies: String) throws {
        let text = Self.decode(bytes)
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.trimmingScalars { $0 == "\r" } }
        // A UTF-8 byte-order mark is not part of the identification line.
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        let first = lines.first?.trimmingBlanks() ?? ""
        let squeezed = first.lowercased().replacingOccurrences(of: " ", with: "")
        guard squeezed.hasPrefix("brainvision"), squeezed.contains(identifies) else {
            let shown = first.count > 60 ? String(first.prefix(60)) + "…" : first
            throw RecordingError.invalidField(
                file: file, field: "first line",
                expected: "a BrainVision \(kind) (\"Brain Vision Data Exchange \(kind) ... Version 1.0\")",
                found: "\"\(shown)\"")
        }
        identification = first
        var sections: [(name: String, entries: [(key: String, value: String, line: Int)])] = []
        for (index, raw) in lines.enumerated().dropFirst() {
            let line = raw.trimmingBlanks()
            if line.isEmpty || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw RecordingError.invalidField(
                        file: file, field: "line \(index + 1)", expected: "a section header \"[Name]\"", found: "\"\(line)\"")
                }
                let name = String(line.dropFirst().dropLast())
                if name.lowercased() == "comment" { break }
                sections.append((name, []))
                continue
            }
            guard !sections.isEmpty else {
                throw RecordingError.invalidField(
                    file: file, field: "line \(index + 1)", expected: "a [Section] before the first setting", found: "\"\(line)\"")
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw RecordingError.invalidField(
                    file: file, field: "line \(index + 1) in [\(sections[sections.count - 1].name)]",
                    expected: "key=value", found: "\"\(line)\"")
            }
            let key = line[..<equals].trimmingBlanks()
            let value = line[line.index(after: equals)...].trimmingBlanks()
            sections[sections.count - 1].entries.append((key, value, index + 1))
        }
        self.sections = sections
    }

    /// The entries of section `name` (nil when the section is absent).
    func section(_ name: String) -> [(key: String, value: String, line: Int)]? {
        sections.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.entries
    }

    /// The value of `key` in section `name`.
    func value(_ key: String, in name: String) -> String? {
        section(name)?.first { $0.key.caseInsensitiveCompare(key) == .orderedSame }?.value
    }
}

extension StringProtocol {
    /// The text without leading and trailing `CharacterSet.whitespaces` (tab and Unicode space
    /// separators), compared scalar by scalar as Foundation does, but without bridging to NSString:
    /// header parsing trims every line and field, and Foundation's trimming dominated it.
    func trimmingBlanks() -> String { trimmingScalars { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator } }

    /// The text without leading and trailing scalars for which `drop` holds.
    func trimmingScalars(_ drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = Substring(self).unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, drop(scalars[start]) { start = scalars.index(after: start) }
        while end > start, drop(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(Substring(scalars[start ..< end]))
    }
}
