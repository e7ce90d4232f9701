import Foundation
import Testing
import TestSupport
@testable import Recording

/// The Phy/Kilosort fixture folder written by scripts/goldens/neuro_formats.py.
@Suite struct PhyReaderTests {
    @Test func folderMatchesNumpyGrouping() throws {
        let g = NeuroFormatsGolden.shared.phy_small
        let trains = try PhyFolder.read(NeuroFormatsGolden.fixture("Phy-small"))
        #expect(trains.units.map(\.id) == [0, 3, 7, 12])
        for unit in trains.units {
            #expect(unit.quality == g.groups[String(unit.id)])
        }
        for (u, unit) in trains.units.enumerated() {
            let expected = g.units[String(unit.id)]!
            #expect(trains.times[u].count == expected.count)
            for (a, b) in zip(trains.times[u], expected) { #expect(a == b) }
        }
        #expect(trains.spikeCount == 60)
    }

    @Test func paramsParsingIsStrict() throws {
        #expect(try PhyFolder.sampleRate(fromParams: "dtype = 'int16'\nsample_rate = 30000.  # Hz\n", file: "p") == 30_000)
        #expect(try PhyFolder.sampleRate(fromParams: "sample_rate=2.5e+04", file: "p") == 25_000)
        for bad in ["sample_rate = 3e4 * 2", "sample_rate = __import__('os')", "sample_rate = -5", "sample_rate = 0",
                    "x = 1", "sample_rate = 1\nsample_rate = 2", "sample_rate = inf", "sample_rate = 1_000"] {
            #expect(throws: RecordingError.self, "\(bad)") { try PhyFolder.sampleRate(fromParams: bad, file: "p") }
        }
    }
}
