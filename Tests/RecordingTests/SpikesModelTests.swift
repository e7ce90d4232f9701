import Foundation
import Testing
@testable import Recording

/// SpikeTrains / SpikeCounts / PeriEventHistogram invariants and closed forms.
@Suite struct SpikesModelTests {
    static let trains = try! SpikeTrains(
        units: [SpikeUnit(id: 4, region: "CA1", quality: "good", electrode: 2), SpikeUnit(id: 9)],
        times: [[0.05, 0.15, 0.15, 0.95, 1.25], [0.5, 2.0]])

    @Test func initValidatesSortingFinitenessAndIds() {
        #expect(throws: RecordingError.self) { try SpikeTrains(times: [[0.2, 0.1]]) }
        #expect(throws: RecordingError.self) { try SpikeTrains(times: [[0.1, .nan]]) }
        #expect(throws: RecordingError.self) { try SpikeTrains(times: [[.infinity]]) }
        #expect(throws: RecordingError.self) { try SpikeTrains(units: [SpikeUnit(id: 1), SpikeUnit(id: 1)], times: [[], []]) }
        #expect(throws: RecordingError.self) { try SpikeTrains(units: [SpikeUnit(id: 1)], times: [[], []]) }
        #expect(throws: RecordingError.self) { try SpikeTrains(spikeTimes: [0.1], labels: [5], units: [SpikeUnit(id: 1)]) }
    }

    @Test func groupingByLabelSortsEachUnit() throws {
        let t = try SpikeTrains(spikeTimes: [0.3, 0.1, 0.2, 0.05], labels: [2, 7, 2, 7], units: [SpikeUnit(id: 7), SpikeUnit(id: 2), SpikeUnit(id: 3)])
        #expect(t.times == [[0.05, 0.1], [0.2, 0.3], []])
        #expect(t.spikeCount == 4 && t.timeSpan == 0.05...0.3)
    }

    @Test func binningCountsHalfOpenBins() throws {
        let c = try Self.trains.binned(width: 0.5, range: 0..<2)
        #expect(c.binCount == 4 && c.start == 0)
        #expect(Array(c.unit(0)) == [3, 1, 1, 0])
        // 2.0 is the right edge of the range: excluded.
        #expect(Array(c.unit(1)) == [0, 1, 0, 0])
        #expect(c.binEdges == [0, 0.5, 1, 1.5, 2])
        #expect(c.rates[0] == 6)
        // Rounding tolerance: 0..<1 in 0.1 s bins gives 10 bins, not 9.
        #expect(try Self.trains.binned(width: 0.1, range: 0..<1).binCount == 10)
        // Without a range: from 0 to cover the last spike.
        let all = try Self.trains.binned(width: 0.5)
        #expect(all.binCount == 5 && all.counts.reduce(0, +) == 7)
        #expect(throws: RecordingError.self) { try Self.trains.binned(width: 0) }
        #expect(throws: RecordingError.self) { try Self.trains.binned(width: 1, range: 0..<0.5) }
        #expect(throws: RecordingError.self) { try SpikeCounts(counts: [1, -1], units: [SpikeUnit(id: 0)], binWidth: 1) }
    }

    @Test func periEventHistogramAndRaster() throws {
        let h = try Self.trains.periEventHistogram(events: [0.1, 1.0], window: -0.1..<0.3, binWidth: 0.1)
        #expect(h.binCount == 4 && h.trialCount == 2)
        // Trial 0 (event 0.1), unit 0: spikes at 0.05 → bin 0, 0.15 ×2 → bin 1.
        #expect((0..<4).map { h[0, 0, $0] } == [1, 2, 0, 0])
        // Trial 1 (event 1.0), unit 0: 0.95 → bin 0, 1.25 → bin 3.
        #expect((0..<4).map { h[1, 0, $0] } == [1, 0, 0, 1])
        let mean = h.meanRate()
        #expect(abs(mean[0, 0] - 10) < 1e-12 && abs(mean[0, 1] - 10) < 1e-12)
        let raster = Self.trains.aligned(to: [1.0], window: -0.1..<0.3)
        #expect(raster[0][0].count == 2 && abs(raster[0][0][0] + 0.05) < 1e-12)
        #expect(raster[0][1].isEmpty)
    }

    @Test func filterAndSliceKeepMetadata() {
        let good = Self.trains.filter { $0.quality == "good" }
        #expect(good.units.map(\.id) == [4] && good.units[0].region == "CA1")
        #expect(Self.trains.slice(0.1..<1.0).times == [[0.15, 0.15, 0.95], [0.5]])
    }
}
