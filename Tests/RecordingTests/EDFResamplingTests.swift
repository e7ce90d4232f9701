import Foundation
import Testing
import TestSupport
@testable import Recording

/// A hand-assembled EDF+C file whose signals run at different rates (the writer writes one rate):
/// a 3 Hz, 100 µV sine at 256, 64 and 32 Hz, a stimulus channel at 16 Hz and an annotation signal,
/// 10 records of 1 s, 0.1 µV per digital step.
enum MixedRateFixture {
    static let rates = [("Fast", 256), ("Mid", 64), ("Slow", 32), ("Status", 16)]
    static let records = 10
    static let frequency = 3.0
    static let talBytes = 60

    static func sine(_ t: Double) -> Double { 100e-6 * sin(2 * Double.pi * frequency * t) }
    static func code(_ i: Int) -> Int16 { Int16((i / 5) % 4) }

    static func bytes() -> Data {
        var h = [UInt8]()
        func put(_ s: String, _ w: Int) { h += Array(s.utf8) + [UInt8](repeating: 0x20, count: w - s.utf8.count) }
        let signals = rates.count + 1
        put("0", 8); put("X X X X", 80); put("Startdate 01-JAN-2010 X X X", 80); put("01.01.10", 8); put("12.00.00", 8)
        put("\(256 * (1 + signals))", 8); put("EDF+C", 44); put("\(records)", 8); put("1", 8); put("\(signals)", 4)
        for (name, _) in rates { put(name, 16) }; put("EDF Annotations", 16)
        for _ in 0 ..< signals { put("", 80) }
        for _ in rates { put("uV", 8) }; put("", 8)
        for _ in rates { put("-3276.8", 8) }; put("-1", 8)
        for _ in rates { put("3276.7", 8) }; put("1", 8)
        for _ in 0 ..< signals { put("-32768", 8) }
        for _ in 0 ..< signals { put("32767", 8) }
        for _ in 0 ..< signals { put("", 80) }
        for (_, rate) in rates { put("\(rate)", 8) }; put("\(talBytes / 2)", 8)
        for _ in 0 ..< signals { put("", 32) }
        for r in 0 ..< records {
            for (name, rate) in rates {
                for k in 0 ..< rate {
                    let i = r * rate + k
                    let digital = name == "Status" ? code(i) : Int16((sine(Double(i) / Double(rate)) / 0.1e-6).rounded())
                    let u = UInt16(bitPattern: digital)
                    h += [UInt8(u & 0xFF), UInt8(u >> 8)]
                }
            }
            var tal = Array("+\(r)\u{14}\u{14}\u{0}".utf8)
            if r == 2 { tal += Array("+2.5\u{15}1\u{14}cue\u{14}\u{0}".utf8) }
            if r == 7 { tal += Array("+7.25\u{14}go\u{14}\u{0}".utf8) }
            h += tal + [UInt8](repeating: 0, count: talBytes - tal.count)
        }
        return Data(h)
    }
}

@Suite struct EDFResamplingTests {
    static func reader() throws -> EDFReader { try EDFReader(data: MixedRateFixture.bytes(), fileName: "mixed.edf") }

    @Test func fixtureHasMixedRates() throws {
        let reader = try Self.reader()
        #expect(reader.samplingRates == [256, 64, 32, 16])
        #expect(reader.highestSamplingRate == 256)
        #expect(throws: RecordingError.self) { try reader.read() }
    }

    /// Upsampled channels follow the closed-form sine (away from the zero-padded edges) in the
    /// order asked; the channel already at the target rate is the plain read, bit for bit.
    @Test func upsamplingRecoversTheSine() throws {
        let reader = try Self.reader()
        let order = ["Slow", "Fast", "Status", "Mid"]
        let series = try reader.read(channels: order, resamplingTo: 256)
        #expect(series.channelNames == order && series.samplingRate == 256 && series.sampleCount == 2560)
        #expect(try series.channel(named: "Fast") == reader.read(channels: ["Fast"]).channel(named: "Fast"))
        for name in ["Mid", "Slow"] {
            let x = try series.channel(named: name)
            var worst = 0.0
            for k in 256 ..< 2304 { worst = max(worst, abs(Double(x[k]) - MixedRateFixture.sine(Double(k) / 256))) }
            // 1 % of the amplitude; resample_poly's Kaiser filter passes 3 Hz with ~1e-3 error.
            #expect(worst < 1e-6, "\(name): max error \(worst) V")
        }
        // The stimulus channel holds the code of the nearest earlier 16 Hz sample.
        let status = try series.channel(named: "Status")
        let codes = try reader.read(channels: ["Status"]).channel(named: "Status")
        #expect(Set(codes).count == 4)
        #expect(status.indices.allSatisfy { status[$0] == codes[$0 / 16] })
        #expect(series.annotations == (try reader.annotations()))
        #expect(series.annotations.map(\.label) == ["cue", "go"])
        #expect(series.startTime == reader.header.startTime)
    }

    /// Downsampling: 256 Hz → 64 Hz low-passes and decimates; the 64 Hz channel is unchanged.
    @Test func downsamplingToALowerRate() throws {
        let reader = try Self.reader()
        let series = try reader.read(channels: ["Fast", "Mid"], resamplingTo: 64)
        #expect(series.sampleCount == 640 && series.samplingRate == 64)
        #expect(try series.channel(named: "Mid") == reader.read(channels: ["Mid"]).channel(named: "Mid"))
        let fast = try series.channel(named: "Fast")
        for k in 64 ..< 576 { #expect(abs(Double(fast[k]) - MixedRateFixture.sine(Double(k) / 64)) < 1e-6) }
    }

    /// A time range reads only a margin around it, yet equals the slice of the whole read exactly.
    @Test(arguments: [0.0 ..< 1.2, 2.3 ..< 7.9, 9.5 ..< 10.0, 3.0 ..< 3.0, 9.99 ..< 20.0])
    func timeRangeEqualsSliceOfWholeRead(range: Range<Double>) throws {
        let reader = try Self.reader()
        let whole = try reader.read(resamplingTo: 256)
        let part = try reader.read(timeRange: range, resamplingTo: 256)
        let expected = try whole.slice(seconds: range)
        #expect(part == expected)
        let slow = try reader.read(channels: ["Slow", "Status"], timeRange: range, resamplingTo: 128)
        #expect(slow == (try reader.read(channels: ["Slow", "Status"], resamplingTo: 128).slice(seconds: range)))
    }

    @Test func sameRateFileIsUnchanged() throws {
        let reader = try EDFReader(data: EDFFixture.bytes())
        #expect(try reader.read(resamplingTo: 8) == reader.read())
    }

    @Test(arguments: [100.5, 0, -256, .infinity, .nan])
    func ratesWithoutWholeSamplesPerRecordAreRefused(rate: Double) throws {
        let reader = try Self.reader()
        do {
            _ = try reader.read(resamplingTo: rate)
            Issue.record("\(rate) Hz was accepted")
        } catch RecordingError.invalidValue(_, let field, _, _) {
            #expect(field == "resamplingTo")
        }
    }

    /// MNE's test_reduced.edf (1, 2, 4, …, 512 Hz): same names, rate and length as MNE's upsampled
    /// read; channels at 512 Hz are the plain read; upsampled ones agree with MNE's FFT resampling
    /// in the middle half of the recording within a relative RMS tolerance (the methods differ).
    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func mixedRateFileMatchesMNELoosely() throws {
        struct Golden: Decodable {
            struct Channel: Decodable { let name: String; let rate: Double; let samples: [Double] }
            let path: String
            let sfreq: Double
            let n_times: Int
            let ch_names: [String]
            let middle_start: Int
            let middle_step: Int
            let channels: [Channel]
        }
        let golden = try Goldens.load(Golden.self, named: "eeg_edf_mixed", in: Bundle.module)
        let reader = try EDFReader(url: try #require(SharedData.file(golden.path)))
        #expect(reader.highestSamplingRate == golden.sfreq)
        let series = try reader.read(resamplingTo: reader.highestSamplingRate)
        #expect(series.channelNames == golden.ch_names)
        #expect(series.sampleCount == golden.n_times && series.samplingRate == golden.sfreq)
        let upsampled = Set(golden.channels.map(\.name))
        let native = reader.channelNames.filter { !upsampled.contains($0) }
        #expect(native.count > 100)
        let plain = try reader.read(channels: native)
        #expect(try series.selecting(channels: native).samples == plain.samples)
        #expect(series.annotations == plain.annotations)
        for channel in golden.channels {
            let x = try series.channel(named: channel.name)
            var difference = 0.0, power = 0.0
            for (j, reference) in channel.samples.enumerated() {
                let ours = Double(x[golden.middle_start + j * golden.middle_step])
                difference += (ours - reference) * (ours - reference)
                power += reference * reference
            }
            let relative = (difference / power).squareRoot()
            // MNE's FFT and the polyphase FIR: ≤ 3 % apart (measured 0.6–2.6 %), except the 1 Hz
            // channel of 6 samples, where the two interpolations differ by 13 %.
            #expect(relative < (channel.rate == 1 ? 0.2 : 0.04), "\(channel.name) (\(channel.rate) Hz): \(relative)")
        }
    }
}
