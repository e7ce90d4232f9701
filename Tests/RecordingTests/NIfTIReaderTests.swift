import Foundation
import Testing
import TestSupport
@testable import Recording

/// NIfTI fixtures (every datatype, both byte orders, NIfTI-2, pair, gzip, scaling, qform/sform/base
/// affines, extensions) and the real fMRI files, against what nibabel reads.
@Suite struct NIfTIReaderTests {
    static let golden = NeuroFormatsGolden.shared

    static func checkHeader(_ image: NIfTIImage, _ g: NeuroFormatsGolden.NIfTI, _ name: String) throws {
        #expect(image.dimensions == g.shape, "\(name)")
        #expect(image.header.datatype.rawValue == g.datatype, "\(name)")
        #expect(image.header.datatype.bitsPerVoxel == g.bitpix, "\(name)")
        #expect(image.header.version == g.version, "\(name)")
        #expect(image.header.isBigEndian == g.big_endian, "\(name)")
        #expect(image.header.qformCode == g.qform_code && image.header.sformCode == g.sform_code, "\(name)")
        #expect(image.header.units.code == g.xyzt_units, "\(name)")
        for (a, b) in zip(image.header.pixdim, g.pixdim) { #expect(close(a, b, rel: 1e-6), "\(name) pixdim") }
        let affine = try image.header.bestAffine(file: name)
        for (a, b) in zip(affine, g.affine) { #expect(close(a, b, rel: 1e-6, abs: 1e-5), "\(name) affine \(affine) vs \(g.affine)") }
        #expect(image.extensions.count == g.extensions.count, "\(name)")
        for (e, ge) in zip(image.extensions, g.extensions) {
            if case .code(let code) = ge[0] { #expect(e.code == code) }
            if case .text(let text) = ge[1] {
                let content = String(decoding: e.content.prefix { $0 != 0 }, as: UTF8.self)
                #expect(content == text, "\(name) extension")
            }
        }
    }

    @Test(arguments: NeuroFormatsGolden.shared.nifti_fixtures.keys.sorted())
    func fixtureMatchesNibabel(_ name: String) throws {
        let g = Self.golden.nifti_fixtures[name]!
        let image = try NIfTIFile.read(NeuroFormatsGolden.fixture(name))
        try Self.checkHeader(image, g, name)
        if let imag = g.raw_imag, let raw = g.raw {
            #expect(image.data.doubles == raw.map(\.double), "\(name) real parts")
            #expect(image.data.imaginaryDoubles == imag, "\(name) imaginary parts")
        } else if image.header.datatype.components > 1, let raw = g.raw {
            #expect(image.data.shape == g.shape.reversed() + [image.header.datatype.components])
            #expect(image.data.doubles == raw.map(\.double), "\(name) RGB components")
        } else {
            let values = try image.scaledFloats(file: name)
            #expect(values.map(Double.init) == g.values!, "\(name) scaled values")
            // Raw values are exact (int64/uint64 compared as text).
            if let raw = g.raw, let ints = image.data.int64s {
                let text = image.data.elementType == .uint64 ? ints.map { String(UInt64(bitPattern: $0)) } : ints.map(String.init)
                #expect(text == raw.compactMap(\.text), "\(name) raw integers")
            }
            #expect(values.reduce(0.0) { $0 + Double($1) } == g.sum!, "\(name) sum")
        }
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"),
          arguments: ["fmri/nitime/fmri1.nii.gz", "fmri/nibabel/example4d.nii.gz", "fmri/nibabel/functional.nii"])
    func realFileMatchesNibabel(_ path: String) throws {
        let g = try #require(Self.golden.nifti_real?[path])
        let url = try #require(SharedData.file(path))
        let image = try NIfTIFile.read(url)
        try Self.checkHeader(image, g, path)
        let volume = try image.volumeSeries(file: path)
        #expect(volume.shape == g.shape)
        var sum = 0.0, squares = 0.0
        for v in volume.voxels { sum += Double(v); squares += Double(v) * Double(v) }
        // Unscaled int16 sums are exact; scaled data (functional.nii) are float32 vs nibabel's float64.
        let rel = image.header.scaling == nil ? 0 : 1e-7
        #expect(close(sum, g.sum!, rel: rel, abs: 0), "\(path) sum")
        #expect(close(squares, g.sum_of_squares!, rel: rel, abs: 0))
        for entry in g.voxels! {
            guard case .index(let i) = entry[0], case .value(let v) = entry[1] else { Issue.record("bad golden"); continue }
            #expect(close(Double(volume[i[0], i[1], i[2], i[3]]), v, rel: rel, abs: 0), "\(path) voxel \(i)")
        }
        for (t, s) in g.volume_sums!.enumerated() {
            let n = volume.voxelsPerVolume
            #expect(close(volume.voxels[(t * n)..<((t + 1) * n)].reduce(0.0) { $0 + Double($1) }, s, rel: rel, abs: 0))
        }
        #expect(volume.affine == image.header.sformAffine, "sform_code > 0 selects the sform")
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func nitimeRepetitionTimeAndVoxelSize() throws {
        let volume = try NIfTIFile.read(try #require(SharedData.file("fmri/nitime/fmri1.nii.gz"))).volumeSeries()
        #expect(volume.shape == [10, 10, 18, 40])
        #expect(close(volume.repetitionTime!, 1.35, rel: 1e-6))
        #expect(close(volume.voxelSize[0], 2.0833333, rel: 1e-6) && close(volume.voxelSize[2], 2.3, rel: 1e-6))
    }

    @Test func qformWinsWithoutSformAndBaseAffineWithoutEither() throws {
        let q = try NIfTIFile.read(NeuroFormatsGolden.fixture("NIfTI-qform.nii"))
        #expect(q.header.sformCode == 0 && q.header.qformCode == 1)
        #expect(try q.header.bestAffine() == q.header.qformAffine())
        let none = try NIfTIFile.read(NeuroFormatsGolden.fixture("NIfTI-noxform.nii"))
        // diag(-1.5, 2, 4) with the centre of the 3×4×2 volume at the origin.
        #expect(try none.header.bestAffine() == [-1.5, 0, 0, 1.5, 0, 2, 0, -3, 0, 0, 4, -2, 0, 0, 0, 1])
    }

    @Test func scalingFollowsSlopeAndIntercept() throws {
        let image = try NIfTIFile.read(NeuroFormatsGolden.fixture("NIfTI-scaled.nii"))
        #expect(image.header.sclSlope == 0.5 && image.header.sclInter == -3.25)
        let raw = image.data.doubles, scaled = try image.scaledFloats()
        for (r, s) in zip(raw, scaled) { #expect(Double(s) == r * 0.5 - 3.25) }
    }
}

/// Written then read back: every container, both versions, both byte orders.
@Suite struct NIfTIRoundTripTests {
    static let containers = ["x.nii", "x.nii.gz", "x.hdr", "x.img.gz"]

    @Test(arguments: containers, [1, 2])
    func roundTripKeepsHeaderAndData(_ name: String, _ version: Int) throws {
        let folder = try TemporaryDirectory()
        for source in ["NIfTI-extension.nii", "NIfTI-c8-be.nii", "NIfTI-rgb24.nii", "NIfTI-nifti2.nii", "NIfTI-scaled.nii"] {
            let original = try NIfTIFile.read(NeuroFormatsGolden.fixture(source))
            for bigEndian in [false, true] {
                let url = folder.file(name)
                try NIfTIFile.write(original, to: url, version: version, bigEndian: bigEndian)
                let back = try NIfTIFile.read(url)
                #expect(back.data == original.data, "\(source) → \(name) v\(version)")
                #expect(back.header.version == version && back.header.isBigEndian == bigEndian)
                #expect(back.header.isSingleFile == !(name.contains("hdr") || name.contains("img")))
                #expect(back.extensions.map(\.code) == original.extensions.map(\.code))
                // Fields survive exactly in the same version (NIfTI-1 fields are float32 both ways).
                var a = back.header, b = original.header
                a.version = 0; b.version = 0; a.isBigEndian = false; b.isBigEndian = false
                a.isSingleFile = true; b.isSingleFile = true; a.voxOffset = 0; b.voxOffset = 0
                if version == original.header.version {
                    #expect(a == b, "\(source) → \(name) v\(version) header")
                    #expect(try back.header.bestAffine() == original.header.bestAffine())
                } else {
                    for (x, y) in zip(try back.header.bestAffine(), try original.header.bestAffine()) { #expect(close(x, y, rel: 1e-6, abs: 1e-6)) }
                }
            }
        }
    }

    @Test func volumeSeriesRoundTrip() throws {
        let folder = try TemporaryDirectory()
        let voxels: [Float] = (0..<120).map { (i: Int) -> Float in Float(i) * 0.5 - 3 }
        let affine: [Double] = [-2, 0, 0, 10, 0, 2, 0.5, -4, 0, 0, 3, 7, 0, 0, 0, 1]
        let volume = try VolumeSeries(voxels: voxels, spatialShape: [4, 3, 2], voxelSize: [2, 2, 3], repetitionTime: 1.5, affine: affine)
        let url = folder.file("v.nii.gz")
        try NIfTIFile.write(volume, to: url)
        let back = try NIfTIFile.read(url).volumeSeries()
        #expect(back == volume)
    }
}
