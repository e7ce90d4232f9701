import Foundation
import Testing
import TestSupport
@testable import Recording

/// Damaged NWB series: each corruption of an otherwise valid ElectricalSeries / behavioural series
/// throws a specific `RecordingError` naming the field, never a misread.
@Suite struct NWBSeriesBadInputTests {
    /// What to change in the series group at /acquisition/es (an ElectricalSeries, 10 samples × 2
    /// channels at 100 Hz, electrodes rows [0, 1] of a 2-row electrodes table).
    struct Corruption: Sendable, CustomStringConvertible {
        let description: String
        let message: String
        var type = "ElectricalSeries"
        var data: [Double] = (0..<20).map(Double.init)
        var shape = [10, 2]
        var rate: Double? = 100
        var timestamps: [Double]? = nil
        var conversion = 1.0
        var electrodes: [Double]? = [0, 1]
        var channelConversion: [Double]? = nil
        var stringData = false
    }

    static let corruptions: [Corruption] = [
        Corruption(description: "wrong neurodata_type", message: "neurodata_type: expected ElectricalSeries, found TimeSeries", type: "TimeSeries"),
        Corruption(description: "rank-3 data", message: "expected numeric data of rank 1 or 2", shape: [5, 2, 2]),
        Corruption(description: "no samples", message: "expected at least one sample", data: [], shape: [0, 2]),
        Corruption(description: "string data", message: "expected numeric data", stringData: true),
        Corruption(description: "zero conversion", message: "conversion ≠ 0", conversion: 0),
        Corruption(description: "NaN conversion", message: "conversion ≠ 0", conversion: .nan),
        Corruption(description: "zero rate", message: "starting_time: expected a finite time with a rate attribute > 0", rate: 0),
        Corruption(description: "no timing", message: "expected starting_time (with rate) or timestamps, found neither", rate: nil),
        Corruption(description: "timestamps too short", message: "timestamps: expected 10 times (one per sample), found 9",
                   rate: nil, timestamps: (0..<9).map { Double($0) / 100 }),
        Corruption(description: "timestamps going back", message: "timestamps[5]: expected finite, non-decreasing times",
                   rate: nil, timestamps: [0, 0.01, 0.02, 0.03, 0.04, 0.01, 0.06, 0.07, 0.08, 0.09]),
        Corruption(description: "NaN timestamp", message: "timestamps[3]: expected finite, non-decreasing times",
                   rate: nil, timestamps: [0, 0.01, 0.02, .nan, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09]),
        Corruption(description: "uneven timestamps", message: "unevenly sampled electrical series",
                   rate: nil, timestamps: [0, 0.01, 0.02, 0.03, 0.04, 0.08, 0.09, 0.10, 0.11, 0.12]),
        Corruption(description: "electrodes region too short", message: "electrodes: expected 2 electrode rows (one per channel), found 1", electrodes: [0]),
        Corruption(description: "electrode row out of range", message: "electrodes[1]: expected a row of the 2-row electrodes table, found 5", electrodes: [0, 5]),
        Corruption(description: "negative electrode row", message: "electrodes: expected row indices ≥ 0, found -1", electrodes: [0, -1]),
        Corruption(description: "channel_conversion length", message: "channel_conversion: expected 2 factors (one per channel), found 3", channelConversion: [1, 2, 3]),
    ]

    static func write(_ c: Corruption, to url: URL) throws {
        let f = try HDF5File.create(at: url)
        defer { try? f.close() }
        try f.root.setAttribute("neurodata_type", "NWBFile")
        try f.root.setAttribute("nwb_version", "2.7.0")
        let table = try f.root.createGroup("general").createGroup("extracellular_ephys").createGroup("electrodes")
        _ = try table.createDataset("id", shape: [2], values: [Int64(10), 11])
        _ = try table.createStringDataset("location", values: ["CA1", "CA3"])
        let es = try f.root.createGroup("acquisition").createGroup("es")
        try es.setAttribute("neurodata_type", c.type)
        let data = c.stringData
            ? try es.createStringDataset("data", values: ["a", "b"])
            : try es.createDataset("data", shape: c.shape, values: c.data)
        try data.setAttribute("conversion", c.conversion)
        try data.setAttribute("unit", "volts")
        if let rate = c.rate {
            let st = try es.createDataset("starting_time", shape: [], values: [0.5])
            try st.setAttribute("rate", rate)
        }
        if let t = c.timestamps { _ = try es.createDataset("timestamps", shape: [t.count], values: t) }
        if let e = c.electrodes { _ = try es.createDataset("electrodes", shape: [e.count], values: e.map { Int64($0) }) }
        if let cc = c.channelConversion { _ = try es.createDataset("channel_conversion", shape: [cc.count], values: cc) }
    }

    @Test func theValidBaseReads() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("ok.nwb")
        try Self.write(Corruption(description: "none", message: ""), to: url)
        let nwb = try NWBFile.open(url)
        defer { try? nwb.close() }
        let e = try nwb.electricalSeries("/acquisition/es")
        #expect(e.series.channelNames == ["E10", "E11"] && e.locations == ["CA1", "CA3"] && e.startingTime == 0.5)
        #expect(Array(e.series.channel(at: 1)) == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19])
        let cov = try nwb.covariates("/acquisition/es")
        #expect(cov.names == ["es[0]", "es[1]"] && cov.timestamps[1] == 0.51)
    }

    @Test(arguments: corruptions)
    func corruptionThrowsSpecificError(_ c: Corruption) throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("bad.nwb")
        try Self.write(c, to: url)
        let nwb = try NWBFile.open(url)
        defer { try? nwb.close() }
        do {
            _ = try nwb.electricalSeries("/acquisition/es")
            Issue.record("\(c) was read")
        } catch let error as RecordingError {
            #expect(error.description.contains(c.message), "\(c): \(error)")
        }
    }
}
