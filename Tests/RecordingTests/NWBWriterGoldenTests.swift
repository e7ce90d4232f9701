import Foundation
import NeuroCore
import Testing
import TestSupport
@testable import Recording

/// What pynwb (and h5py, for the references) saw in the file `NWBWriterTests.writeFixture`
/// writes: the `swift_written_nwb` part of Goldens/neuro_formats.json, made by
/// scripts/goldens/neuro_formats.py part (c).
struct PynwbSwiftNWBGolden: Decodable {
    struct Units: Decodable {
        let ids: [Int]
        let spike_counts: [Int]
        let spike_sums: [Double]
        let spike_times: [[Double]]
        let locations: [String]
        let qualities: [String]
        /// The electrode each unit's region resolves to in pynwb (its row of the electrodes table), -1 for none.
        let electrode_ids: [Int]
    }
    struct Series: Decodable {
        let shape: [Int]
        let sum: Double
        let first_row: [Double]
        let rate: Double
        let starting_time: Double
        let roi_ids: [Int]
        let roi_table: String
    }
    struct PlaneSegmentation: Decodable {
        let colnames: [String]
        let ids: [Int]
        let label: [String]
        let iscell: [Int]
        let cell_probability: [Double?]
        let image_mask_shape: [Int]
    }
    struct Validation: Decodable {
        /// `pynwb-validate` run on the fixture (its only remark: no cached namespaces, so it falls
        /// back to pynwb's bundled schema).
        struct CommandLine: Decodable {
            let returncode: Int
            let output: [String]
        }
        let errors: [String]
        let warnings: [String]
        let cli: CommandLine?
    }
    let pynwb_version: String
    let hdmf_version: String
    let identifier: String
    let session_description: String
    let session_start_time: String
    let nwb_version: String
    let read_warnings: [String]
    let units: Units
    let series: [String: Series]
    let plane_segmentation: PlaneSegmentation
    let references: [String: String]
    let validation: Validation
}

private struct NeuroFormatsSwiftNWB: Decodable {
    let swift_written_nwb: PynwbSwiftNWBGolden?
}

@Suite struct NWBWriterGoldenTests {
    static let fixtureVariable = "NEUROSWIFT_NWB_FIXTURE"

    @Test func pynwbReadsTheWrittenFileWithoutErrors() throws {
        let folder = try TemporaryDirectory()
        let requested = ProcessInfo.processInfo.environment[Self.fixtureVariable]
        let url = requested.map { URL(fileURLWithPath: $0) } ?? folder.file("swift-written.nwb")
        try NWBWriterTests.writeFixture(to: url)
        if requested != nil { return }

        let golden = try #require(
            try Goldens.load(NeuroFormatsSwiftNWB.self, named: "neuro_formats", in: Bundle.module).swift_written_nwb)
        #expect(golden.read_warnings.isEmpty, "pynwb warned: \(golden.read_warnings)")
        #expect(golden.validation.errors.isEmpty, "pynwb validator: \(golden.validation.errors)")
        #expect(golden.validation.warnings.isEmpty, "\(golden.validation.warnings)")
        if let cli = golden.validation.cli {
            #expect(cli.returncode == 0)
            #expect(cli.output.contains("- no errors found."), "\(cli.output)")
        }
        #expect(golden.identifier == NWBWriterTests.session.identifier)
        #expect(golden.session_description == NWBWriterTests.session.sessionDescription)
        #expect(golden.session_start_time == "2024-03-05T12:34:56.789000+00:00")
        #expect(golden.nwb_version == NWBWriter.nwbVersion)

        let spikes = try NWBWriterTests.spikes()
        #expect(golden.units.ids == spikes.units.map(\.id))
        #expect(golden.units.spike_counts == [17, 0, 5, 240])
        #expect(golden.units.spike_counts == spikes.spikeCounts)
        #expect(golden.units.spike_times == spikes.times)
        for (sum, train) in zip(golden.units.spike_sums, spikes.times) {
            #expect(abs(sum - train.reduce(0, +)) <= 1e-12 * max(1, abs(sum)))
        }
        #expect(golden.units.locations == spikes.units.map { $0.region ?? "" })
        #expect(golden.units.qualities == spikes.units.map { $0.quality ?? "" })
        #expect(golden.units.electrode_ids == spikes.units.map { $0.electrode ?? -1 })

        let traces = try NWBWriterTests.calcium()
        #expect(Set(golden.series.keys) == ["RoiResponseSeries", "Neuropil", "Deconvolved"])
        for (name, values) in [("RoiResponseSeries", traces.signal), ("Neuropil", traces.neuropil!), ("Deconvolved", traces.deconvolved!)] {
            let series = try #require(golden.series[name])
            #expect(series.shape == [traces.frameCount, traces.neuronCount], "\(name)")
            #expect(series.rate == traces.frameRate)
            #expect(series.starting_time == 0)
            #expect(series.roi_ids == traces.neurons.map(\.id))
            #expect(series.roi_table == "PlaneSegmentation")
            let sum = values.reduce(0.0) { $0 + Double($1) }
            #expect(abs(series.sum - sum) <= 1e-9 * abs(sum), "\(name)")
            #expect(series.first_row == (0..<traces.neuronCount).map { Double(values[$0 * traces.frameCount]) }, "\(name)")
        }
        let plane = golden.plane_segmentation
        #expect(plane.colnames == ["image_mask", "label", "iscell", "cell_probability"])
        #expect(plane.ids == traces.neurons.map(\.id))
        #expect(plane.label == traces.neurons.map { $0.label ?? "" })
        #expect(plane.iscell == traces.neurons.map { $0.isCell.map { $0 ? 1 : 0 } ?? -1 })
        #expect(plane.cell_probability == traces.neurons.map(\.cellProbability))
        #expect(plane.image_mask_shape == [traces.neuronCount, 1, 1])
        // h5py dereferenced the object references to the same paths the Swift reader resolves.
        let file = try HDF5File.open(at: url)
        #expect(golden.references.count == 5)
        for (key, path) in golden.references {
            let parts = key.split(separator: "@").map(String.init)
            if parts.count == 2 {
                #expect(try file.root.dataset(parts[0]).referenceAttribute(parts[1]) == [path], "\(key)")
            } else {
                #expect(try file.root.dataset(key).readReferences().first == path, "\(key)")
            }
        }
    }
}
