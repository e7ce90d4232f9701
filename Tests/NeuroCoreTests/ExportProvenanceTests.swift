import Foundation
import Testing
import TestSupport
@testable import NeuroCore

@Suite struct ExportProvenanceTests {
    @Test func rootAttributesNameSoftwareCommandSeedAndInputs() throws {
        let folder = try TemporaryDirectory()
        let input = folder.file("input.bin")
        try Data("abc".utf8).write(to: input)
        let output = folder.file("export.h5")
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        try HDF5File.writeAtomically(to: output) { file in
            try ExportProvenance(command: "neuroswift fit x", seed: 42, inputs: [input], created: created).write(to: file)
        }
        let root = try HDF5File.open(at: output).root
        #expect(try root.attribute("software") == .strings(["NeuroSwift"]))
        #expect(try root.attribute("version") == .strings([NeuroSwiftVersion.current]))
        #expect(try root.attribute("command") == .strings(["neuroswift fit x"]))
        #expect(try root.attribute("seed") == .unsignedIntegers([42]))
        #expect(try root.attribute("created") == .strings(["2027-01-15T08:00:00Z"]))
        #expect(try root.attribute("input_files") == .strings([input.path]))
        #expect(try root.attribute("input_sha256") == .strings(["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"]))
    }
}
