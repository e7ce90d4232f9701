import CHDF5
import Foundation
import Testing
import TestSupport
@testable import NeuroCore

/// Object references written and read back by the wrapper, and their error paths.
@Suite struct HDF5ReferencesTests {
    /// A small file with references of both kinds, shared with the h5py golden.
    static func writeFixture(to url: URL) throws {
        try HDF5File.writeAtomically(to: url) { file in
            let root = file.root
            let table = try root.createGroup("units")
            try table.createDataset("spike_times", shape: [5], values: [0.1, 0.2, 0.3, 0.5, 0.8])
            try table.createDataset("spike_times_index", shape: [2], values: [Int64(3), 5])
            try table.dataset("spike_times_index").setReferenceAttribute("target", to: "/units/spike_times")
            try root.createGroup("devices/probe")
            try root.createGroup("general/groups/shank0")
            try root.createGroup("general/groups/shank1")
            try table.setReferenceAttribute("table", to: "units")
            try root.setReferenceAttribute("self", to: "/")
            try root.createReferenceDataset(
                "general/group_column",
                targets: ["/general/groups/shank0", "/general/groups/shank1", "/general/groups/shank0", "/devices/probe",
                          "/units/spike_times"])
            try root.group("general").createReferenceDataset("relative", targets: ["groups/shank1"])
            try root.createReferenceDataset("empty_references", targets: [])
        }
    }

    @Test func referencesRoundTripAsPaths() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("references.h5")
        try Self.writeFixture(to: url)
        let file = try HDF5File.open(at: url)
        #expect(try file.root.dataset("units/spike_times_index").referenceAttribute("target") == ["/units/spike_times"])
        #expect(try file.root.group("units").referenceAttribute("table") == ["/units"])
        #expect(try file.root.referenceAttribute("self") == ["/"])
        let column = try file.root.dataset("general/group_column")
        #expect(column.elementType == .reference)
        #expect(column.shape == [5])
        #expect(try column.readReferences() == [
            "/general/groups/shank0", "/general/groups/shank1", "/general/groups/shank0", "/devices/probe", "/units/spike_times",
        ])
        #expect(try file.root.dataset("general/relative").readReferences() == ["/general/groups/shank1"])
        #expect(try file.root.dataset("empty_references").readReferences() == [])
        // The generic attribute listing still works and reports references as undecoded.
        let listed = try file.root.dataset("units/spike_times_index").attribute("target")
        #expect(listed == .unsupported("reference"))
    }

    @Test func replacingAReferenceAttributeRetargetsIt() throws {
        let folder = try TemporaryDirectory()
        let file = try HDF5File.create(at: folder.file("retarget.h5"))
        try file.root.createGroup("a")
        try file.root.createGroup("b")
        try file.root.setReferenceAttribute("link", to: "/a")
        try file.root.setReferenceAttribute("link", to: "/b")
        #expect(try file.root.referenceAttribute("link") == ["/b"])
    }

    @Test func referencesToMissingObjectsAreRejected() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("missing.h5")
        let file = try HDF5File.create(at: url)
        try file.root.createGroup("a")
        let missing = #expect(throws: HDF5Error.self) { try file.root.setReferenceAttribute("link", to: "/nowhere") }
        guard case .objectNotFound(url.path, "/nowhere") = missing else { Issue.record("\(String(describing: missing))"); return }
        let missingTarget = #expect(throws: HDF5Error.self) {
            try file.root.createReferenceDataset("refs", targets: ["/a", "/a/nope"])
        }
        guard case .objectNotFound(url.path, "/a/nope") = missingTarget else { Issue.record("\(String(describing: missingTarget))"); return }
        #expect(!file.root.contains("refs"))
        #expect(!file.root.hasAttribute("link"))
    }

    @Test func readingNonReferencesAsReferencesFails() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("types.h5")
        let file = try HDF5File.create(at: url)
        try file.root.createDataset("numbers", shape: [2], values: [Int64(1), 2])
        try file.root.setAttribute("number", Int64(4))
        let dataset = #expect(throws: HDF5Error.self) { try file.root.dataset("numbers").readReferences() }
        guard case .typeMismatch(_, "/numbers", .int64, "object reference") = dataset else {
            Issue.record("\(String(describing: dataset))"); return
        }
        let attribute = #expect(throws: HDF5Error.self) { try file.root.referenceAttribute("number") }
        guard case .typeMismatch(_, "/ attribute 'number'", .int64, "object reference") = attribute else {
            Issue.record("\(String(describing: attribute))"); return
        }
        let absent = #expect(throws: HDF5Error.self) { try file.root.referenceAttribute("absent") }
        guard case .attributeNotFound(_, "/", "absent") = absent else { Issue.record("\(String(describing: absent))"); return }
    }

    @Test func aDanglingReferenceThrowsInsteadOfInventingAPath() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("dangling.h5")
        let file = try HDF5File.create(at: url)
        try file.root.createGroup("gone")
        try file.root.setReferenceAttribute("link", to: "/gone")
        try file.withFileID("delete", object: "/gone") { id, site in
            try site.check(H5Ldelete(id, "/gone", h5Default), "delete")
        }
        let dangling = #expect(throws: HDF5Error.self) { try file.root.referenceAttribute("link") }
        guard case .invalidArgument(_, _, "resolve reference", _) = dangling else { Issue.record("\(String(describing: dangling))"); return }
    }

    @Test func softLinksResolveAndRejectMissingTargets() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("links.h5")
        let file = try HDF5File.create(at: url)
        let device = try file.root.createGroup("general/devices/scope")
        try device.setAttribute("neurodata_type", "Device")
        let plane = try file.root.createGroup("plane")
        try plane.createSoftLink("device", to: "/general/devices/scope")
        #expect(try file.root.group("plane/device").attribute("neurodata_type").string == "Device")
        #expect(try plane.children() == ["device"])
        // A reference made through the link points at the object, whose name is its real path.
        try file.root.setReferenceAttribute("via_link", to: "/plane/device")
        #expect(try file.root.referenceAttribute("via_link") == ["/general/devices/scope"])
        let missing = #expect(throws: HDF5Error.self) { try plane.createSoftLink("other", to: "/nowhere") }
        guard case .objectNotFound(_, "/nowhere") = missing else { Issue.record("\(String(describing: missing))"); return }
        let twice = #expect(throws: HDF5Error.self) { try plane.createSoftLink("device", to: "/plane") }
        guard case .alreadyExists(_, "/plane/device") = twice else { Issue.record("\(String(describing: twice))"); return }
        #expect(!plane.contains("other"))
    }
}
