import CHDF5
import Foundation
import Testing
import TestSupport
@testable import NeuroCore

@Suite struct HDF5AttributeTests {
    @Test func numericAttributesOfEveryTypeRoundTrip() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("attributes.h5")
        let file = try HDF5File.create(at: url)
        let group = try file.root.createGroup("g")
        let dataset = try group.createDataset("d", shape: [2], values: [1.0, 2.0])
        for holder in [group as any HDF5AttributeHolder, dataset] {
            try holder.setAttribute("i8", Int8.min)
            try holder.setAttribute("i16", Int16(-300))
            try holder.setAttribute("i32", Int32.max)
            try holder.setAttribute("i64", Int64.min)
            try holder.setAttribute("int", -5)
            try holder.setAttribute("u8", UInt8.max)
            try holder.setAttribute("u16", UInt16(65_000))
            try holder.setAttribute("u32", UInt32.max)
            try holder.setAttribute("u64", UInt64.max)
            try holder.setAttribute("uint", UInt(7))
            try holder.setAttribute("f32", Float(0.1))
            try holder.setAttribute("f64", 1e-6)
            try holder.setAttribute("a_i8", [Int8.min, 0, Int8.max])
            try holder.setAttribute("a_i16", [Int16.min, -1, Int16.max])
            try holder.setAttribute("a_i32", [Int32.min, 2, Int32.max])
            try holder.setAttribute("a_i64", [Int64.min, 3, Int64.max])
            try holder.setAttribute("a_u8", [UInt8(0), 1, 255])
            try holder.setAttribute("a_u16", [UInt16(0), 65_535])
            try holder.setAttribute("a_u32", [UInt32(4), UInt32.max])
            try holder.setAttribute("a_u64", [UInt64(5), UInt64.max])
            try holder.setAttribute("a_f32", [Float(-1.5), 0.1, 3e38])
            try holder.setAttribute("a_f64", [-2.5, 0.1, 1e300])
            try holder.setAttribute("a_empty", [Double]())
        }
        try file.close()

        let reopened = try HDF5File.open(at: url)
        for holder in [try reopened.root.group("g") as any HDF5AttributeHolder, try reopened.root.dataset("g/d")] {
            #expect(try holder.attribute("i8") == .integers([-128]))
            #expect(try holder.attribute("i16") == .integers([-300]))
            #expect(try holder.attribute("i32") == .integers([2_147_483_647]))
            #expect(try holder.attribute("i64") == .integers([Int64.min]))
            #expect(try holder.attribute("int") == .integers([-5]))
            #expect(try holder.attribute("u8") == .unsignedIntegers([255]))
            #expect(try holder.attribute("u16") == .unsignedIntegers([65_000]))
            #expect(try holder.attribute("u32") == .unsignedIntegers([4_294_967_295]))
            #expect(try holder.attribute("u64") == .unsignedIntegers([UInt64.max]))
            #expect(try holder.attribute("uint") == .unsignedIntegers([7]))
            #expect(try holder.attribute("f32") == .reals([Double(Float(0.1))]))
            #expect(try holder.attribute("f64") == .reals([1e-6]))
            #expect(try holder.attribute("a_i8") == .integers([-128, 0, 127]))
            #expect(try holder.attribute("a_i16") == .integers([-32_768, -1, 32_767]))
            #expect(try holder.attribute("a_i32") == .integers([Int64(Int32.min), 2, Int64(Int32.max)]))
            #expect(try holder.attribute("a_i64") == .integers([Int64.min, 3, Int64.max]))
            #expect(try holder.attribute("a_u8") == .unsignedIntegers([0, 1, 255]))
            #expect(try holder.attribute("a_u16") == .unsignedIntegers([0, 65_535]))
            #expect(try holder.attribute("a_u32") == .unsignedIntegers([4, 4_294_967_295]))
            #expect(try holder.attribute("a_u64") == .unsignedIntegers([5, UInt64.max]))
            #expect(try holder.attribute("a_f32") == .reals([-1.5, Double(Float(0.1)), Double(Float(3e38))]))
            #expect(try holder.attribute("a_f64") == .reals([-2.5, 0.1, 1e300]))
            #expect(try holder.attribute("a_empty") == .reals([]))
            let names = try holder.attributes().map(\.name)
            #expect(names.count == 23)
            #expect(names == names.sorted())
        }
    }

    @Test func utf8StringAttributesRoundTrip() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("strings.h5")
        let file = try HDF5File.create(at: url)
        let data = try file.root.createDataset("data", shape: [3], values: [Float](repeating: 1, count: 3))
        try data.setAttribute("unit", "ElectricalSeries µV")
        try data.setAttribute("emoji", "🧠 spikes 🔬")
        try data.setAttribute("empty", "")
        try data.setAttribute("colnames", ["spike_times", "électrode", "🧠"])
        try file.root.setAttribute("nwb_version", "2.7.0")
        try file.close()

        let reopened = try HDF5File.open(at: url)
        let read = try reopened.root.dataset("data")
        #expect(try read.attribute("unit") == .strings(["ElectricalSeries µV"]))
        #expect(try read.attribute("unit").string == "ElectricalSeries µV")
        #expect(try read.attribute("emoji").string == "🧠 spikes 🔬")
        #expect(try read.attribute("empty") == .strings([""]))
        #expect(try read.attribute("colnames") == .strings(["spike_times", "électrode", "🧠"]))
        #expect(try reopened.root.attribute("nwb_version").description == "2.7.0")
        #expect(try read.attributes().map(\.name) == ["colnames", "emoji", "empty", "unit"])
    }

    @Test func settingAnAttributeAgainReplacesIt() throws {
        let folder = try TemporaryDirectory()
        let file = try HDF5File.create(at: folder.file("replace.h5"))
        try file.root.setAttribute("x", 1)
        try file.root.setAttribute("x", "now text")
        #expect(try file.root.attribute("x") == .strings(["now text"]))
        try file.root.setAttribute("x", [2.5, 3.5])
        #expect(try file.root.attribute("x") == .reals([2.5, 3.5]))
        #expect(try file.root.attributes().count == 1)
        #expect(file.root.hasAttribute("x"))
        #expect(!file.root.hasAttribute("y"))
    }

    @Test func descriptionsPrintScalarsBare() {
        #expect(HDF5AttributeValue.integers([5]).description == "5")
        #expect(HDF5AttributeValue.integers([1, -2]).description == "[1, -2]")
        #expect(HDF5AttributeValue.unsignedIntegers([UInt64.max]).description == "18446744073709551615")
        #expect(HDF5AttributeValue.reals([0.25]).description == "0.25")
        #expect(HDF5AttributeValue.reals([1, 2.5]).description == "[1.0, 2.5]")
        #expect(HDF5AttributeValue.strings(["ElectricalSeries µV"]).description == "ElectricalSeries µV")
        #expect(HDF5AttributeValue.strings(["a", "b\"c"]).description == #"["a", "b\"c"]"#)
        #expect(HDF5AttributeValue.unsupported("reference").description == "<reference>")
        #expect(HDF5Attribute(name: "unit", value: .strings(["V"])).description == "unit = V")
        #expect(HDF5AttributeValue.integers([3]).double == 3)
        #expect(HDF5AttributeValue.strings(["3"]).doubles == nil)
    }

    @Test func referenceAndCompoundAttributesAreDescribedNotDecoded() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("unsupported.h5")
        let file = try HDF5File.create(at: url)
        try file.root.createDataset("target", shape: [1], values: [1.0])
        try file.root.createGroup("table")
        try HDF5Raw.writeUnsupportedAttributes(file, on: "/table", referencing: "/target")
        try file.close()

        let table = try HDF5File.open(at: url).root.group("table")
        #expect(try table.attribute("link") == .unsupported("reference"))
        #expect(try table.attribute("pairs") == .unsupported("compound [2]"))
        #expect(try table.attributes().map(\.description) == ["link = <reference>", "pairs = <compound [2]>"])
    }

    @Test func missingAttributesAndObjectsThrowNamedErrors() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("missing.h5")
        let file = try HDF5File.create(at: url)
        let group = try file.root.createGroup("g")
        #expect {
            try group.attribute("absent")
        } throws: { error in
            guard case HDF5Error.attributeNotFound(url.path, "/g", "absent") = error else { return false }
            return "\(error)".contains("'absent'") && "\(error)".contains(url.path)
        }
        let ghost = HDF5Group(file: file, path: "/ghost")
        #expect(throws: HDF5Error.self) { try ghost.setAttribute("x", 1) }
        #expect(!file.root.contains("ghost"))
    }
}
