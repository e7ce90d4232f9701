import Foundation
import Testing
import TestSupport
@testable import Recording

/// Small synthetic recordings written with `EDFWriter`, shared by the round-trip, lazy-read,
/// bad-input and mutation tests.
enum EDFFixture {
    /// 3 channels (µV, mV and an unscaled unit) × 4 records of 1 s at 8 Hz, 3 annotations.
    static func series() throws -> TimeSeries {
        let n = 32
        var samples = [Float]()
        for i in 0 ..< n { samples.append(Float(50e-6 * sin(Double(i) * 0.7))) }
        for i in 0 ..< n { samples.append(Float(2e-3 * cos(Double(i) * 0.3) - 1e-3)) }
        for i in 0 ..< n { samples.append(Float(i % 5)) }
        let channels = [
            Channel(name: "EEG Fz", kind: .eeg, originalUnit: "uV"),
            Channel(name: "EOG left", kind: .eog, originalUnit: "mV"),
            Channel(name: "Resp", kind: .misc, originalUnit: "a.u."),
        ]
        let notes = try Annotations([
            Annotation(onset: 0.5, duration: 1.25, label: "T1"),
            Annotation(onset: 2.125, duration: 0, label: "stim ünïcode"),
            Annotation(onset: 3.9, duration: 0.1, label: "T2"),
        ])
        return try TimeSeries(
            samples: samples, channels: channels, samplingRate: 8,
            startTime: Date(timeIntervalSince1970: 1_262_347_200), annotations: notes)  // 2010-01-01 12:00:00
    }

    static func bytes() throws -> Data { try EDFWriter.encode(series()) }
}

@Suite struct EDFRoundTripTests {
    @Test func writtenFileReadsBackWithinHalfAStep() throws {
        let original = try EDFFixture.series()
        let reader = try EDFReader(data: EDFFixture.bytes())
        #expect(reader.header.continuity == .continuous && reader.header.recordCount == 4)
        #expect(reader.header.startTime == original.startTime)
        #expect(reader.header.recording == "Startdate 01-JAN-2010 X X NeuroSwift")
        let back = try reader.read()
        #expect(back.channelNames == original.channelNames && back.sampleCount == original.sampleCount)
        #expect(back.channels.map(\.originalUnit) == ["uV", "mV", "a.u."])
        for c in 0 ..< original.channelCount {
            let s = try reader.scaling(ofChannel: original.channels[c].name)
            let halfStep = s.gain / 2 * (original.channels[c].scaleToSI ?? 1) * 1.0001
            for i in 0 ..< original.sampleCount {
                #expect(abs(Double(back[c, i]) - Double(original[c, i])) <= halfStep + 1e-7 * abs(Double(original[c, i])))
            }
        }
        #expect(back.annotations.count == 3)
        for (a, b) in zip(back.annotations, original.annotations) {
            #expect(a.label == b.label && abs(a.onset - b.onset) < 1e-9 && abs(a.duration - b.duration) < 1e-9)
        }
    }

    @Test func rewritingWithTheFileScalingsIsDigitallyExact() throws {
        let first = try EDFFixture.bytes()
        let reader = try EDFReader(data: first)
        let second = try EDFWriter.encode(try reader.read(), options: .init(scalings: reader.scalings))
        #expect(second == first)
    }

    @Test func atomicWriteToDisk() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("x.edf")
        try EDFWriter.write(try EDFFixture.series(), to: url)
        #expect(try Data(contentsOf: url) == EDFFixture.bytes())
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["x.edf"])
        #expect(try EDFReader(url: url).read() == EDFReader(data: EDFFixture.bytes()).read())
    }

    @Test func lazyEqualsEager() throws {
        let reader = try EDFReader(data: EDFFixture.bytes())
        let eager = try reader.read()
        for range in [0.0 ..< 4.0, 0.3 ..< 2.6, 1.0 ..< 1.125, 3.5 ..< 10, 2 ..< 2] {
            for names in [["EEG Fz"], ["Resp", "EEG Fz"], reader.channelNames] {
                let lazy = try reader.read(channels: names, timeRange: range)
                let expected = try eager.selecting(channels: names).slice(seconds: range)
                #expect(lazy == expected, "\(names) \(range)")
            }
        }
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func realFileRoundTripAndLazyRead() throws {
        let url = try #require(SharedData.file("eeg/eegmmidb-S001/S001R04.edf"))
        let reader = try EDFReader(url: url)
        let eager = try reader.read()
        let lazy = try reader.read(channels: ["Cz..", "Fc5."], timeRange: 60.05 ..< 62.5)
        #expect(lazy == (try eager.selecting(channels: ["Cz..", "Fc5."]).slice(seconds: 60.05 ..< 62.5)))
        #expect(lazy.sampleCount == 392)

        let folder = try TemporaryDirectory()
        let out = folder.file("r04.edf")
        try EDFWriter.write(eager, to: out, options: .init(scalings: reader.scalings))
        let again = try EDFReader(url: out)
        for (a, b) in zip(reader.header.dataSignalIndices, again.header.dataSignalIndices) {
            #expect(try reader.digitalSamples(ofSignal: a) == again.digitalSamples(ofSignal: b))
        }
        #expect(try again.annotations() == reader.annotations())
        #expect(again.header.startTime == reader.header.startTime)
    }
}
