import Foundation
import Testing
import TestSupport
@testable import Recording

/// |H(f)| at `frequencies` (Hz) of an impulse response, by the DFT of the zero-padded response
/// evaluated directly (exact at any frequency, fine for the few hundred taps used here).
private func magnitude(_ h: [Double], at frequencies: [Double], samplingRate fs: Double) -> [Double] {
    frequencies.map { f in
        var (re, im) = (0.0, 0.0)
        for (k, v) in h.enumerated() {
            let w = -2 * Double.pi * f * Double(k) / fs
            re += v * cos(w)
            im += v * sin(w)
        }
        return (re * re + im * im).squareRoot()
    }
}

private func dB(_ x: Double) -> Double { 20 * log10(x) }

private func impulseResponse(_ sos: SecondOrderSections, length: Int) -> [Double] {
    var impulse = [Double](repeating: 0, count: length)
    impulse[0] = 1
    return sos.apply(impulse)
}

/// Amplitude and phase of `y` against sin(2πft), by projection onto sin and cos.
private func amplitudeAndPhase(_ y: ArraySlice<Double>, frequency f: Double, samplingRate fs: Double) -> (Double, Double) {
    var (s, c) = (0.0, 0.0)
    for i in y.indices {
        let w = 2 * Double.pi * f * Double(i) / fs
        s += y[i] * sin(w)
        c += y[i] * cos(w)
    }
    let scale = 2 / Double(y.count)
    return (((s * s + c * c).squareRoot()) * scale, atan2(c, s))
}

@Suite struct ProcessingFilterPropertyTests {
    @Test func firBandpassResponseMeetsDesign() throws {
        let fs = 250.0
        let filter = try FIRFilter.automatic(band: .bandpass(8, 30), samplingRate: fs)
        // MNE's rule: transitions 2 Hz (low) and 7.5 Hz (high) → ceil(3.3·250/2) = 413, odd.
        #expect(filter.length == 413)
        #expect(zip(filter.taps, filter.taps.reversed()).allSatisfy { abs($0 - $1) < 1e-15 }, "linear phase")
        let pass = stride(from: 8.0, through: 30.0, by: 0.5).map { $0 }
        let stop = stride(from: 0.0, through: 6.0, by: 0.25).map { $0 } + stride(from: 37.5, through: 125.0, by: 0.5).map { $0 }
        let passGain = magnitude(filter.taps, at: pass, samplingRate: fs).map(dB)
        let stopGain = magnitude(filter.taps, at: stop, samplingRate: fs).map(dB)
        #expect(passGain.allSatisfy { abs($0) < 0.1 }, "pass band ripple \(passGain.map(abs).max()!) dB")
        // Hamming windows reach about −53 dB.
        #expect(stopGain.allSatisfy { $0 < -50 }, "stop band \(stopGain.max()!) dB")
        // −6 dB at the centre of each transition band.
        let edges = magnitude(filter.taps, at: [7, 33.75], samplingRate: fs)
        #expect(edges.allSatisfy { abs($0 - 0.5) < 0.01 }, "\(edges)")
    }

    @Test func mneAutomaticLengthsAndLowpassTaps() throws {
        // Lengths MNE 1.13 create_filter chose at 160 Hz (see scripts/goldens notes).
        #expect(try FIRFilter.automatic(band: .lowpass(30), samplingRate: 160).length == 71)
        #expect(try FIRFilter.automatic(band: .highpass(1), samplingRate: 160).length == 529)
        #expect(try FIRFilter.automatic(band: .bandpass(8, 30), samplingRate: 160).length == 265)
        // A single-edge lowpass is firwin at the transition centre, 30 + 7.5/2 Hz.
        let auto = try FIRFilter.automatic(band: .lowpass(30), samplingRate: 160)
        let direct = try FIRFilter(band: .lowpass(33.75), length: 71, samplingRate: 160)
        #expect(auto == direct)
    }

    @Test(arguments: [2, 4, 5]) func butterworthMatchesClosedFormMagnitude(order: Int) throws {
        let fs = 250.0
        let fc = 40.0
        let sos = try SecondOrderSections.butterworth(order: order, band: .lowpass(fc), samplingRate: fs)
        #expect(sos.sections.count == (order + 1) / 2)
        let h = impulseResponse(sos, length: 2000)
        let frequencies = [0, 10, 20, 35, 40, 45, 60, 100, 124.0]
        let measured = magnitude(h, at: frequencies, samplingRate: fs)
        for (f, m) in zip(frequencies, measured) {
            // Bilinear Butterworth: |H|² = 1 / (1 + (tan(πf/fs) / tan(πfc/fs))^(2N)).
            let ratio = tan(Double.pi * f / fs) / tan(Double.pi * fc / fs)
            let expected = 1 / (1 + pow(ratio, Double(2 * order))).squareRoot()
            #expect(abs(m - expected) < 1e-9, "order \(order) at \(f) Hz: \(m) vs \(expected)")
        }
    }

    @Test func bandstopAndNotchRemoveLineNoise() throws {
        let fs = 250.0
        let notch = try SecondOrderSections.notch(frequency: 50, qualityFactor: 30, samplingRate: fs)
        let h = impulseResponse(notch, length: 20000)
        let gains = magnitude(h, at: [50, 50 - 50.0 / 60, 10, 100], samplingRate: fs)
        #expect(gains[0] < 1e-6)
        #expect(abs(gains[1] - 1 / 2.0.squareRoot()) < 5e-3, "≈ −3 dB half the bandwidth off centre (bilinear warping moves it slightly)")
        #expect(abs(gains[2] - 1) < 1e-3 && abs(gains[3] - 1) < 1e-3)
        let stop = try SecondOrderSections.butterworth(order: 3, band: .bandstop(48, 52), samplingRate: fs)
        let g = magnitude(impulseResponse(stop, length: 20000), at: [50, 30, 70], samplingRate: fs)
        #expect(g[0] < 1e-6 && abs(g[1] - 1) < 1e-4 && abs(g[2] - 1) < 1e-4)
    }

    @Test func zeroPhaseFilteringKeepsAPassbandSinusoid() throws {
        let fs = 250.0
        let n = 1500
        let f = 12.0
        let x = (0..<n).map { sin(2 * Double.pi * f * Double($0) / fs) }
        let filters: [any ZeroPhaseFilter] = [
            try FIRFilter.automatic(band: .bandpass(8, 30), samplingRate: fs),
            try SecondOrderSections.butterworth(order: 4, band: .bandpass(6, 30), samplingRate: fs),
            try SecondOrderSections.notch(frequency: 50, samplingRate: fs),
        ]
        for filter in filters {
            let y = try filter.filtfilt(x)
            let middle = y[250 ..< 1250]
            let (amplitude, phase) = amplitudeAndPhase(middle, frequency: f, samplingRate: fs)
            #expect(abs(amplitude - 1) < 0.01, "\(type(of: filter)): amplitude \(amplitude)")
            #expect(abs(phase) < 1e-3, "\(type(of: filter)): phase \(phase) rad")
            #expect(zip(middle, x[250 ..< 1250]).allSatisfy { abs($0 - $1) < 0.01 })
        }
        // A causal pass of the same FIR delays the sinusoid by (length − 1)/2 samples instead.
        let fir = try FIRFilter.automatic(band: .bandpass(8, 30), samplingRate: fs)
        let causal = fir.apply(x)
        let delay = Int(fir.delay)
        #expect(zip(causal[delay + 250 ..< delay + 1000], x[250 ..< 1000]).allSatisfy { abs($0 - $1) < 0.01 })
    }

    @Test func longFIRConvolutionByFFTEqualsDirectSum() throws {
        var generator = SeededGenerator(seed: 11)
        let x = (0..<3000).map { _ in generator.nextUnitInterval() - 0.5 }
        let h = (0..<257).map { _ in generator.nextUnitInterval() - 0.5 }
        let direct = FIRFilter.convolveDirect(h, x)
        let fft = FIRFilter.convolveOverlapAdd(h, x)
        #expect(relativeError(fft, direct) < 1e-12)
        let short = Array(x.prefix(100))
        #expect(relativeError(FIRFilter.convolveOverlapAdd(h, short), FIRFilter.convolveDirect(h, short)) < 1e-12)
    }

    @Test func resamplingUpThenDownReturnsABandLimitedSignal() throws {
        let fs = 100.0
        let x = (0..<800).map { i -> Double in
            let t = Double(i) / fs
            return sin(2 * .pi * 3 * t) + 0.5 * cos(2 * .pi * 7.5 * t + 0.3) + 0.25 * sin(2 * .pi * 11 * t)
        }
        for (up, down) in [(3, 1), (5, 2), (2, 1)] {
            let forward = try PolyphaseResampler(up: up, down: down)
            let back = try PolyphaseResampler(up: down, down: up)
            let y = forward.resample(x)
            #expect(y.count == (x.count * up + down - 1) / down)
            let z = back.resample(y)
            #expect(z.count == x.count)
            let err = zip(z[100 ..< 700], x[100 ..< 700]).map { abs($0 - $1) }.max()!
            #expect(err < 5e-3, "\(up)/\(down): \(err)")
        }
        // Upsampling keeps the original samples' times: y[up·i] ≈ x[i].
        let y = try PolyphaseResampler(up: 4, down: 1).resample(x)
        #expect((100 ..< 700).allSatisfy { abs(y[4 * $0] - x[$0]) < 5e-3 })
        #expect(try PolyphaseResampler(up: 6, down: 4).up == 3)
        #expect(try PolyphaseResampler(up: 3, down: 3).resample(x) == x)
    }

    @Test func badParametersAreRejected() throws {
        #expect(throws: ParameterError.self) { try FIRFilter(band: .lowpass(125), length: 11, samplingRate: 250) }
        #expect(throws: ParameterError.self) { try FIRFilter(band: .highpass(10), length: 10, samplingRate: 250) }
        #expect(throws: ParameterError.self) { try FIRFilter(band: .bandpass(30, 8), length: 11, samplingRate: 250) }
        #expect(throws: ParameterError.self) { try SecondOrderSections.butterworth(order: 0, band: .lowpass(10), samplingRate: 250) }
        #expect(throws: ParameterError.self) { try SecondOrderSections.notch(frequency: 50, qualityFactor: 0, samplingRate: 250) }
        #expect(throws: ParameterError.self) { try PolyphaseResampler(up: 0, down: 1) }
        let fir = try FIRFilter(band: .lowpass(30), length: 51, samplingRate: 250)
        #expect(throws: ParameterError.self) { try fir.filtfilt([Double](repeating: 1, count: 153)) }
        #expect(try fir.filtfilt([Double](repeating: 1, count: 154)).allSatisfy { abs($0 - 1) < 1e-12 }, "DC passes exactly")
        let sos = try SecondOrderSections.butterworth(order: 4, band: .lowpass(30), samplingRate: 250)
        #expect(throws: ParameterError.self) { try sos.filtfilt([Double](repeating: 1, count: 15)) }
    }
}

@Suite struct ProcessingEpochPropertyTests {
    /// Channel c holds 1000·c + sample index (volts), so every value names its own position.
    static func ramp(annotations: [Annotation], n: Int = 1000, fs: Double = 100) throws -> TimeSeries {
        let channels = [Channel(name: "Cz", kind: .eeg), Channel(name: "Pz", kind: .eeg), Channel(name: "EOG", kind: .eog)]
        let samples = (0..<channels.count).flatMap { c in (0..<n).map { Float(1000 * c + $0) } }
        return try TimeSeries(samples: samples, channels: channels, samplingRate: fs, annotations: Annotations(annotations))
    }

    @Test func epochsAlignWithEventsAndDropOutOfRange() throws {
        let series = try Self.ramp(annotations: [
            Annotation(onset: 0.05, label: "left"),   // window starts before the recording
            Annotation(onset: 1.00, label: "right"),
            Annotation(onset: 2.504, label: "left"),  // 250.4 samples → 250
            Annotation(onset: 5.0, duration: 1, label: "rest"),
            Annotation(onset: 9.8, label: "right"),   // window ends after the recording
        ])
        let result = try series.epochs(EpochingConfiguration(tmin: -0.1, tmax: 0.3, labels: ["left", "right"], baseline: nil))
        let epochs = try #require(result.epochs)
        #expect(result.eventCodes == ["left": 1, "rest": 2, "right": 3])
        #expect(epochs.labels == ["right", "left"] && result.codes == [3, 1])
        #expect(result.eventSamples == [100, 250])
        #expect(epochs.sampleCount == 41 && epochs.tmin == -0.1)
        #expect(result.dropped.map(\.annotationIndex) == [0, 4])
        #expect(result.dropped.allSatisfy { $0.reason == .outsideRecording })
        for (t, event) in result.eventSamples.enumerated() {
            for c in 0..<3 {
                for i in [0, 10, 40] {
                    #expect(epochs[t, c, i] == Float(1000 * c + event - 10 + i))
                }
            }
        }
        let all = try series.epochs(EpochingConfiguration(tmin: 0, tmax: 0.5, baseline: nil))
        #expect(all.epochs?.labels == ["left", "right", "left", "rest"])
    }

    @Test func baselineRemovesThePreEventMean() throws {
        let series = try Self.ramp(annotations: [Annotation(onset: 3, label: "go")])
        let epochs = try #require(try series.epochs(EpochingConfiguration(tmin: -0.2, tmax: 0.5)).epochs)
        // Baseline samples −20…0 of a ramp have mean at −10 relative to the event: value i − 20 + 10.
        for c in 0..<3 {
            for i in [0, 20, 70] { #expect(epochs[0, c, i] == Float(i - 10)) }
        }
        let whole = try #require(try series.epochs(EpochingConfiguration(tmin: -0.2, tmax: 0.5, baseline: Baseline(start: nil, end: nil))).epochs)
        #expect(whole[0, 0, 35] == 0)
        #expect(throws: ParameterError.self) {
            try series.epochs(EpochingConfiguration(tmin: 0, tmax: 0.5, baseline: Baseline(start: -0.2, end: 0)))
        }
        #expect(throws: ParameterError.self) { try series.epochs(EpochingConfiguration(labels: ["nope"])) }
    }

    @Test func peakToPeakRejectionReportsChannelsAndBadAnnotationsDrop() throws {
        let fs = 100.0
        let n = 1000
        var samples = [Float](repeating: 0, count: 3 * n)
        for i in 0..<n { samples[i] = Float(20e-6 * sin(Double(i) / 5)) }       // Cz ±20 µV
        samples[n + 310] = 200e-6                                                  // Pz spike in epoch 2
        samples[2 * n + 520] = 400e-6                                              // EOG blink in epoch 3
        let series = try TimeSeries(
            samples: samples,
            channels: [Channel(name: "Cz", kind: .eeg), Channel(name: "Pz", kind: .eeg), Channel(name: "EOG", kind: .eog)],
            samplingRate: fs,
            annotations: Annotations([
                Annotation(onset: 1, label: "x"), Annotation(onset: 3, label: "x"), Annotation(onset: 5, label: "x"),
                Annotation(onset: 7, label: "x"), Annotation(onset: 7.2, duration: 0.1, label: "BAD_muscle"),
            ]))
        let config = EpochingConfiguration(tmin: 0, tmax: 0.5, baseline: nil, rejection: [.eeg: 100e-6, .eog: 300e-6])
        let result = try series.epochs(config)
        #expect(result.eventCodes == ["x": 1])
        #expect(result.eventSamples == [100])
        #expect(result.dropped.count == 3)
        guard result.dropped.count == 3 else { return }
        guard case .peakToPeak(let eeg) = result.dropped[0].reason else { Issue.record("expected peak-to-peak"); return }
        #expect(eeg.map(\.channel) == ["Pz"] && abs(eeg[0].peakToPeak - 200e-6) < 1e-10 && eeg[0].limit == 100e-6)
        guard case .peakToPeak(let eog) = result.dropped[1].reason else { Issue.record("expected peak-to-peak"); return }
        #expect(eog.map(\.channel) == ["EOG"] && eog[0].kind == .eog)
        #expect(result.dropped[2].reason == .badAnnotation("BAD_muscle"))
        var keepBad = config
        keepBad.rejectByAnnotation = false
        #expect(try series.epochs(keepBad).epochs?.trialCount == 2)
    }

    @Test func averageAndBipolarReferences() throws {
        let series = try Self.ramp(annotations: [])
        let average = try series.averageReferenced()
        for t in [0, 500, 999] {
            // EEG channels 0 and 1 average to 500 + t; EOG untouched.
            #expect(average[0, t] == -500 && average[1, t] == 500 && average[2, t] == Float(2000 + t))
        }
        let bipolar = try series.bipolarReferenced([BipolarPair(anode: "Pz", cathode: "Cz")])
        #expect(bipolar.channelNames == ["EOG", "Pz-Cz"])
        #expect(bipolar.channels[1].kind == .eeg && bipolar.channel(at: 1).allSatisfy { $0 == 1000 })
        let kept = try series.bipolarReferenced([BipolarPair(anode: "Cz", cathode: "EOG", name: "HEOG")], keepOriginals: true)
        #expect(kept.channelNames == ["Cz", "Pz", "EOG", "HEOG"])
        #expect(throws: RecordingError.self) { try series.bipolarReferenced([BipolarPair(anode: "Fz", cathode: "Cz")]) }
        #expect(throws: ParameterError.self) { try series.averageReferenced(kinds: [.seeg]) }
    }

    @Test func ledoitWolfIsPositiveDefiniteWithFewSamples() throws {
        var generator = SeededGenerator(seed: 5)
        let (p, n) = (8, 6)
        let x = Matrix(rows: p, columns: n, elements: (0..<p * n).map { _ in generator.nextUnitInterval() })
        let empirical = try CovarianceEstimate(x, estimator: .empirical)
        let lw = try CovarianceEstimate(x)
        #expect(throws: (any Error).self) { try Cholesky(empirical.matrix) }
        _ = try Cholesky(lw.matrix)
        #expect(abs(lw.matrix.trace - empirical.matrix.trace) < 1e-12)
        #expect(lw.shrinkage > 0 && lw.shrinkage <= 1)
        let epochs = try Epochs(data: x.elements.map(Float.init), channels: (0..<p).map { Channel(name: "E\($0)", kind: .eeg) },
                                labels: ["a"], samplingRate: 100, tmin: 0)
        #expect(try epochs.covariances().count == 1)
    }
}
