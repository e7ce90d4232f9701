import Testing
@testable import Recording

@Suite struct OscillationSimulationTests {
    @Test func sameSeedSameSignalsDifferentSeedDifferent() throws {
        let simulation = OscillationSimulation(channels: 2, duration: 4)
        let a = try simulation.simulate(seed: 5)
        let b = try simulation.simulate(seed: 5)
        let c = try simulation.simulate(seed: 6)
        #expect(a.signals == b.signals)
        #expect(a.peakFrequencies == b.peakFrequencies)
        #expect(a.signals != c.signals)
    }

    @Test func plantedPeaksAreRecoveredByWelch() throws {
        let simulation = OscillationSimulation(channels: 4, duration: 40, samplingRate: 200)
        let result = try simulation.simulate(seed: 1)
        #expect(result.peakFrequencies.allSatisfy { simulation.peakRange.contains($0) })
        let psd = try PowerSpectrum(welch: result.signals, samplingRate: 200, configuration: .init(segmentLength: 800))
        let found = psd.peakFrequency(low: 4, high: 30)
        for (f, planted) in zip(found, result.peakFrequencies) { #expect(abs(f - planted) <= psd.resolution) }
    }

    @Test func backgroundHasTheRequestedRMS() throws {
        let result = try OscillationSimulation(channels: 1, duration: 20, amplitudeRange: 0...0, backgroundRMS: 3e-6).simulate(seed: 2)
        let rms = (result.signals.elements.reduce(0) { $0 + $1 * $1 } / Double(result.signals.columns)).squareRoot()
        #expect(abs(rms - 3e-6) < 1e-12)
    }

    @Test func invalidSettingsAreRejected() {
        #expect(throws: ParameterError.self) { try OscillationSimulation(channels: 0).simulate(seed: 1) }
        #expect(throws: ParameterError.self) { try OscillationSimulation(samplingRate: 20).simulate(seed: 1) }
        #expect(throws: ParameterError.self) { try OscillationSimulation(duration: 0.01).simulate(seed: 1) }
    }
}
