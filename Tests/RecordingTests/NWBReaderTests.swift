import Foundation
import Testing
import TestSupport
@testable import Recording

/// The phy-nwb NWB file against h5py / pynwb.
@Suite struct NWBReaderTests {
    static let golden = NeuroFormatsGolden.shared

    static func open() throws -> NWBFile {
        try NWBFile.open(try #require(SharedData.file("spikes/phy-nwb/A8604-211122.nwb")))
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func unitsMatchH5pyAndPynwb() throws {
        let g = try #require(Self.golden.nwb)
        let nwb = try Self.open()
        defer { try? nwb.close() }
        #expect(nwb.nwbVersion == "2.4.0")
        let trains = try nwb.units()
        #expect(trains.units.map(\.id) == g.unit_ids)
        #expect(trains.spikeCounts == [11_020, 4_690, 5_644])
        #expect(trains.spikeCounts == g.spike_counts)
        if let p = g.pynwb_spike_counts { #expect(trains.spikeCounts == p) }
        for u in 0..<trains.unitCount {
            #expect(Array(trains.times[u].prefix(3)) == g.first_times[u])
            #expect(trains.times[u].last == g.last_times[u])
            #expect(close(trains.times[u].reduce(0, +), g.sums[u], rel: 1e-12))
        }
        #expect(trains.units.allSatisfy { $0.region == nil }, "empty locations become nil")
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func epochsAndElectrodes() throws {
        let g = try #require(Self.golden.nwb)
        let nwb = try Self.open()
        defer { try? nwb.close() }
        #expect(try nwb.intervalTableNames() == ["epochs"])
        let epochs = try nwb.intervals("epochs")
        #expect(epochs.startTimes == g.epochs.start && epochs.stopTimes == g.epochs.stop)
        #expect(epochs.tags == [["wake"]])
        #expect(close(epochs.stopTimes[0], 1087.5, rel: 1e-4))
        let annotations = try epochs.annotations()
        #expect(annotations.items.first?.label == "wake")
        let electrodes = try nwb.electrodes()
        #expect(electrodes.count == g.electrode_count && electrodes.count == 383)
        #expect(Array(Set(electrodes.groupNames)).sorted() == g.electrode_group_names)
        #expect(electrodes.x!.reduce(0, +) == g.electrode_x_sum && electrodes.y!.reduce(0, +) == g.electrode_y_sum)
        #expect(throws: RecordingError.self) { try nwb.intervals("trials") }
    }

    /// Binning and the PSTH on the real spike trains equal numpy's histograms.
    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func binningAndPSTHMatchNumpy() throws {
        let g = try #require(Self.golden.nwb)
        let nwb = try Self.open()
        defer { try? nwb.close() }
        let trains = try nwb.units()
        let counts = try trains.binned(width: 1, range: 0..<1000)
        #expect(counts.binCount == g.binned_1s.bin_count)
        for u in 0..<counts.unitCount {
            #expect(counts.unit(u).reduce(0, +) == g.binned_1s.row_sums[u])
            #expect(Array(counts.unit(u).prefix(10)) == g.binned_1s.first_bins[u])
        }
        let p = g.psth
        let histogram = try trains.periEventHistogram(events: p.events, window: p.window[0]..<p.window[1], binWidth: p.bin_width)
        #expect(histogram.binCount == 15 && histogram.trialCount == 10)
        let rate = histogram.meanRate()
        for u in 0..<rate.unitCount {
            for (k, r) in p.mean_rate[u].enumerated() { #expect(close(rate[u, k], r, rel: 1e-12), "unit \(u) bin \(k)") }
        }
    }
}
