import Foundation
import Testing
import TestSupport
@testable import Recording

/// Reading from a file goes through a memory map; it must equal the in-memory read, and a file
/// that shrank after its header was read must give a typed error, not a SIGBUS.
@Suite struct EDFMappedReadTests {
    @Test func mappedFileEqualsMemory() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("mixed.edf")
        try MixedRateFixture.bytes().write(to: url)
        let file = try EDFReader(url: url)
        let memory = try EDFReader(data: MixedRateFixture.bytes())
        #expect(try file.read(channels: ["Fast"]) == memory.read(channels: ["Fast"]))
        #expect(try file.read(channels: ["Mid"], timeRange: 2.5 ..< 6) == memory.read(channels: ["Mid"], timeRange: 2.5 ..< 6))
        #expect(try file.annotations() == memory.annotations())
        #expect(try file.read(resamplingTo: 256) == memory.read(resamplingTo: 256))
    }

    @Test func fileTruncatedAfterOpeningThrows() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("shrinking.edf")
        let bytes = MixedRateFixture.bytes()
        try bytes.write(to: url)
        let reader = try EDFReader(url: url)
        try bytes.prefix(bytes.count - 1000).write(to: url)
        do {
            _ = try reader.read(channels: ["Fast"])
            Issue.record("a truncated file was read")
        } catch RecordingError.truncated(_, _, let expected, let found) {
            #expect(expected == bytes.count && found == bytes.count - 1000)
        }
        // Annotations need every record, so a slice of the first records fails the same way.
        #expect(throws: RecordingError.self) { try reader.read(channels: ["Fast"], timeRange: 0 ..< 2) }
    }
}
