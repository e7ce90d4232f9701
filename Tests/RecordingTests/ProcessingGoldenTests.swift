import Foundation
import Testing
import TestSupport
@testable import Recording

/// scipy/sklearn/MNE reference values for the processing code (scripts/goldens/eeg_processing.py).
struct ProcessingGolden: Decodable {
    struct FIRCase: Decodable {
        let band: String
        let cutoffs: [Double]
        let length: Int
        let window: String
        let beta: Double?
        let taps: [Double]
        let filtfilt: [Double]?
    }
    struct ButterCase: Decodable {
        let band: String
        let cutoffs: [Double]
        let order: Int
        let sos: [[Double]]
        let sosfilt_zi: [[Double]]
        let sosfiltfilt: [Double]
    }
    struct Notch: Decodable {
        let frequency: Double
        let q: Double
        let b: [Double]
        let a: [Double]
        let filtfilt: [Double]
    }
    struct ResampleCase: Decodable { let up: Int; let down: Int; let output: [Double] }
    struct Covariance: Decodable {
        let channels: Int
        let samples: Int
        let data_channel_major: [Double]
        let empirical: [Double]
        let ledoit_wolf: [Double]
        let shrinkage: Double
    }
    struct Pick: Decodable { let epoch: Int; let channel: Int; let sample: Int; let value: Double }
    struct EpochsCase: Decodable {
        let mne_version: String
        let path: String
        let tmin: Double
        let tmax: Double
        let event_id: [String: Int]
        let count: Int
        let channels: Int
        let samples: Int
        let labels: [String]
        let event_samples: [Int]
        let epoch_sums: [Double]
        let channel_sums_first_epoch: [Double]
        let picks: [Pick]
    }
    let scipy_version: String
    let sampling_rate: Double
    let input: [Double]
    let short_input: [Double]
    let fir: [FIRCase]
    let butter: [ButterCase]
    let notch: Notch
    let resample: [ResampleCase]
    let covariance: Covariance
    let epochs: EpochsCase?

    static let shared: ProcessingGolden? = try? Goldens.load(ProcessingGolden.self, named: "eeg_processing", in: Bundle.module)

    static func band(_ name: String, _ cutoffs: [Double]) -> FilterBand {
        switch name {
        case "lowpass": return .lowpass(cutoffs[0])
        case "highpass": return .highpass(cutoffs[0])
        case "bandpass": return .bandpass(cutoffs[0], cutoffs[1])
        default: return .bandstop(cutoffs[0], cutoffs[1])
        }
    }

    static func window(_ name: String, beta: Double?) -> FIRWindow {
        switch name {
        case "hann": return .hann
        case "blackman": return .blackman
        case "kaiser": return .kaiser(beta: beta ?? 5)
        default: return .hamming
        }
    }
}

/// The largest |a − b| relative to the largest |b| (the "within 1e-6 relative" of the goldens).
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "length \(a.count) vs \(b.count)")
    let scale = max(b.map(abs).max() ?? 0, .leastNormalMagnitude)
    return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
}

@Suite struct ProcessingGoldenTests {
    static var golden: ProcessingGolden { ProcessingGolden.shared! }

    @Test func goldensLoad() throws {
        let g = try #require(ProcessingGolden.shared)
        #expect(g.fir.count == 6 && g.butter.count == 8 && g.resample.count == 5)
        #expect(g.scipy_version.hasPrefix("1."))
    }

    @Test(arguments: 0..<6) func firwinMatchesScipy(index: Int) throws {
        let g = Self.golden
        let c = g.fir[index]
        let filter = try FIRFilter(
            band: ProcessingGolden.band(c.band, c.cutoffs), length: c.length, samplingRate: g.sampling_rate,
            window: ProcessingGolden.window(c.window, beta: c.beta))
        #expect(relativeError(filter.taps, c.taps) < 1e-12, "\(c.band) \(c.cutoffs) \(c.window)")
        if let expected = c.filtfilt {
            let y = try filter.filtfilt(g.input)
            #expect(relativeError(y, expected) < 1e-9, "\(c.band) \(c.cutoffs) filtfilt")
        }
    }

    @Test(arguments: 0..<8) func butterworthMatchesScipy(index: Int) throws {
        let g = Self.golden
        let c = g.butter[index]
        let sos = try SecondOrderSections.butterworth(
            order: c.order, band: ProcessingGolden.band(c.band, c.cutoffs), samplingRate: g.sampling_rate)
        #expect(sos.sections.count == c.sos.count)
        let flat = sos.rows.flatMap { $0 }
        let expected = c.sos.flatMap { $0 }
        #expect(relativeError(flat, expected) < 1e-9, "\(c.band) \(c.cutoffs) order \(c.order): \(sos.rows) vs \(c.sos)")
        let zi = sos.stepInitialState.flatMap { [$0.0, $0.1] }
        #expect(relativeError(zi, c.sosfilt_zi.flatMap { $0 }) < 1e-9)
        let y = try sos.filtfilt(g.input)
        #expect(relativeError(y, c.sosfiltfilt) < 1e-9, "\(c.band) \(c.cutoffs) order \(c.order) sosfiltfilt")
    }

    @Test func notchMatchesScipy() throws {
        let g = Self.golden
        let notch = try SecondOrderSections.notch(frequency: g.notch.frequency, qualityFactor: g.notch.q, samplingRate: g.sampling_rate)
        let s = notch.sections[0]
        #expect(relativeError([s.b0, s.b1, s.b2], g.notch.b) < 1e-12)
        #expect(relativeError([1, s.a1, s.a2], g.notch.a) < 1e-12)
        #expect(relativeError(try notch.filtfilt(g.input), g.notch.filtfilt) < 1e-9)
    }

    @Test(arguments: 0..<5) func resamplePolyMatchesScipy(index: Int) throws {
        let g = Self.golden
        let c = g.resample[index]
        let resampler = try PolyphaseResampler(up: c.up, down: c.down)
        let y = resampler.resample(g.short_input)
        #expect(y.count == c.output.count, "\(c.up)/\(c.down)")
        #expect(y.count == resampler.outputLength(for: g.short_input.count))
        #expect(relativeError(y, c.output) < 1e-9, "\(c.up)/\(c.down)")
    }

    @Test func timeSeriesFilteringAndResamplingMatchScipyPerChannel() throws {
        let g = Self.golden
        // Channel 0 the golden input, channel 1 its negative, a stimulus channel left alone.
        let x = g.input
        let stim = (0..<x.count).map { Float($0 % 100 == 0 ? 3 : 0) }
        let series = try TimeSeries(
            samples: x.map(Float.init) + x.map { Float(-$0) } + stim,
            channels: [Channel(name: "C3", kind: .eeg), Channel(name: "C4", kind: .eeg), Channel(name: "STI", kind: .stimulus)],
            samplingRate: g.sampling_rate)
        let c = g.butter[4]
        let sos = try SecondOrderSections.butterworth(order: c.order, band: ProcessingGolden.band(c.band, c.cutoffs), samplingRate: g.sampling_rate)
        let filtered = try series.filtered(sos)
        // Float storage: the input itself is rounded to 6e-8 relative.
        #expect(relativeError(filtered.channel(at: 0).map(Double.init), c.sosfiltfilt) < 1e-6)
        #expect(relativeError(filtered.channel(at: 1).map { -Double($0) }, c.sosfiltfilt) < 1e-6)
        #expect(Array(filtered.channel(at: 2)) == stim)

        let down = try series.resampled(up: 1, down: 2)
        #expect(down.samplingRate == 125 && down.sampleCount == 250)
        #expect(Array(down.channel(at: 2)) == (0..<250).map { stim[2 * $0] })
        let expected = try PolyphaseResampler(up: 1, down: 2).resample(x.map { Double(Float($0)) })
        #expect(relativeError(down.channel(at: 0).map(Double.init), expected) < 1e-6)
        let to160 = try series.resampled(to: 160)
        #expect(to160.samplingRate == 160 && to160.sampleCount == 320)
    }

    @Test func ledoitWolfMatchesSklearn() throws {
        let c = Self.golden.covariance
        let x = Matrix(rows: c.channels, columns: c.samples, elements: c.data_channel_major)
        let lw = try CovarianceEstimate(x, estimator: .ledoitWolf)
        #expect(abs(lw.shrinkage - c.shrinkage) < 1e-10 * c.shrinkage)
        #expect(lw.shrinkage > 0 && lw.shrinkage < 1)
        #expect(relativeError(lw.matrix.elements, c.ledoit_wolf) < 1e-10)
        let empirical = try CovarianceEstimate(x, estimator: .empirical)
        #expect(empirical.shrinkage == 0)
        #expect(relativeError(empirical.matrix.elements, c.empirical) < 1e-10)
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func epochsMatchMNEOnEEGMMIDB() throws {
        let e = try #require(Self.golden.epochs)
        let url = try #require(SharedData.file(e.path))
        let series = try EDFReader(url: url).read()
        let result = try series.epochs(EpochingConfiguration(tmin: e.tmin, tmax: e.tmax, labels: ["T1", "T2"], baseline: nil))
        let epochs = try #require(result.epochs)
        #expect(result.eventCodes == e.event_id)
        #expect(result.dropped.isEmpty)
        #expect(epochs.trialCount == e.count && epochs.channelCount == e.channels && epochs.sampleCount == e.samples)
        #expect(epochs.labels == e.labels)
        #expect(result.eventSamples == e.event_samples)
        #expect(result.codes == e.labels.map { e.event_id[$0]! })
        #expect(epochs.tmin == 0 && abs(epochs.times.last! - e.tmax) < 1e-12)
        // Float storage of 16-bit EDF values: sums agree to Float rounding of each sample.
        for t in 0..<epochs.trialCount {
            let sum = epochs.trial(t).reduce(0.0) { $0 + Double($1) }
            let scale = epochs.trial(t).reduce(0.0) { $0 + abs(Double($1)) }
            #expect(abs(sum - e.epoch_sums[t]) <= 1e-6 * scale, "epoch \(t)")
        }
        for (c, expected) in e.channel_sums_first_epoch.enumerated() {
            let row = epochs.trial(0)[c * epochs.sampleCount ..< (c + 1) * epochs.sampleCount]
            let sum = row.reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - expected) <= 1e-6 * row.reduce(0.0) { $0 + abs(Double($1)) } + 1e-12)
        }
        for pick in e.picks {
            let value = Double(epochs[pick.epoch, pick.channel, pick.sample])
            #expect(abs(value - pick.value) <= 1e-7 * abs(pick.value) + 1e-12, "\(pick)")
        }
    }
}
