import Foundation

/// Runs the built `neuroswift` executable, for end-to-end tests of the CLI.
public enum NeuroSwiftBinary {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// The binary beside the test bundle in SwiftPM's products folder.
    public static var url: URL {
        var folder = Bundle.main.bundleURL
        if folder.pathExtension == "xctest" { folder.deleteLastPathComponent() }
        let candidate = folder.appendingPathComponent("neuroswift")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        // Swift Testing's runner may live elsewhere; fall back to the products folder of this checkout.
        return SharedData.repositoryRoot.appendingPathComponent(".build/debug/neuroswift")
    }

    /// Runs the CLI with `arguments`, no standard input, and returns what it printed.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes before waiting so a chatty child cannot block on a full pipe.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
