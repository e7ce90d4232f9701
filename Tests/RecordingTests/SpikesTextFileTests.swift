import Foundation
import Testing
import TestSupport
@testable import Recording

/// Grasshopper spike-time text files and the Allen count / label CSVs against numpy.
@Suite struct SpikesTextFileTests {
    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"), arguments: ["1", "2"])
    func grasshopperSpikeTimes(_ index: String) throws {
        let g = try #require(NeuroFormatsGolden.shared.grasshopper?[index])
        let times = try SpikeTextFiles.readSpikeTimes(
            try #require(SharedData.file("spikes/grasshopper/grasshopper_spike_times\(index).txt")), unit: .microseconds)
        #expect(times.count == g.count)
        #expect(close(times[0], g.first) && close(times.last!, g.last))
        #expect(close(times.reduce(0, +), g.sum, rel: 1e-12))
        #expect(try SpikeTrains(times: [times]).spikeCount == (index == "1" ? 929 : 868))
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func allenCountsAndLabels() throws {
        let g = try #require(NeuroFormatsGolden.shared.allen)
        let labels = try SpikeTextFiles.readLabels(try #require(SharedData.file("spikes/allen-719161530/Lab_neuron.csv")))
        let names = ["1": "CA1", "2": "LP", "3": "VISp"]
        let counts = try SpikeTextFiles.readCounts(
            try #require(SharedData.file("spikes/allen-719161530/Y.csv")), binWidth: 0.5, regions: labels.map { names[String($0)]! })
        #expect([counts.unitCount, counts.binCount] == g.shape && g.shape == [63, 720])
        #expect(counts.counts.reduce(0, +) == g.total)
        for u in 0..<counts.unitCount { #expect(counts.unit(u).reduce(0, +) == g.row_sums[u]) }
        for (label, n) in g.label_counts { #expect(labels.filter { String($0) == label }.count == n) }
        #expect(counts.units.filter { $0.region == "CA1" }.count == 30)
        let states = try SpikeTextFiles.readLabels(try #require(SharedData.file("spikes/allen-719161530/Lab_states.csv")))
        for (label, n) in g.state_counts { #expect(states.filter { String($0) == label }.count == n) }
    }
}
