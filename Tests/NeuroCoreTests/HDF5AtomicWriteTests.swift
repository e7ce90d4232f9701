import Foundation
import Testing
import TestSupport
@testable import NeuroCore

@Suite struct HDF5AtomicWriteTests {
    struct Planned: Error {}

    @Test func writeAtomicallyCreatesACompleteFile() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("export.h5")
        let count = try HDF5File.writeAtomically(to: url) { file in
            try file.root.setAttribute("software", NeuroSwiftVersion.software)
            try file.root.createDataset("clusters/neuron_labels", shape: [5], values: [0, 1, 1, 2, 0])
            return 5
        }
        #expect(count == 5)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["export.h5"])
        let file = try HDF5File.open(at: url)
        #expect(try file.root.attribute("software").string == "NeuroSwift")
        #expect(try file.root.dataset("clusters/neuron_labels").read(as: Int.self) == [0, 1, 1, 2, 0])
    }

    @Test func anErrorLeavesNoFileAndNoTemporary() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("export.h5")
        #expect(throws: Planned.self) {
            try HDF5File.writeAtomically(to: url) { file in
                try file.root.createDataset("half", shape: [3], values: [1.0, 2.0, 3.0])
                throw Planned()
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == [])
        // An HDF5 error inside the body behaves the same.
        #expect(throws: HDF5Error.self) {
            try HDF5File.writeAtomically(to: url) { file in
                try file.root.createDataset("bad", shape: [2], values: [1.0])
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == [])
    }

    @Test func anExistingDestinationIsUntouchedOnError() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("export.h5")
        try HDF5File.writeAtomically(to: url) { file in
            try file.root.createDataset("version", shape: [], values: [1])
        }
        let before = try Data(contentsOf: url)
        #expect(throws: Planned.self) {
            try HDF5File.writeAtomically(to: url) { file in
                try file.root.createDataset("version", shape: [], values: [2])
                throw Planned()
            }
        }
        #expect(try Data(contentsOf: url) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["export.h5"])
        #expect(try HDF5File.open(at: url).root.dataset("version").read(as: Int.self) == [1])
        // A successful rewrite replaces it.
        try HDF5File.writeAtomically(to: url) { file in
            try file.root.createDataset("version", shape: [], values: [3])
        }
        #expect(try HDF5File.open(at: url).root.dataset("version").read(as: Int.self) == [3])
    }

    @Test func aFileKeptPastTheBodyIsClosed() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("export.h5")
        let kept = try HDF5File.writeAtomically(to: url) { file in
            try file.root.createDataset("x", shape: [1], values: [1.0])
            return file
        }
        #expect(!kept.isOpen)
        #expect(throws: HDF5Error.self) { try kept.root.createDataset("y", shape: [1], values: [1.0]) }
        #expect(try HDF5File.open(at: url).root.children() == ["x"])
    }
}
