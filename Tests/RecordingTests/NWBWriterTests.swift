import Foundation
import NeuroCore
import Testing
import TestSupport
@testable import Recording

/// The NWB writer read back by the project's own reader (exactly) and checked for its structure.
@Suite struct NWBWriterTests {
    static let session = NWBSession(
        identifier: "neuroswift-nwb-writer-fixture", sessionDescription: "NWBWriterTests fixture",
        sessionStartTime: Date(timeIntervalSince1970: 1_709_642_096.789),
        fileCreateDate: Date(timeIntervalSince1970: 1_709_642_100.5))

    /// Four units with uneven trains (one empty), partial metadata and one unit without electrode.
    static func spikes() throws -> SpikeTrains {
        var times: [[Double]] = []
        for (u, count) in [17, 0, 5, 240].enumerated() {
            times.append((0..<count).map { k in Double(k) * (0.037 + 0.011 * Double(u)) + 0.1 / Double(u + 3) })
        }
        let units = [
            SpikeUnit(id: 3, region: "CA1", quality: "good", electrode: 4),
            SpikeUnit(id: 7, region: nil, quality: "mua", electrode: nil),
            SpikeUnit(id: 12, region: "CA3", quality: nil, electrode: 0),
            SpikeUnit(id: 40, region: "DG", quality: "good", electrode: 4),
        ]
        return try SpikeTrains(units: units, times: times)
    }

    /// Five ROIs × 37 frames at 30.5 Hz with neuropil and deconvolved companions.
    static func calcium() throws -> CalciumTraces {
        let neurons = 5, frames = 37
        func values(_ scale: Float, _ phase: Float) -> [Float] {
            (0..<(neurons * frames)).map { i in
                let n = Float(i / frames), t = Float(i % frames)
                return scale * (100 + 10 * n + 7 * Float.sin(0.3 * t + phase * n))
            }
        }
        return try CalciumTraces(
            signal: values(1, 0.5),
            neurons: [
                CalciumNeuron(id: 11, label: "soma A", isCell: true, cellProbability: 0.93),
                CalciumNeuron(id: 22, isCell: false, cellProbability: 0.125),
                CalciumNeuron(id: 33, label: "dendrite", cellProbability: nil),
                CalciumNeuron(id: 44),
                CalciumNeuron(id: 55, isCell: true, cellProbability: 1),
            ],
            frameRate: 30.5,
            neuropil: values(0.4, 1.1), deconvolved: values(0.01, 2.0))
    }

    static func writeFixture(to url: URL) throws {
        try NWBWriter.write(to: url, session: session, spikes: spikes(), calcium: calcium())
    }

    @Test func spikeTrainsAndCalciumRoundTripExactly() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("written.nwb")
        try Self.writeFixture(to: url)
        let nwb = try NWBFile.open(url)
        defer { try? nwb.close() }
        #expect(nwb.nwbVersion == NWBWriter.nwbVersion)
        #expect(try nwb.units() == Self.spikes())
        let traces = try nwb.calciumTraces()
        let expected = try Self.calcium()
        #expect(traces == expected)
        #expect(traces.signal == expected.signal)
        #expect(traces.neuropil == expected.neuropil)
        #expect(traces.deconvolved == expected.deconvolved)
        #expect(traces.neurons == expected.neurons)
        #expect(traces.neurons[2].label == "dendrite" && traces.neurons[3].isCell == nil && traces.neurons[1].isCell == false)
    }

    @Test func fileLevelFieldsAndTypedObjects() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("fields.nwb")
        try Self.writeFixture(to: url)
        let file = try HDF5File.open(at: url)
        let root = file.root
        #expect(try root.attribute("neurodata_type").string == "NWBFile")
        #expect(try root.attribute("namespace").string == "core")
        #expect(try root.dataset("identifier").readStrings() == ["neuroswift-nwb-writer-fixture"])
        #expect(try root.dataset("session_start_time").readStrings() == ["2024-03-05T12:34:56.789Z"])
        #expect(try root.dataset("timestamps_reference_time").readStrings() == ["2024-03-05T12:34:56.789Z"])
        #expect(try root.dataset("file_create_date").readStrings() == ["2024-03-05T12:35:00.500Z"])
        for group in ["acquisition", "analysis", "general", "processing", "stimulus/presentation", "stimulus/templates"] {
            #expect(root.contains(group), "\(group)")
        }
        // Every typed object has a distinct lowercase UUID object_id (the three soft links list
        // their targets a second time, so those paths are skipped).
        let links: Set = [
            "/general/optophysiology/ImagingPlane/device", "/general/extracellular_ephys/electrode_group/device",
            "/processing/ophys/ImageSegmentation/PlaneSegmentation/imaging_plane",
        ]
        var ids = Set<String>()
        for object in try root.tree() where !links.contains(object.path) {
            let names = object.attributes.map(\.name)
            guard names.contains("neurodata_type") else { continue }
            #expect(names.contains("namespace") && names.contains("object_id"), "\(object.path)")
            let id = try #require(object.attributes.first { $0.name == "object_id" }?.value.string)
            #expect(UUID(uuidString: id) != nil && id == id.lowercased(), "\(object.path)")
            #expect(ids.insert(id).inserted, "duplicate object_id at \(object.path)")
        }
        #expect(ids.count >= 20)
        let units = try root.group("units")
        #expect(try units.attribute("colnames") == .strings(["spike_times", "location", "quality", "electrodes"]))
        #expect(try units.dataset("spike_times_index").readDoubles() == [17, 17, 22, 262])
        #expect(try units.dataset("spike_times_index").referenceAttribute("target") == ["/units/spike_times"])
        #expect(try units.dataset("electrodes").referenceAttribute("table") == ["/general/extracellular_ephys/electrodes"])
        #expect(try units.dataset("electrodes_index").readDoubles() == [1, 1, 2, 3])
        #expect(try root.dataset("general/extracellular_ephys/electrodes/group").readReferences().count == 5)
        let series = try root.group("processing/ophys/Fluorescence/RoiResponseSeries")
        #expect(try series.dataset("data").shape == [37, 5])
        #expect(try series.dataset("rois").referenceAttribute("table") == ["/processing/ophys/ImageSegmentation/PlaneSegmentation"])
        #expect(try series.dataset("starting_time").attribute("rate") == .reals([30.5]))
        // Soft links resolve to the typed objects they name.
        #expect(try root.group("processing/ophys/ImageSegmentation/PlaneSegmentation/imaging_plane").attribute("neurodata_type").string == "ImagingPlane")
        #expect(try root.group("general/optophysiology/ImagingPlane/device").attribute("neurodata_type").string == "Device")
    }

    @Test func deltaFOverFGoesToDfOverF() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("dff.nwb")
        let base = try Self.calcium()
        let dff = try CalciumTraces(
            signal: base.signal.map { $0 / 100 - 1 }, neurons: base.neurons.map { CalciumNeuron(id: $0.id) }, frameRate: 15,
            kind: .deltaFOverF)
        try NWBWriter.write(to: url, session: Self.session, calcium: dff)
        let nwb = try NWBFile.open(url)
        defer { try? nwb.close() }
        #expect(try nwb.calciumTraces() == dff)
        #expect(!nwb.file.root.contains("units"))
        #expect(try nwb.file.root.group("processing/ophys/ImageSegmentation/PlaneSegmentation").attribute("colnames") == .strings(["image_mask"]))
        #expect(try nwb.file.root.dataset("processing/ophys/DfOverF/RoiResponseSeries/data").attribute("unit").string == "dimensionless")
    }

    @Test func badMasksAndElectrodesFailWithoutTouchingAnExistingFile() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("existing.nwb")
        try Data("keep me".utf8).write(to: url)
        let masks = NWBImagingPlane(imageMasks: (height: 2, width: 2, values: [Float](repeating: 1, count: 7)))
        #expect(throws: RecordingError.self) {
            try NWBWriter.write(to: url, session: Self.session, calcium: try Self.calcium(), imagingPlane: masks)
        }
        let negative = try SpikeTrains(units: [SpikeUnit(id: 1, electrode: -2)], times: [[0.5]])
        #expect(throws: RecordingError.self) { try NWBWriter.write(to: url, session: Self.session, spikes: negative) }
        #expect(try Data(contentsOf: url) == Data("keep me".utf8))
    }

    @Test func givenMasksAreStored() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("masks.nwb")
        let values = (0..<(5 * 2 * 3)).map { Float($0) / 7 }
        try NWBWriter.write(
            to: url, session: Self.session, calcium: try Self.calcium(),
            imagingPlane: NWBImagingPlane(indicator: "GCaMP6s", imageMasks: (height: 2, width: 3, values: values)))
        let file = try HDF5File.open(at: url)
        let mask = try file.root.dataset("processing/ophys/ImageSegmentation/PlaneSegmentation/image_mask")
        #expect(mask.shape == [5, 2, 3])
        #expect(try mask.read(as: Float.self) == values)
        #expect(try file.root.dataset("general/optophysiology/ImagingPlane/indicator").readStrings() == ["GCaMP6s"])
    }
}
