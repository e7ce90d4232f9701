import Foundation
import Testing
import TestSupport
@testable import NeuroCore

/// What h5py resolved in the reference fixture (Goldens/hdf5_references.json, written by
/// scripts/goldens/hdf5_references.py from the file `HDF5ReferencesTests.writeFixture` makes).
struct H5pyReferencesGolden: Decodable {
    let h5pyVersion: String
    let hdf5Version: String
    /// object path → attribute name → the paths h5py's dereferenced `h5py.Reference`s point to.
    let referenceAttributes: [String: [String: [String]]]
    /// dataset path → the paths of its `h5py.Reference` elements.
    let referenceDatasets: [String: [String]]
    /// h5py's `check_ref_dtype` of every reference dataset ("object" for object references).
    let referenceKinds: [String: String]
}

@Suite struct HDF5ReferencesGoldenTests {
    static let fixtureVariable = "NEUROSWIFT_H5REF_FIXTURE"

    @Test func h5pyResolvesTheReferencesToTheSamePaths() throws {
        let folder = try TemporaryDirectory()
        let requested = ProcessInfo.processInfo.environment[Self.fixtureVariable]
        let url = requested.map { URL(fileURLWithPath: $0) } ?? folder.file("references.h5")
        try HDF5ReferencesTests.writeFixture(to: url)
        if requested != nil { return }

        let golden = try Goldens.load(H5pyReferencesGolden.self, named: "hdf5_references", in: Bundle.module)
        let file = try HDF5File.open(at: url)
        #expect(golden.referenceAttributes.count == 3)
        for (object, attributes) in golden.referenceAttributes {
            for (name, paths) in attributes {
                let holder: any HDF5AttributeHolder =
                    try file.root.contains(object) && (try? file.root.group(object)) != nil
                    ? file.root.group(object) : file.root.dataset(object)
                #expect(try holder.referenceAttribute(name) == paths, "\(object) @\(name)")
            }
        }
        #expect(golden.referenceDatasets.count == 3)
        for (path, paths) in golden.referenceDatasets {
            #expect(try file.root.dataset(path).readReferences() == paths, "\(path)")
            #expect(golden.referenceKinds[path] == "object")
        }
        #expect(golden.referenceDatasets["/general/group_column"]?.count == 5)
    }
}
