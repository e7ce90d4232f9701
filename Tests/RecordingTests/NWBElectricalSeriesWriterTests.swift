import Foundation
import NeuroCore
import Testing
import TestSupport
@testable import Recording

/// `NWBWriter.write(to:session:signals:)` → `NWBFile.timeSeries()` / `RecordingFile.open`: a
/// continuous recording with annotations survives the NWB round trip.
@Suite struct NWBElectricalSeriesWriterTests {
    static func recording() throws -> TimeSeries {
        let c = 3, n = 250
        var samples = [Float](repeating: 0, count: c * n)
        for ch in 0..<c { for t in 0..<n { samples[ch * n + t] = Float(ch + 1) * 1e-5 * Float(sin(Double(t) * 0.1 + Double(ch))) } }
        let annotations = try Annotations([
            Annotation(onset: 0.2, label: "word01"), Annotation(onset: 0.5, duration: 0.3, label: "unlabelled"),
            Annotation(onset: 0.9, label: "word02"),
        ])
        return try TimeSeries(samples: samples, channels: ["SEEG SM1", "SEEG SM2", "SEEG HC1"].map { Channel(name: $0, kind: .seeg) },
                              samplingRate: 250, annotations: annotations)
    }

    @Test func signalsAndAnnotationsRoundTrip() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("seeg.nwb")
        let original = try Self.recording()
        try NWBWriter.write(to: url, session: NWBSession(sessionDescription: "test", sessionStartTime: Date(timeIntervalSince1970: 0)),
                            signals: original, locations: ["vSMC", "vSMC", "hippocampus"])
        #expect(NWBFile.isNWB(url))
        let file = try NWBFile.open(url)
        defer { try? file.close() }
        let read = try file.timeSeries()
        #expect(read.channelNames == original.channelNames)
        #expect(read.samplingRate == 250)
        #expect(read.samples == original.samples)  // float32 volts, stored exactly
        #expect(read.annotations.map(\.label) == ["word01", "unlabelled", "word02"])
        #expect(read.annotations.map(\.onset) == [0.2, 0.5, 0.9])
        #expect(zip(read.annotations.map(\.duration), [0, 0.3, 0]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(try file.electrodes().locations == ["vSMC", "vSMC", "hippocampus"])
        // The generic entry point reads NWB too, so every command that opens recordings accepts it.
        let opened = try RecordingFile.open(url)
        #expect(opened.samples == original.samples && opened.annotations == read.annotations)
    }

    @Test func mismatchedLocationsThrowAndLeaveNoFile() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("bad.nwb")
        #expect(throws: RecordingError.self) {
            try NWBWriter.write(to: url, session: NWBSession(sessionDescription: "t", sessionStartTime: Date()), signals: try Self.recording(),
                                locations: ["one"])
        }
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }
}
