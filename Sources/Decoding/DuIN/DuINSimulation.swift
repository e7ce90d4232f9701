import Foundation
import NeuroCore
import RealModule
import Recording

/// Word-reading sEEG with planted, word-specific structure (methods note §D2), for Du-IN's tests,
/// demo and validation.
///
/// M latent "articulatory" sources each have, for word k, a template a_km(t): 2–3 Gaussian bumps
/// 0.2–1.5 s after onset, widths 50–150 ms, amplitudes N(0, 1). Each trial gets an onset jitter
/// N(0, σ) and a log-normal amplitude. Channel c records
///
///     x_c(t) = Σ_m A_cm·(1 + g·|a_m(t)|)·η_m(t) + Σ_m B_cm·e·a_m(t) + ξ_c(t),
///
/// with η_m band-limited "high-gamma" noise (40–110 Hz at 250 Hz; 70–150 Hz at ≥ 400 Hz), ξ_c a 1/f
/// background (a sum of AR(1) processes with time constants from 2 ms to 1 s) plus 50 Hz line noise,
/// and A, B non-zero only on the informative channels (the "vSMC/STG" shafts). The labelled block
/// holds the word trials (annotated by word); an unlabelled block of random word events follows,
/// annotated as one "unlabelled" span, for self-supervised pretraining.
public struct DuINSimulation: Sendable, Codable, Hashable {
    public var words = 10
    public var trialsPerWord = 40
    public var channels = 10
    /// The first `informativeChannels` channels carry the sources.
    public var informativeChannels = 6
    public var sources = 4
    public var samplingRate = 250.0
    /// High-gamma modulation gain g and evoked gain e. The note's g scales only the high-gamma envelope
    /// and is tuned so that log-band-power + logistic regression reaches about 25–40 %: with 10 words,
    /// g = 0.2 (e unchanged at 0.4) gives 0.27 ± 0.02 (`neuro-bench-duin bandpower-sweep`); the old
    /// g = 1.5 gave ≈ 0.9, i.e. the words sat almost entirely in a band-power-readable envelope.
    public var highGammaGain = 0.2
    public var evokedGain = 0.4
    /// Standard deviation of the background relative to the unit-variance sources.
    public var backgroundLevel = 1.0
    /// Trial onset jitter σ (s) and log-amplitude σ.
    public var jitter = 0.05
    public var amplitudeSpread = 0.2
    /// Seconds between trial onsets in the labelled block (plus up to 0.5 s at random).
    public var trialSpacing = 3.5
    /// Seconds of unlabelled recording after the labelled block.
    public var unlabelledSeconds = 120.0

    public init() {}

    /// Planted truth.
    public struct Truth: Sendable, Codable, Hashable {
        public var seed: UInt64
        public var simulation: DuINSimulation
        public var wordLabels: [String]
        public var channelNames: [String]
        /// Indices of the informative channels.
        public var informative: [Int]
        /// Labelled trials: onset (s, before jitter), word label, applied jitter (s).
        public var onsets: [Double]
        public var labels: [String]
        public var jitters: [Double]
        /// Start and length (s) of the unlabelled block, and its word events (not annotated).
        public var unlabelledStart: Double
        public var unlabelledEvents: Int
        /// Bump centres (s) per word and source, `[word][source][bump]`.
        public var bumpCentres: [[[Double]]]
    }

    public func validate() throws {
        try ParameterError.check(words >= 2, "words", expected: "≥ 2", found: words)
        try ParameterError.check(trialsPerWord >= 1, "trialsPerWord", expected: "≥ 1", found: trialsPerWord)
        try ParameterError.check(channels >= 1 && (1...channels).contains(informativeChannels), "informativeChannels",
                                 expected: "between 1 and \(channels)", found: informativeChannels)
        try ParameterError.check(sources >= 1, "sources", expected: "≥ 1", found: sources)
        try ParameterError.check(samplingRate >= 200, "samplingRate", expected: "≥ 200 Hz (high-gamma band)", found: samplingRate)
        try ParameterError.check(trialSpacing >= 3, "trialSpacing", expected: "≥ 3 s (epochs span −0.5…2.5 s)", found: trialSpacing)
        try ParameterError.check(unlabelledSeconds >= 0, "unlabelledSeconds", expected: "≥ 0", found: unlabelledSeconds)
    }

    /// Channel names: "SEEG SM<i>" (sensorimotor, informative) then "SEEG HC<i>" (uninformative).
    public var channelNames: [String] {
        (0..<channels).map { $0 < informativeChannels ? "SEEG SM\($0 + 1)" : "SEEG HC\($0 - informativeChannels + 1)" }
    }

    public var wordLabels: [String] { (0..<words).map { String(format: "word%02d", $0 + 1) } }

    /// The recording (volts, annotations: one per trial with its word, plus the "unlabelled" span)
    /// and its truth.
    public func simulate(seed: UInt64) throws -> (series: TimeSeries, truth: Truth) {
        try validate()
        var g = SeededGenerator(seed: seed)
        let fs = samplingRate
        // Templates: [word][source] bumps (centre, width, amplitude).
        var bumps = [[[(Double, Double, Double)]]]()
        for _ in 0..<words {
            bumps.append((0..<sources).map { _ in
                (0..<(2 + g.uniformInt(below: 2))).map { _ in
                    (0.2 + 1.3 * g.nextUnitInterval(), 0.05 + 0.1 * g.nextUnitInterval(), g.standardNormal())
                }
            })
        }
        var a = [Double](repeating: 0, count: channels * sources), b = a
        for c in 0..<informativeChannels {
            for m in 0..<sources { a[c * sources + m] = g.standardNormal(); b[c * sources + m] = g.standardNormal() }
        }
        // Event schedule.
        var onsets = [Double](), labels = [Int](), jitters = [Double]()
        var order = [Int]()
        for k in 0..<words { order += Array(repeating: k, count: trialsPerWord) }
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, g.uniformInt(below: i + 1)) }
        var t = 1.0
        for k in order {
            onsets.append(t)
            labels.append(k)
            jitters.append(jitter * g.standardNormal())
            t += trialSpacing + 0.5 * g.nextUnitInterval()
        }
        let unlabelledStart = t
        var hidden = [(onset: Double, word: Int)]()
        var u = unlabelledStart + 0.5
        while u + 2.5 < unlabelledStart + unlabelledSeconds {
            hidden.append((u + jitter * g.standardNormal(), g.uniformInt(below: words)))
            u += 1 + 2 * g.nextUnitInterval()
        }
        let duration = unlabelledStart + unlabelledSeconds + (unlabelledSeconds > 0 ? 0 : 1)
        let n = Int((duration * fs).rounded())

        // Source envelopes a_m(t) over the whole recording.
        var envelope = [Double](repeating: 0, count: sources * n)
        let events = zip(onsets, jitters).map { $0 + $1 }.enumerated().map { (time: $0.element, word: labels[$0.offset]) } + hidden.map { (time: $0.onset, word: $0.word) }
        for event in events {
            let scale = Double.exp(amplitudeSpread * g.standardNormal())
            for m in 0..<sources {
                for (centre, width, amplitude) in bumps[event.word][m] {
                    let mid = event.time + centre
                    let lo = Swift.max(0, Int(((mid - 4 * width) * fs).rounded(.down))), hi = Swift.min(n, Int(((mid + 4 * width) * fs).rounded(.up)))
                    guard lo < hi else { continue }
                    for i in lo..<hi {
                        let z = (Double(i) / fs - mid) / width
                        envelope[m * n + i] += scale * amplitude * Double.exp(-0.5 * z * z)
                    }
                }
            }
        }
        // Band-limited high-gamma carriers η_m, unit variance.
        var white = [Float](repeating: 0, count: sources * n)
        for i in white.indices { white[i] = Float(g.standardNormal()) }
        let band: FilterBand = fs >= 400 ? .bandpass(70, 150) : .bandpass(40, Swift.min(110, 0.45 * fs))
        let carrierSeries = try TimeSeries(samples: white, channels: (0..<sources).map { Channel(name: "eta\($0)", kind: .misc) }, samplingRate: fs)
            .filtered(band: band, kinds: [.misc])
        var carriers = carrierSeries.samples.map(Double.init)
        for m in 0..<sources {
            var s = 0.0
            for i in 0..<n { s += carriers[m * n + i] * carriers[m * n + i] }
            let inv = 1 / Swift.max(1e-12, (s / Double(n)).squareRoot())
            for i in 0..<n { carriers[m * n + i] *= inv }
        }
        // Channels: 1/f background + line noise + sources; stored in volts (µV scale).
        var samples = [Float](repeating: 0, count: channels * n)
        let timeConstants = [0.002, 0.01, 0.05, 0.2, 1.0]
        for c in 0..<channels {
            var states = [Double](repeating: 0, count: timeConstants.count)
            let coefficients = timeConstants.map { Double.exp(-1 / ($0 * fs)) }
            // Equal variance per octave-ish component gives an approximately 1/f spectrum.
            let gains = coefficients.map { backgroundLevel * (1 - $0 * $0).squareRoot() / Double(timeConstants.count).squareRoot() }
            let linePhase = 2 * Double.pi * g.nextUnitInterval()
            for i in 0..<n {
                var x = 0.0
                for k in 0..<states.count {
                    states[k] = coefficients[k] * states[k] + gains[k] * g.standardNormal()
                    x += states[k]
                }
                x += 0.1 * backgroundLevel * Double.sin(2 * Double.pi * 50 * Double(i) / fs + linePhase)
                if c < informativeChannels {
                    for m in 0..<sources {
                        let e = envelope[m * n + i]
                        x += a[c * sources + m] * (1 + highGammaGain * Swift.abs(e)) * carriers[m * n + i] * 0.3
                        x += b[c * sources + m] * evokedGain * e
                    }
                }
                samples[c * n + i] = Float(x * 20e-6)
            }
        }
        let words = wordLabels
        var annotations = zip(onsets, labels).map { Annotation(onset: $0, duration: 0, label: words[$1]) }
        if unlabelledSeconds > 0 { annotations.append(Annotation(onset: unlabelledStart, duration: unlabelledSeconds, label: "unlabelled")) }
        let series = try TimeSeries(
            samples: samples, channels: channelNames.map { Channel(name: $0, kind: .seeg, originalUnit: "uV") }, samplingRate: fs,
            annotations: try Annotations(annotations))
        let truth = Truth(
            seed: seed, simulation: self, wordLabels: words, channelNames: channelNames, informative: Array(0..<informativeChannels),
            onsets: onsets, labels: labels.map { words[$0] }, jitters: jitters, unlabelledStart: unlabelledStart,
            unlabelledEvents: hidden.count, bumpCentres: bumps.map { $0.map { $0.map(\.0) } })
        return (series, truth)
    }
}

extension DuINSignalPool {
    /// The z-scored channels of `series` within `seconds` (the whole recording when nil) as one
    /// segment, with the given normalisation or the segment's own statistics.
    public static func from(_ series: TimeSeries, seconds: Range<Double>? = nil, normalization: DuINNormalization? = nil) throws -> DuINSignalPool {
        let part = try seconds.map { try series.slice(seconds: $0) } ?? series
        let n = part.sampleCount, c = part.channelCount
        var values = [Float](repeating: 0, count: c * n)
        for ch in 0..<c {
            let x = part.channel(at: ch)
            var mean = 0.0, square = 0.0
            for v in x { mean += Double(v); square += Double(v) * Double(v) }
            mean /= Double(max(n, 1))
            let sd = Swift.max(1e-30, (square / Double(max(n, 1)) - mean * mean).squareRoot())
            let m = Float(normalization?.means[ch] ?? mean), s = Float(1 / (normalization?.scales[ch] ?? sd))
            for (j, v) in x.enumerated() { values[ch * n + j] = (v - m) * s }
        }
        var pool = DuINSignalPool(channels: c)
        pool.append(values, length: n)
        return pool
    }
}
