import Foundation
import Testing
@testable import Recording

@Suite struct TimeSeriesTests {
    static func series() throws -> TimeSeries {
        // 3 channels × 10 samples at 5 Hz; channel c, sample i holds c*100 + i.
        let samples = (0 ..< 3).flatMap { c in (0 ..< 10).map { Float(c * 100 + $0) } }
        let channels = ["Fz", "Cz", "EOG"].map { Channel(name: $0, kind: ChannelKind(inferringFrom: $0)) }
        let annotations = try Annotations([
            Annotation(onset: 1.2, duration: 0.2, label: "b"),
            Annotation(onset: 0.0, duration: 1.0, label: "a"),
            Annotation(onset: 1.2, duration: 0, label: "c"),
        ])
        return try TimeSeries(
            samples: samples, channels: channels, samplingRate: 5,
            startTime: Date(timeIntervalSince1970: 1000), annotations: annotations)
    }

    @Test func layoutAndAccess() throws {
        let s = try Self.series()
        #expect(s.sampleCount == 10 && s.channelCount == 3 && s.duration == 2)
        #expect(s[1, 3] == 103)
        #expect(try s.channel(named: "EOG") == (0 ..< 10).map { Float(200 + $0) })
        #expect(Array(s.channel(at: 0)) == (0 ..< 10).map(Float.init))
        let m = s.matrix()
        #expect(m.rows == 3 && m.columns == 10 && m[2, 9] == 209)
    }

    @Test func annotationsSortStablyByOnset() throws {
        let s = try Self.series()
        #expect(s.annotations.map(\.label) == ["a", "b", "c"])
        #expect(s.annotations.labels == ["a", "b", "c"])
    }

    @Test func selectingKeepsOrderGiven() throws {
        let s = try Self.series().selecting(channels: ["EOG", "Fz"])
        #expect(s.channelNames == ["EOG", "Fz"])
        #expect(s[0, 0] == 200 && s[1, 9] == 9)
        #expect(throws: RecordingError.unknownChannel(file: "TimeSeries", name: "Pz", available: ["Fz", "Cz", "EOG"])) {
            try Self.series().selecting(channels: ["Pz"])
        }
    }

    @Test func sliceShiftsTimeAndAnnotations() throws {
        let s = try Self.series().slice(seconds: 1.0 ..< 1.6)
        // Samples at t = 1.0, 1.2, 1.4 → indices 5, 6, 7.
        #expect(s.sampleCount == 3 && s[0, 0] == 5 && s[2, 2] == 207)
        #expect(s.startTime == Date(timeIntervalSince1970: 1001))
        // "a" ends at 1.0 (excluded); "b" and "c" start at 1.2 → 0.2.
        #expect(s.annotations.map(\.label) == ["b", "c"])
        #expect(abs(s.annotations[0].onset - 0.2) < 1e-12)
    }

    @Test func invalidValuesThrow() {
        #expect(throws: RecordingError.self) {
            try TimeSeries(samples: [1, 2, 3], channels: [Channel(name: "a", kind: .eeg), Channel(name: "b", kind: .eeg)], samplingRate: 1)
        }
        #expect(throws: RecordingError.self) { try TimeSeries(samples: [1], channels: [Channel(name: "a", kind: .eeg)], samplingRate: 0) }
        #expect(throws: RecordingError.self) {
            try TimeSeries(samples: [1, 2], channels: [Channel(name: "a", kind: .eeg), Channel(name: "a", kind: .eeg)], samplingRate: 1)
        }
        #expect(throws: RecordingError.self) { try Annotations([Annotation(onset: 0, duration: -1, label: "x")]) }
        #expect(throws: RecordingError.self) { try Annotations([Annotation(onset: .nan, label: "x")]) }
        #expect(throws: RecordingError.self) {
            try Epochs(data: [1, 2, 3], channels: [Channel(name: "a", kind: .eeg)], labels: ["x", "y"], samplingRate: 10, tmin: 0)
        }
    }

    @Test func epochsLayoutAndTimes() throws {
        // 2 trials × 2 channels × 3 samples, value = 100 t + 10 c + s.
        var data = [Float]()
        for t in 0 ..< 2 { for c in 0 ..< 2 { for s in 0 ..< 3 { data.append(Float(100 * t + 10 * c + s)) } } }
        let e = try Epochs(
            data: data, channels: [Channel(name: "a", kind: .eeg), Channel(name: "b", kind: .eeg)],
            labels: ["T1", "T2"], samplingRate: 10, tmin: -0.1)
        #expect(e.trialCount == 2 && e.sampleCount == 3 && e[1, 1, 2] == 112)
        #expect(zip(e.times, [-0.1, 0.0, 0.1]).allSatisfy { abs($0 - $1) < 1e-12 })
        let only = try e.selecting(labels: ["T2"])
        #expect(only.labels == ["T2"] && Array(only.trial(0)) == Array(e.trial(1)))
    }
}
