import Foundation
import NeuroCore

/// What a chain writes every `checkpointInterval` sweeps: its state, its summaries and the seed of
/// the generator for the next segment (chains re-seed at these points in every run, so a resumed
/// run reproduces an uninterrupted one exactly).
struct BiClusteringCheckpoint: Codable {
    static let formatVersion = 1
    var version = BiClusteringCheckpoint.formatVersion
    var chain: Int
    var neurons: Int
    var bins: Int
    var dataChecksum: String
    var configuration: BiClusteringConfiguration
    var state: BiClusteringState
    var summary: BiClusteringChainSummary
    var generatorSeed: UInt64
    var elapsed: Double

    static func url(in directory: URL, chain: Int) -> URL {
        directory.appendingPathComponent("chain-\(chain).json")
    }

    func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let data = try JSONEncoder().encode(self)
        try AtomicFile.write(data, to: BiClusteringCheckpoint.url(in: directory, chain: chain))
    }

    static func read(from directory: URL, chain: Int) throws -> BiClusteringCheckpoint? {
        let url = BiClusteringCheckpoint.url(in: directory, chain: chain)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            let checkpoint = try JSONDecoder().decode(BiClusteringCheckpoint.self, from: try Data(contentsOf: url))
            guard checkpoint.version == formatVersion else {
                throw BiClusteringError.checkpoint("\(url.path) has format version \(checkpoint.version), expected \(formatVersion)")
            }
            return checkpoint
        } catch let error as BiClusteringError {
            throw error
        } catch {
            throw BiClusteringError.checkpoint("cannot read \(url.path): \(error)")
        }
    }

    /// A short fingerprint of the counts, so a checkpoint is never resumed on other data.
    static func checksum(_ counts: [Double]) -> String {
        var hasher = SHA256()
        var bytes = [UInt8]()
        bytes.reserveCapacity(counts.count * 8)
        for v in counts { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        hasher.update(bytes)
        return hasher.finalize().prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}
