import Foundation
import Testing
import TestSupport
@testable import Recording

/// What the reference tools read from the BrainVision fixtures, the EEGLAB tutorial file and the
/// Muse CSV files (scripts/goldens/eeg_formats.py).
struct EEGFormatGoldens: Decodable {
    struct Note: Decodable { let onset: Double; let duration: Double; let label: String }
    /// MNE's `read_raw_*` view of one recording (volts).
    struct Raw: Decodable {
        let channels: [String]
        let types: [String]
        let rate: Double
        let samples: Int
        let sums: [Double]
        let sample_indices: [Int]
        let values: [[Double]]
        let annotations: [Note]
        let meas_date: String?
        let file: String?
    }
    struct Marker: Decodable { let row: Int; let onset: Double; let label: String }
    struct Muse: Decodable {
        let file: String
        let channels: [String]
        let samples: Int
        let median_interval: Double
        let rate: Double
        let first_timestamp: Double
        let sums: [Double]
        let sample_indices: [Int]
        let values: [[Double]]
        let marker_counts: [String: Int]
        let first_markers: [Marker]
    }
    let tools: [String: String]
    let brainvision: [String: Raw]
    let eeglab: Raw?
    let eeglab_fixtures: [String: Raw]
    let muse: [Muse]

    static let all: EEGFormatGoldens? = try? Goldens.load(EEGFormatGoldens.self, named: "eeg_formats", in: Bundle.module)

    /// A fixture file shipped with the tests.
    static func fixture(_ path: String) throws -> URL {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: url.path])
        }
        return url
    }

    /// Checks a series against MNE's figures: names, rate, length, per-channel sums (relative to the
    /// channel's absolute sum), chosen samples within `tolerance` volts, and annotations.
    static func expectMatches(_ series: TimeSeries, _ golden: Raw, tolerance: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(series.channelNames == golden.channels, sourceLocation: sourceLocation)
        #expect(series.samplingRate == golden.rate, sourceLocation: sourceLocation)
        #expect(series.sampleCount == golden.samples, sourceLocation: sourceLocation)
        guard series.channelCount == golden.channels.count, series.sampleCount == golden.samples else { return }
        for c in 0 ..< series.channelCount {
            let row = series.channel(at: c)
            var sum = 0.0, magnitude = 0.0
            for v in row { sum += Double(v); magnitude += abs(Double(v)) }
            #expect(abs(sum - golden.sums[c]) <= tolerance * Double(series.sampleCount) + 1e-7 * magnitude,
                    "sum of \(golden.channels[c]): \(sum) vs \(golden.sums[c])", sourceLocation: sourceLocation)
            for (k, i) in golden.sample_indices.enumerated() {
                let expected = golden.values[c][k]
                #expect(abs(Double(series[c, i]) - expected) <= tolerance + 1e-7 * abs(expected),
                        "\(golden.channels[c])[\(i)]: \(series[c, i]) vs \(expected)", sourceLocation: sourceLocation)
            }
        }
        #expect(series.annotations.count == golden.annotations.count, sourceLocation: sourceLocation)
        for (a, g) in zip(series.annotations, golden.annotations) {
            #expect(a.label == g.label, sourceLocation: sourceLocation)
            // MNE stores annotation times rounded to microseconds.
            #expect(abs(a.onset - g.onset) < 1e-6 && abs(a.duration - g.duration) < 1e-6,
                    "\(a) vs \(g)", sourceLocation: sourceLocation)
        }
        if let iso = golden.meas_date {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let whole = ISO8601DateFormatter().date(from: iso.replacingOccurrences(of: #"\.\d+"#, with: "", options: .regularExpression))
            let fraction = iso.range(of: #"\.\d+"#, options: .regularExpression).map { Double("0" + iso[$0])! } ?? 0
            if let start = series.startTime, let whole {
                #expect(abs(start.timeIntervalSince(whole) - fraction) < 2e-6, "start \(start) vs \(iso)", sourceLocation: sourceLocation)
            } else {
                Issue.record("expected start time \(iso), found \(String(describing: series.startTime))", sourceLocation: sourceLocation)
            }
        } else {
            #expect(series.startTime == nil, sourceLocation: sourceLocation)
        }
    }
}
