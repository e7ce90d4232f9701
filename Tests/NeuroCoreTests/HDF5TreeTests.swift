import CHDF5
import Foundation
import Testing
import TestSupport
@testable import NeuroCore

@Suite struct HDF5TreeTests {
    @Test func treeListsEveryObjectDepthFirstInNameOrder() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("tree.h5")
        let file = try HDF5File.create(at: url)
        let root = file.root
        try root.setAttribute("session_description", "tree test µ")
        let acquisition = try root.createGroup("acquisition")
        let data = try acquisition.createDataset("data", shape: [4, 2], values: [Float](repeating: 0.5, count: 8), chunks: [2, 2], deflate: 1)
        try data.setAttribute("unit", "volts")
        try data.setAttribute("conversion", 1e-6)
        try acquisition.createDataset("timestamps", shape: [4], values: [0.0, 0.1, 0.2, 0.3])
        try root.createGroup("general")
        try root.createStringDataset("labels", values: ["a", "b", "c"])
        try root.createDataset("scalar", shape: [], values: [Int32(7)])
        try root.createGroup("B_upper")  // byte order: uppercase sorts first
        try HDF5Raw.writeLinks(file, softTarget: "/acquisition/data")
        try HDF5Raw.withID(file) { id in
            // A hard link back to an ancestor makes a cycle the listing must not follow forever.
            let cycle = H5Gcreate2(id, "/cycle", h5Default, h5Default, h5Default)
            H5Gclose(cycle)
            precondition(H5Lcreate_hard(id, "/cycle", id, "/cycle/back", h5Default, h5Default) >= 0)
            // A committed (named) datatype.
            let type = H5Tcopy(chdf5_native_double())
            precondition(H5Tcommit2(id, "/sample_type", type, h5Default, h5Default, h5Default) >= 0)
            H5Tclose(type)
        }
        try file.close()

        let tree = try HDF5File.open(at: url).tree()
        let expected: [HDF5ObjectInfo] = [
            HDF5ObjectInfo(path: "/", kind: .group, attributes: [HDF5Attribute(name: "session_description", value: .strings(["tree test µ"]))]),
            HDF5ObjectInfo(path: "/B_upper", kind: .group),
            HDF5ObjectInfo(path: "/acquisition", kind: .group),
            HDF5ObjectInfo(
                path: "/acquisition/data", kind: .dataset, shape: [4, 2], elementType: .float32, chunks: [2, 2],
                compression: "deflate(1)",
                attributes: [HDF5Attribute(name: "conversion", value: .reals([1e-6])), HDF5Attribute(name: "unit", value: .strings(["volts"]))]),
            HDF5ObjectInfo(path: "/acquisition/timestamps", kind: .dataset, shape: [4], elementType: .float64),
            HDF5ObjectInfo(path: "/cycle", kind: .group),
            HDF5ObjectInfo(path: "/cycle/back", kind: .group),
            HDF5ObjectInfo(path: "/general", kind: .group),
            HDF5ObjectInfo(path: "/labels", kind: .dataset, shape: [3], elementType: .string(variableLength: true)),
            HDF5ObjectInfo(path: "/links", kind: .group),
            HDF5ObjectInfo(path: "/links/dangling", kind: .other),
            HDF5ObjectInfo(path: "/links/external", kind: .other),
            HDF5ObjectInfo(
                path: "/links/soft", kind: .dataset, shape: [4, 2], elementType: .float32, chunks: [2, 2],
                compression: "deflate(1)",
                attributes: [HDF5Attribute(name: "conversion", value: .reals([1e-6])), HDF5Attribute(name: "unit", value: .strings(["volts"]))]),
            HDF5ObjectInfo(path: "/sample_type", kind: .namedType, elementType: .float64),
            HDF5ObjectInfo(path: "/scalar", kind: .dataset, shape: [], elementType: .int32),
        ]
        #expect(tree.map(\.path) == expected.map(\.path))
        for (got, want) in zip(tree, expected) {
            #expect(got == want)
        }
        #expect(tree[3].description == "/acquisition/data  dataset  float32  [4, 2]  chunks [2, 2]  deflate(1)")
        let subtree = try HDF5File.open(at: url).root.group("acquisition").tree()
        #expect(subtree.map(\.path) == ["/acquisition", "/acquisition/data", "/acquisition/timestamps"])
    }

    @Test func treeOfAFreshFileIsJustTheRoot() throws {
        let folder = try TemporaryDirectory()
        let file = try HDF5File.create(at: folder.file("fresh.h5"))
        #expect(try file.tree() == [HDF5ObjectInfo(path: "/", kind: .group)])
    }
}
