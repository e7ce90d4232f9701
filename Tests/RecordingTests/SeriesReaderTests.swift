import Foundation
import Testing
import TestSupport
@testable import Recording

/// Decoded `Goldens/neuro_series.json` (written by scripts/goldens/neuro_series.py).
struct NeuroSeriesGolden: Decodable {
    struct Electrical: Decodable {
        let shape: [Int]
        let rate: Double
        let starting_time: Double
        let rows: [Int]?
        let labels: [String]?
        let locations: [String]?
        let values: [Double]
    }
    struct Traces: Decodable {
        let shape: [Int]
        let rate: Double?
        let rois: [Int]?
        let timestamps: [Double]?
        let values: [Double]
    }
    struct Covariates: Decodable {
        let timestamps: [Double]
        let unit: String?
        let values: [Double]
    }
    struct NWB: Decodable {
        let electrical: Electrical
        let lfp: Electrical
        let fluorescence: Traces
        let dff: Traces
        let position: Covariates
        let speed: Covariates
        let series_paths: [String]
    }
    struct Position: Decodable {
        let header_bytes: Int
        let count: Int
        let first_times: [Double]
        let last_time: Double
        let time_sum: Double
        let first_rows: [String: [Double]]
        let sums: [String: Double]
        let last_rows: [String: Double]
    }
    struct Flavell: Decodable {
        let file: String
        let shape: [Int]
        let abs_sum: Double
        let square_sum: Double
        let neuron_abs_sums: [Double]
        let first_frame: [Double]
        let timestamps_first: [Double]
        let timestamps_last: Double
        let mean_rate: Double
    }
    let nwb: NWB
    let position: Position?
    let flavell: Flavell?

    static let shared: NeuroSeriesGolden = {
        do { return try Goldens.load(NeuroSeriesGolden.self, named: "neuro_series", in: Bundle.module) } catch {
            fatalError("cannot load Goldens/neuro_series.json: \(error)")
        }
    }()
}

private func allClose(_ a: [Double], _ b: [Double], rel: Double) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { close($0, $1, rel: rel, abs: rel * 1e-3) }
}

/// NWB `TimeSeries` family on a pynwb-written fixture.
@Suite struct NWBSeriesTests {
    static let g = NeuroSeriesGolden.shared.nwb

    static func open() throws -> NWBFile { try NWBFile.open(NeuroFormatsGolden.fixture("NWB-series.nwb")) }

    @Test func listsEverySeries() throws {
        let nwb = try Self.open()
        defer { try? nwb.close() }
        let list = try nwb.seriesList()
        #expect(list.map(\.path).sorted() == Self.g.series_paths)
        let raw = try #require(list.first { $0.path == "/acquisition/ElectricalSeries" })
        #expect(raw.neurodataType == "ElectricalSeries" && raw.shape == [40, 3] && raw.rate == 1000 && raw.unit == "volts")
        #expect(list.first { $0.name == "position" }?.neurodataType == "SpatialSeries")
    }

    @Test func electricalSeriesAppliesConversionChannelConversionAndOffset() throws {
        let nwb = try Self.open()
        defer { try? nwb.close() }
        let e = try nwb.electricalSeries("/acquisition/ElectricalSeries", kind: .seeg)
        let g = Self.g.electrical
        #expect(e.series.channelCount == g.shape[1] && e.series.sampleCount == g.shape[0])
        #expect(e.series.samplingRate == g.rate && e.startingTime == g.starting_time)
        #expect(e.electrodeRows == g.rows && e.electrodeIDs == [3, 0, 2])
        #expect(e.series.channelNames == g.labels && e.locations == g.locations)
        #expect(e.series.channels.allSatisfy { $0.kind == .seeg && $0.originalUnit == "V" })
        #expect(allClose(e.series.samples.map(Double.init), g.values, rel: 1e-6))
    }

    @Test func lfpWithEvenTimestamps() throws {
        let nwb = try Self.open()
        defer { try? nwb.close() }
        let e = try nwb.electricalSeries("/processing/ecephys/LFP/LFP", kind: .ecog)
        #expect(close(e.series.samplingRate, Self.g.lfp.rate, rel: 1e-9) && close(e.series.samplingRate, 250, rel: 1e-9))
        #expect(e.startingTime == Self.g.lfp.starting_time)
        #expect(e.series.channelNames == ["LH1", "LH2"])
        #expect(allClose(e.series.samples.map(Double.init), Self.g.lfp.values, rel: 1e-6))
        // Wrong type is a specific error, not a misread.
        #expect(throws: RecordingError.self) { try nwb.electricalSeries("/processing/behavior/speed") }
        #expect(throws: RecordingError.self) { try nwb.roiResponseSeries("/acquisition/ElectricalSeries") }
    }

    @Test func roiResponseSeriesBecomeCalciumTraces() throws {
        let nwb = try Self.open()
        defer { try? nwb.close() }
        let f = try nwb.roiResponseSeries("/processing/ophys/Fluorescence/RoiResponseSeries")
        #expect(f.traces.kind == .fluorescence && f.traces.frameRate == Self.g.fluorescence.rate && f.timestamps == nil)
        #expect(f.traces.neurons.map(\.id) == Self.g.fluorescence.rois)
        #expect(f.traces.signal.map(Double.init) == Self.g.fluorescence.values)
        let d = try nwb.roiResponseSeries("/processing/ophys/DfOverF/RoiResponseSeries")
        #expect(d.traces.kind == .deltaFOverF && d.timestamps == Self.g.dff.timestamps)
        #expect(d.traces.neuronCount == 4 && d.traces.frameCount == 25)
        #expect(allClose(d.traces.signal.map(Double.init), Self.g.dff.values, rel: 1e-6))
    }

    @Test func behaviouralSeriesBecomeCovariates() throws {
        let nwb = try Self.open()
        defer { try? nwb.close() }
        let p = try nwb.covariates("/processing/behavior/Position/position")
        #expect(p.names == ["x", "y"] && p.units == ["cm", "cm"] && p.timestamps == Self.g.position.timestamps)
        #expect(allClose(p.values, Self.g.position.values, rel: 1e-12))
        let s = try nwb.covariates("/processing/behavior/speed")
        #expect(s.names == ["speed"] && allClose(s.timestamps, Self.g.speed.timestamps, rel: 1e-12))
        #expect(s.values == Self.g.speed.values)
        #expect(throws: RecordingError.self) { try nwb.covariates("/processing/behavior/nothing") }
    }
}

/// The nelpy binary position file and bare HDF5 datasets, against numpy / h5py.
@Suite struct CovariateReaderTests {
    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func nelpyPositionMatchesNumpy() throws {
        let g = try #require(NeuroSeriesGolden.shared.position)
        let file = try PositionTrackingFile.read(try #require(SharedData.file("spikes/nelpy-linear-track/trajectory.videoPositionTracking")))
        #expect(file.clockRate == 30_000 && file.settings["camera resolution"] == "640x480")
        #expect(file.fields.map(\.name) == ["time", "xloc", "yloc", "xloc2", "yloc2"])
        let s = file.series
        #expect(s.count == g.count && s.count == 118_965)
        #expect(Array(s.timestamps.prefix(5)) == g.first_times && s.timestamps.last == g.last_time)
        #expect(close(s.timestamps.reduce(0, +), g.time_sum, rel: 1e-12))
        for name in s.names {
            let column = try s.column(named: name)
            #expect(Array(column.prefix(5)) == g.first_rows[name] && column.last == g.last_rows[name])
            #expect(column.reduce(0, +) == g.sums[name])
        }
    }

    static func positionBytes(fields: String = "<time uint32><x uint16><y int16>", records: [(UInt32, UInt16, Int16)]) -> Data {
        var d = Data("<Start settings>\nclockrate: 1000\nFields: \(fields)\n<End settings>\n".utf8)
        for (t, x, y) in records {
            withUnsafeBytes(of: t.littleEndian) { d.append(contentsOf: $0) }
            withUnsafeBytes(of: x.littleEndian) { d.append(contentsOf: $0) }
            withUnsafeBytes(of: y.littleEndian) { d.append(contentsOf: $0) }
        }
        return d
    }

    @Test func positionLayoutFollowsFieldsAndRejectsDamage() throws {
        let good = Self.positionBytes(records: [(1000, 5, -3), (1500, 6, 7)])
        let f = try PositionTrackingFile.read(good, name: "t")
        #expect(f.series.timestamps == [1.0, 1.5] && f.series.values == [5, 6, -3, 7] && f.series.names == ["x", "y"])
        #expect(throws: RecordingError.self) { try PositionTrackingFile.read(good.dropLast(3), name: "t") }
        #expect(throws: RecordingError.self) { try PositionTrackingFile.read(Data("<Start settings>\nclockrate: 1\n".utf8), name: "t") }
        #expect(throws: RecordingError.self) { try PositionTrackingFile.read(Data("hello".utf8), name: "t") }
        #expect(throws: RecordingError.self) {
            try PositionTrackingFile.read(Self.positionBytes(fields: "<time uint32><x uint16><y bogus>", records: []), name: "t")
        }
        #expect(throws: RecordingError.self) {
            try PositionTrackingFile.read(Self.positionBytes(records: [(2000, 1, 1), (1000, 1, 1)]), name: "t")
        }
        let noRate = Data(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "clockrate: 1000", with: "clockrate: 0").utf8)
        #expect(throws: RecordingError.self) { try PositionTrackingFile.read(noRate, name: "t") }
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func flavellTraceArrayMatchesH5py() throws {
        let g = try #require(NeuroSeriesGolden.shared.flavell)
        let url = try #require(SharedData.file(g.file))
        let m = try HDF5Matrix.read(url, path: "gcamp/trace_array")
        #expect([m.rows, m.columns] == g.shape)
        let r = try HDF5Matrix.calciumTraces(url, path: "gcamp/trace_array", timestampsPath: "timing/timestamp_confocal")
        let t = r.traces
        #expect(t.frameCount == g.shape[0] && t.neuronCount == g.shape[1] && t.kind == .normalized)
        #expect(Array(r.timestamps!.prefix(3)) == g.timestamps_first && r.timestamps!.last == g.timestamps_last)
        #expect(close(t.frameRate, g.mean_rate, rel: 1e-12))
        // Float storage: sums agree to float precision.
        #expect(close(t.signal.reduce(0.0) { $0 + abs(Double($1)) }, g.abs_sum, rel: 1e-6))
        #expect(close(m.elements.reduce(0) { $0 + $1 * $1 }, g.square_sum, rel: 1e-12))
        for n in 0..<g.neuron_abs_sums.count {
            #expect(close(t.trace(n).reduce(0.0) { $0 + abs(Double($1)) }, g.neuron_abs_sums[n], rel: 1e-6))
            #expect(close(Double(t[n, 0]), g.first_frame[n], rel: 1e-6))
        }
        // The transposed reading is a different matrix of the same values.
        let transposed = try HDF5Matrix.calciumTraces(url, path: "gcamp/trace_array", orientation: .neuronsByFrames, frameRate: 1)
        #expect(transposed.traces.neuronCount == g.shape[0] && transposed.timestamps == nil)
        #expect(throws: RecordingError.self) { try HDF5Matrix.read(url, path: "gcamp/missing") }
        #expect(throws: RecordingError.self) { try HDF5Matrix.calciumTraces(url, path: "gcamp/trace_array", timestampsPath: "timing/timestamp_nir") }
        #expect(throws: RecordingError.self) { try HDF5Matrix.calciumTraces(url, path: "gcamp/trace_array") }
    }
}
