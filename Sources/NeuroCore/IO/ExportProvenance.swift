import Foundation

/// Where an exported file came from, written as root attributes of every NeuroSwift HDF5 export:
/// `software`, `version`, `command`, `seed`, `created` (ISO 8601, UTC), `input_files` and
/// `input_sha256`, so a result can be traced to the exact inputs and settings that made it.
public struct ExportProvenance: Sendable {
    public var command: String
    public var seed: UInt64?
    public var inputs: [URL]
    public var created: Date

    public init(command: String, seed: UInt64? = nil, inputs: [URL] = [], created: Date = Date()) {
        self.command = command
        self.seed = seed
        self.inputs = inputs
        self.created = created
    }

    public func write(to file: HDF5File) throws {
        let root = file.root
        try root.setAttribute("software", NeuroSwiftVersion.software)
        try root.setAttribute("version", NeuroSwiftVersion.current)
        try root.setAttribute("command", command)
        if let seed { try root.setAttribute("seed", seed) }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        try root.setAttribute("created", formatter.string(from: created))
        if !inputs.isEmpty {
            try root.setAttribute("input_files", inputs.map(\.path).joined(separator: "\n"))
            try root.setAttribute("input_sha256", try inputs.map { try SHA256.hex(fileAt: $0) }.joined(separator: "\n"))
        }
    }
}
