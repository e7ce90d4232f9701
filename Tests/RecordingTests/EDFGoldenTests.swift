import Foundation
import Testing
import TestSupport
@testable import Recording

/// MNE's view of every EDF/BDF file in ../shared/data/eeg (scripts/goldens/eeg_edf.py).
struct EDFGolden: Decodable {
    struct Channel: Decodable {
        let name: String
        let kind: String
        let rate: Double
        let resampled: Bool
        let si_scale: Double
        let is_stim: Bool
        let step: Double
        let sum: Double
        let sample_indices: [Int]
        let samples: [Double]
    }
    struct Note: Decodable { let onset: Double; let duration: Double; let description: String }
    struct File: Decodable {
        let path: String
        let sfreq: Double
        let n_times: Int
        let meas_date: String?
        let channels: [Channel]
        let annotations: [Note]
    }
    let mne_version: String
    let files: [File]

    static let all: EDFGolden? = try? Goldens.load(EDFGolden.self, named: "eeg_edf", in: Bundle.module)
}

@Suite struct EDFGoldenTests {
    static var paths: [String] { EDFGolden.all?.files.map(\.path) ?? [] }

    @Test func goldensArePresent() throws {
        let golden = try #require(EDFGolden.all)
        #expect(golden.files.count >= 10)
        #expect(golden.mne_version.hasPrefix("1."))
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"), arguments: paths)
    func matchesMNE(path: String) throws {
        let golden = try #require(EDFGolden.all?.files.first { $0.path == path })
        let url = try #require(SharedData.file(path))
        let reader = try EDFReader(url: url)
        #expect(reader.channelNames == golden.channels.map(\.name))
        #expect(zip(reader.samplingRates, golden.channels).allSatisfy { $0 == $1.rate })

        // Start date-time.
        if let iso = golden.meas_date {
            let date = try #require(ISO8601DateFormatter().date(from: iso))
            #expect(reader.header.startTime == date)
        }

        // Data: every channel MNE did not resample, grouped by rate (the reader does not mix rates).
        for group in reader.channelsByRate {
            let kept = group.channels.filter { name in !(golden.channels.first { $0.name == name }!.resampled) }
            if kept.isEmpty { continue }
            let series = try reader.read(channels: kept)
            #expect(series.sampleCount == golden.n_times)
            for (row, name) in kept.enumerated() {
                let g = golden.channels.first { $0.name == name }!
                let samples = series.channel(at: row)
                var expected = g.samples
                var ours = g.sample_indices.map { Double(samples[samples.startIndex + $0]) }
                var sum = samples.reduce(0.0) { $0 + Double($1) }
                let si = series.channels[row].scaleToSI ?? 1
                if g.is_stim {
                    if reader.header.format == .bdf {
                        // MNE: BDF stimulus channels are the digital values' 17 low bits.
                        let index = reader.header.signals.firstIndex { $0.label == name }!
                        let digital = try reader.digitalSamples(ofSignal: index)
                        ours = g.sample_indices.map { Double(digital[$0] & 0x1FFFF) }
                        sum = digital.reduce(0.0) { $0 + Double($1 & 0x1FFFF) }
                    } else {
                        // MNE: EDF stimulus channels stay in the file's unit.
                        ours = ours.map { $0 / si }
                        sum /= si
                    }
                    expected = g.samples
                }
                // Float storage rounds each value by at most 6e-8 relative; the issue allows 1 nV or the
                // quantisation step, whichever is larger, and the Float error is below both here.
                for (a, b) in zip(ours, expected) {
                    let tolerance = max(1e-9, 1.2e-7 * abs(b))
                    #expect(abs(a - b) <= tolerance && abs(a - b) <= max(1e-9, g.step), "\(path) \(name): \(a) vs MNE \(b)")
                }
                let largest = samples.reduce(0.0) { max($0, abs(Double($1))) } / (g.is_stim ? si : 1)
                let sumTolerance = Double(golden.n_times) * max(1e-12, 6e-8 * largest)
                #expect(abs(sum - g.sum) <= sumTolerance, "\(path) \(name): sum \(sum) vs MNE \(g.sum)")
            }
        }

        // Annotations: same multiset (MNE's sort by onset is not stable).
        let ours = try reader.annotations().map { "\($0.onset)|\($0.duration)|\($0.label)" }.sorted()
        let theirs = golden.annotations.map { "\($0.onset)|\($0.duration)|\($0.description)" }.sorted()
        #expect(ours == theirs)
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func mixedRatesAreRefused() throws {
        let reader = try EDFReader(url: try #require(SharedData.file("eeg/format-fixtures/test_reduced.edf")))
        #expect(reader.channelsByRate.count > 1)
        do {
            _ = try reader.read(channels: ["A1", "A2"])
            Issue.record("mixed rates were read together")
        } catch RecordingError.mixedSamplingRates(_, let channels, let rates) {
            #expect(channels == ["A1", "A2"] && rates == [1, 2])
        }
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func discontinuousRecordOnsets() throws {
        let reader = try EDFReader(url: try #require(SharedData.file("eeg/format-fixtures/MB0400FU.EDF")))
        #expect(reader.header.continuity == .discontinuous)
        let onsets = try reader.recordOnsets()
        #expect(onsets.count == 29 && onsets[0] == 0 && onsets[1] == 1)
    }
}
