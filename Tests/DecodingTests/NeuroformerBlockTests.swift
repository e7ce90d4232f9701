import Foundation
import Testing
@testable import Decoding

/// Token budgets against window spike counts: a window with more spikes than its block keeps only its
/// last `block − 2`, and a model trained on many such windows generates too few spikes in busy windows.
@Suite struct NeuroformerBlockTests {
    @Test func truncatedWindowsAreCountedPerBlock() throws {
        // 2 neurons, windows of 2 current + 2 past bins; current windows hold 1, 4 and 2 spikes.
        let counts: [UInt16] = [1, 1, 0, 1,  1, 0, 0, 0,  0, 1, 2, 1,  1, 0, 0, 1,  1, 1, 0, 0]
        let raster = SpikeRaster(neurons: 2, bins: 10, binWidth: 0.01, counts: counts)
        let c = NeuroformerConfiguration(neurons: 2, currentBins: 2, pastBins: 2, currentBlock: 5, pastBlock: 4, dimension: 8, heads: 2,
                                         stateLayers: 1, historyLayers: 1)
        let data = try NeuroformerDataset(raster: raster, configuration: c)
        #expect(data.windows.map(\.endBin) == [4, 6, 8, 10])
        #expect(data.windows.map(\.spikeCount) == [1, 4, 2, 2])
        #expect(data.windows.map(\.pastSpikeCount) == [3, 1, 4, 2])
        // Current block 5 holds 3 spikes: window 2 is cut; past block 4 holds 2: windows 1 and 3 are cut.
        let t = data.truncatedWindows(Array(0..<4))
        #expect(t.current == 0.25 && t.past == 0.5)
        // The cut window keeps its last 3 spikes.
        #expect(data.windows[1].inputIDs == [c.tokenizer.sos, 0, 0, 1, c.tokenizer.eos])
    }

    /// The validation's blocks (current 40, past 80) hold the simulator's windows; the methods note's mini
    /// blocks (24, 48) cut 5 % of current windows (13 % at stimulus peaks) and 16 % of past windows.
    @Test func validationBlocksHoldTheSimulatorsWindows() throws {
        var s = HubNetworkSimulation()
        s.duration = 120
        let sim = try s.simulate(seed: 1)
        var mini = NeuroformerConfiguration.mini(neurons: 32)
        let smallData = try NeuroformerDataset(raster: sim.raster, configuration: mini)
        let all = Array(0..<smallData.count)
        let small = smallData.truncatedWindows(all)
        #expect(small.current > 0.02 && small.past > 0.08, "\(small)")
        mini.currentBlock = 40
        mini.pastBlock = 80
        let large = try NeuroformerDataset(raster: sim.raster, configuration: mini).truncatedWindows(all)
        #expect(large.current < 0.005 && large.past < 0.01, "\(large)")
    }
}
