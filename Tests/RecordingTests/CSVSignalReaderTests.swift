import Foundation
import Testing
import TestSupport
@testable import Recording

@Suite struct CSVSignalReaderTests {
    static var museFiles: [String] { EEGFormatGoldens.all?.muse.map(\.file) ?? [] }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"), arguments: museFiles)
    func museFileMatchesPlainPython(path: String) throws {
        let golden = try #require(EEGFormatGoldens.all?.muse.first { $0.file == path })
        let reader = try CSVSignalReader(url: try #require(SharedData.file(path)))
        let series = reader.series
        #expect(series.channelNames == golden.channels)
        #expect(series.sampleCount == golden.samples)
        #expect(reader.medianInterval == golden.median_interval)
        #expect(series.samplingRate == golden.rate)
        #expect(reader.timestamps.first == golden.first_timestamp)
        #expect(series.startTime == Date(timeIntervalSince1970: golden.first_timestamp))
        for c in 0 ..< series.channelCount {
            var sum = 0.0, magnitude = 0.0
            for v in series.channel(at: c) { sum += Double(v); magnitude += abs(Double(v)) }
            #expect(abs(sum - golden.sums[c]) <= 1e-7 * magnitude, "\(golden.channels[c])")
            for (k, i) in golden.sample_indices.enumerated() {
                // Float keeps 24 bits: 1e-3 µV steps of values below 1000 µV are exact to 6e-8 relative.
                #expect(abs(Double(series[c, i]) - golden.values[c][k]) <= 1e-7 * abs(golden.values[c][k]) + 1e-15)
            }
        }
        var counts = [String: Int]()
        for a in series.annotations { counts[a.label, default: 0] += 1 }
        #expect(counts == golden.marker_counts)
        for (a, m) in zip(series.annotations, golden.first_markers) {
            #expect(a.label == m.label && a.onset == Double(m.row) / golden.rate && a.duration == 0)
        }
    }

    @Test func smallFileIsParsedExactly() throws {
        let text = "timestamps,A,B,Marker\n10.0,1.5,-2,0\n10.5,2.5,3e1,7\r\n11.5,0,1,0\n12.0,4,4,2.5\n"
        let folder = try TemporaryDirectory()
        let url = folder.file("small.csv")
        try Data(text.utf8).write(to: url)
        let reader = try CSVSignalReader(url: url)
        // Intervals 0.5, 1.0, 0.5 → median 0.5 s → 2 Hz.
        #expect(reader.samplingRate == 2)
        #expect(reader.series.samples == [1.5e-6, 2.5e-6, 0, 4e-6, -2e-6, 30e-6, 1e-6, 4e-6].map { Float($0) })
        #expect(reader.annotations.items == [Annotation(onset: 0.5, label: "7"), Annotation(onset: 1.5, label: "2.5")])
        #expect(reader.series.startTime == nil)
        let part = try reader.read(channels: ["B"], timeRange: 0.5 ..< 1.5)
        #expect(part.samples == [30e-6, 1e-6].map { Float($0) })
        // Other column names and units through the options.
        let volts = try CSVSignalReader(url: url, options: .init(timestampColumn: "timestamps", markerColumn: nil, unit: "V"))
        #expect(volts.channelNames == ["A", "B", "Marker"] && volts.series[0, 0] == 1.5)
    }
}
