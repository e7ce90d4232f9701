import ComplexModule
import Foundation
import Testing
import TestSupport
@testable import NeuroCore

private struct WelchGolden: Decodable {
    struct Config: Decodable {
        let window: String
        let segmentLength: Int
        let overlap: Int?
        let detrend: String
        let scaling: String
        let average: String
    }
    struct Case: Decodable {
        let name: String
        let input: String
        let config: Config
        let frequencies: [Double]
        let power: [Double]
    }
    let samplingRate: Double
    let inputs: [String: [Double]]
    let cases: [Case]
}

/// The textbook O(n²) DFT, the reference the FFT must reproduce.
private func naiveDFT(_ x: [Double]) -> [(Double, Double)] {
    let n = x.count
    return (0...(n / 2)).map { k in
        var re = 0.0
        var im = 0.0
        for t in 0..<n {
            let angle = -2 * Double.pi * Double(k * t % n) / Double(n)
            re += x[t] * cos(angle)
            im += x[t] * sin(angle)
        }
        return (re, im)
    }
}

@Suite struct FFTTests {
    @Test(arguments: [1, 2, 7, 64, 100, 1000, 1024, 4097])
    func forwardMatchesNaiveDFT(n: Int) {
        let x = (0..<n).map { sin(Double($0) * 0.37) + 0.25 * cos(Double($0 * $0) * 0.011) }
        let fast = RealFFT<Double>(count: n).forward(x)
        let slow = naiveDFT(x)
        let scale = slow.map { ($0.0 * $0.0 + $0.1 * $0.1).squareRoot() }.max()!
        let worst = zip(fast, slow).map { (($0.real - $1.0) * ($0.real - $1.0) + ($0.imaginary - $1.1) * ($0.imaginary - $1.1)).squareRoot() }.max()!
        #expect(worst / max(scale, 1e-300) < 1e-9)
    }

    @Test(arguments: [1, 5, 64, 999])
    func inverseUndoesForward(n: Int) {
        let x = (0..<n).map { Double(($0 * 37) % 17) - 8 }
        let fft = RealFFT<Double>(count: n)
        let back = fft.inverse(fft.forward(x))
        #expect(zip(back, x).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func floatTransformAgreesWithDouble() {
        let n = 512
        let x = (0..<n).map { sin(Double($0) * 0.1) }
        let d = RealFFT<Double>(count: n).forward(x)
        let fft = RealFFT<Float>(count: n)
        let f = fft.forward(x.map(Float.init))
        #expect(zip(d, f).allSatisfy { abs($0.real - Double($1.real)) < 1e-3 && abs($0.imaginary - Double($1.imaginary)) < 1e-3 })
        let back = fft.inverse(f)
        #expect(zip(back, x).allSatisfy { abs(Double($0) - $1) < 1e-5 })
    }

    @Test func sinePeaksAtItsBin() {
        let n = 1024
        let x = (0..<n).map { sin(2 * Double.pi * 10 * Double($0) / Double(n)) }
        let spectrum = RealFFT<Double>(count: n).forward(x)
        let magnitudes = spectrum.map { $0.length }
        #expect(magnitudes.firstIndex(of: magnitudes.max()!) == 10)
        #expect(abs(magnitudes[10] - 512) < 1e-9)
    }

    /// FFTW's planner is not thread-safe; plans made from many tasks at once must not crash.
    @Test func concurrentPlanningIsSafe() async {
        await withTaskGroup(of: Bool.self) { group in
            for task in 0..<16 {
                group.addTask {
                    let n = 64 + task * 3
                    let fft = RealFFT<Double>(count: n)
                    let x = (0..<n).map { Double($0 % 5) }
                    let back = fft.inverse(fft.forward(x))
                    return zip(back, x).allSatisfy { abs($0 - $1) < 1e-12 }
                }
            }
            for await ok in group { #expect(ok) }
        }
    }
}

@Suite struct WelchTests {
    private static let golden: WelchGolden = try! Goldens.load(WelchGolden.self, named: "welch", in: .module)

    @Test(arguments: golden.cases.map(\.name))
    func matchesScipyWelch(name: String) throws {
        let golden = Self.golden
        let c = golden.cases.first { $0.name == name }!
        let config = WelchConfiguration(
            segmentLength: c.config.segmentLength, overlap: c.config.overlap,
            window: Window(rawValue: c.config.window)!,
            detrend: ["none": .none, "constant": .constant, "linear": .linear][c.config.detrend]!,
            scaling: c.config.scaling == "density" ? .density : .spectrum,
            average: c.config.average == "mean" ? .mean : .median)
        let psd = try PowerSpectrum(welch: golden.inputs[c.input]!, samplingRate: golden.samplingRate, configuration: config)
        #expect(psd.frequencies.count == c.frequencies.count)
        #expect(zip(psd.frequencies, c.frequencies).allSatisfy { abs($0 - $1) < 1e-12 })
        let scale = c.power.max()!
        let worst = zip(psd.power.row(0), c.power).map { abs($0 - $1) }.max()!
        #expect(worst / scale < 1e-10, "max relative deviation \(worst / scale)")
    }

    @Test func whiteNoiseIntegratesToItsVariance() throws {
        var generator = SeededGenerator(seed: 3)
        // Uniform(−√3, √3) has unit variance; the PSD must integrate to it.
        let x = (0..<20_000).map { _ in (generator.nextUnitInterval() * 2 - 1) * 3.0.squareRoot() }
        let psd = try PowerSpectrum(welch: x, samplingRate: 100)
        let total = try psd.bandPower(low: 0, high: 50)[0]
        #expect(abs(total - 1) < 0.05)
    }

    @Test func sineBandPowerIsHalfItsSquaredAmplitude() throws {
        let fs = 200.0
        let x = (0..<8000).map { 3 * sin(2 * Double.pi * 12 * Double($0) / fs) }
        let psd = try PowerSpectrum(welch: x, samplingRate: fs, configuration: .init(segmentLength: 400))
        #expect(psd.peakFrequency()[0] == 12)
        #expect(abs(try psd.bandPower(low: 10, high: 14)[0] - 4.5) < 0.05)
    }

    @Test func badSettingsAreRejected() {
        #expect(throws: ParameterError.self) { try PowerSpectrum(welch: [1, 2, 3], samplingRate: 0) }
        #expect(throws: ParameterError.self) {
            try PowerSpectrum(welch: [1, 2, 3], samplingRate: 10, configuration: .init(segmentLength: 4, overlap: 4))
        }
        #expect(throws: ParameterError.self) { try PowerSpectrum(welch: [], samplingRate: 10) }
        #expect(throws: ParameterError.self) {
            try PowerSpectrum(welch: Array(repeating: 1.0, count: 512), samplingRate: 256).bandPower(low: 10.2, high: 10.4)
        }
    }
}
