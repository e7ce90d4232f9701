import Foundation
import Testing
import TestSupport
@testable import Recording

/// suite2p plane0 against numpy, ΔF/F against the documented definition computed by numpy.
@Suite struct CalciumTracesTests {
    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func suite2pPlaneMatchesNumpy() throws {
        let g = try #require(NeuroFormatsGolden.shared.suite2p)
        let plane = try Suite2pFolder.read(try #require(SharedData.file("calcium/suite2p-plane0")), frameRate: g.dff.frame_rate)
        let t = plane.traces
        #expect([t.neuronCount, t.frameCount] == g.shape && g.shape == [219, 2000])
        #expect(close(t.signal.reduce(0.0) { $0 + Double($1) }, g.F_sum, rel: 1e-12))
        #expect(close(t.neuropil!.reduce(0.0) { $0 + Double($1) }, g.Fneu_sum, rel: 1e-12))
        #expect(close(t.deconvolved!.reduce(0.0) { $0 + Double($1) }, g.spks_sum, rel: 1e-12))
        #expect(t.neurons.filter { $0.isCell == true }.count == g.iscell_count)
        #expect(close(t.neurons.compactMap(\.cellProbability).reduce(0, +), g.prob_sum, rel: 1e-12))
        #expect(Array(t.trace(0).prefix(5)).map(Double.init) == g.F_first)
        #expect(t.cellsOnly().neuronCount == g.iscell_count)
        #expect(plane.notes.isEmpty, "the shared folder has no pickles")

        let d = g.dff
        let dff = try t.selecting(d.values.keys.map { Int($0)! }.sorted())
            .deltaFOverF(neuropilCoefficient: d.coefficient, baselineWindow: d.window, percentile: d.percentile)
        #expect(dff.kind == .deltaFOverF)
        // ROI 0's neuropil-corrected trace is negative: its baseline cannot normalise.
        #expect(throws: RecordingError.self) { try t.selecting([0]).deltaFOverF(baselineWindow: d.window) }
        for (row, key) in d.values.keys.sorted(by: { Int($0)! < Int($1)! }).enumerated() {
            for (k, frame) in d.frames.enumerated() {
                // Float output of a Double computation: agree to float rounding.
                #expect(close(Double(dff[row, frame]), d.values[key]![k], rel: 2e-6, abs: 1e-6), "neuron \(key) frame \(frame)")
            }
        }
    }

    @Test func deltaFOverFClosedForms() throws {
        // Constant F = 10 with neuropil 5: Fc = 10 − 0.7·5 = 6.5 everywhere → ΔF/F = 0.
        let flat = try CalciumTraces(signal: [Float](repeating: 10, count: 50), neurons: [CalciumNeuron(id: 0)], frameRate: 10,
                                     neuropil: [Float](repeating: 5, count: 50))
        #expect(try flat.deltaFOverF(baselineWindow: 2).signal.allSatisfy { $0 == 0 })
        // A step from 1 to 3 with the 0th percentile (running minimum) and a 5-frame window:
        // far from the step the baseline equals the level, so ΔF/F is 0; just after the step,
        // the window still holds 1s, so ΔF/F = (3 − 1)/1 = 2.
        let step: [Float] = [Float](repeating: 1, count: 20) + [Float](repeating: 3, count: 20)
        let s = try CalciumTraces(signal: step, neurons: [CalciumNeuron(id: 0)], frameRate: 1)
        let out = try s.deltaFOverF(neuropilCoefficient: 0, baselineWindow: 5, percentile: 0).signal
        #expect(out[0] == 0 && out[39] == 0 && out[19] == 0 && out[20] == 2 && out[21] == 2 && out[22] == 0)
        // Non-positive baselines and bad settings throw.
        let negative = try CalciumTraces(signal: [1, 1, 1], neurons: [CalciumNeuron(id: 0)], frameRate: 1, neuropil: [2, 2, 2])
        #expect(throws: RecordingError.self) { try negative.deltaFOverF() }
        #expect(throws: RecordingError.self) { try s.deltaFOverF(percentile: 101) }
        #expect(throws: RecordingError.self) { try s.deltaFOverF(baselineWindow: 0) }
        #expect(throws: RecordingError.self) { try CalciumTraces(signal: [1, 2, 3], neurons: [CalciumNeuron(id: 0), CalciumNeuron(id: 1)], frameRate: 1) }
        #expect(throws: RecordingError.self) { try CalciumTraces(signal: [1, 2], neurons: [CalciumNeuron(id: 0)], frameRate: 1, neuropil: [1]) }
    }
}
