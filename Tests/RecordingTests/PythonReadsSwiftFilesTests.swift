import Foundation
import Testing
import TestSupport
@testable import Recording

/// What numpy and nibabel saw in the `.npy`, `.npz` and NIfTI files NeuroSwift's writers produce:
/// Goldens/pyread.json, made by scripts/goldens/pyread.py (which runs this suite with
/// `NEUROSWIFT_PYREAD_FIXTURES` set, then loads the files with `np.load` and `nib.load`).
struct PyreadGolden: Decodable {
    /// One array as numpy returned it; `values`/`imag` are every element in C order (real and
    /// imaginary parts), `header` the `.npy` header numpy parsed.
    struct NumpyArray: Decodable {
        struct Header: Decodable {
            let version: [Int]
            let descr: String
            let fortran_order: Bool
            let shape: [Int]
        }
        let dtype: String
        let shape: [Int]
        let sum: Double
        let values: [Double]
        let imag: [Double]?
        let header: Header?
    }
    struct Archive: Decodable {
        let files: [String]
        /// zipfile's compress_type per member (0 stored, 8 deflated).
        let compress_types: [String: Int]
        let arrays: [String: NumpyArray]
    }
    struct NIfTI: Decodable {
        let image_class: String
        let magic: String
        let sizeof_hdr: Int
        /// The on-disk header's `vox_offset`, and the data offset nibabel's array proxy uses.
        let vox_offset: Double
        let proxy_offset: Int
        /// Scaling nibabel's array proxy applies (1 and 0 when the header has none).
        let proxy_slope: Double
        let proxy_inter: Double
        let shape: [Int]
        let data_dtype: String
        /// `get_fdata()` in x-fastest (Fortran) order.
        let fdata: [Double]
        let fdata_sum: Double
        let affine: [[Double]]
        let zooms: [Double]
        let xyzt_units: [String]
        /// `get_slope_inter()` of the on-disk header (nil when scl_slope is 0).
        let slope: Double?
        let inter: Double?
        let sform_code: Int
        let qform_code: Int
        let descrip: String
        /// nibabel's header check (`diagnose_binaryblock`): empty when it finds nothing to fix.
        let diagnosis: String
    }
    let python_version: String
    let numpy_version: String
    let nibabel_version: String
    let npy: [String: NumpyArray]
    let npz: [String: Archive]
    let nifti: [String: NIfTI]
}

@Suite struct PythonReadsSwiftFilesTests {
    static let fixtureVariable = "NEUROSWIFT_PYREAD_FIXTURES"

    // MARK: Fixtures

    /// Interleaved (real, imaginary) components as a complex array.
    static func complexArray<T: BinaryFloatingPoint>(shape: [Int], _ parts: [T], type: NumericElementType) -> NumericArray {
        NumericArray(shape: shape, elementType: type, bytes: parts.withUnsafeBytes { [UInt8]($0) })
    }

    /// The `.npy` fixtures: file name, array, Fortran order on disk.
    static func npyFixtures() -> [(name: String, array: NumericArray, fortran: Bool)] {
        let f32: [Float] = (0..<24).map { Float($0) * 0.25 - 2.5 }
        let f64: [Double] = (0..<60).map { Double($0) / 7 - 3 }
        let i16: [Int16] = (0..<20).map { Int16(truncatingIfNeeded: $0 &* 4099 &- 30_000) }
        let u8: [UInt8] = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let flags: [Bool] = (0..<12).map { $0 % 3 == 0 }
        let u16: [UInt16] = (0..<12).map { UInt16($0 * 5000) }
        let c64: [Float] = (0..<5).flatMap { i -> [Float] in [Float(i) + 0.5, -Float(i) * 0.25] }
        let c128: [Double] = (0..<6).flatMap { i -> [Double] in [Double(i) * 1.5, 1 / Double(i + 1)] }
        var out: [(name: String, array: NumericArray, fortran: Bool)] = []
        out.append(("float32_c_3d.npy", NumericArray(shape: [2, 3, 4], values: f32), false))
        out.append(("float64_f_3d.npy", NumericArray(shape: [3, 4, 5], values: f64), true))
        out.append(("int16_c_2d.npy", NumericArray(shape: [4, 5], values: i16), false))
        out.append(("uint8_1d.npy", NumericArray(u8), false))
        out.append(("bool_f_3d.npy", NumericArray(shape: [2, 3, 2], values: flags), true))
        out.append(("uint16_c_3d.npy", NumericArray(shape: [3, 2, 2], values: u16), false))
        out.append(("complex64_1d.npy", complexArray(shape: [5], c64, type: .complex64), false))
        out.append(("complex128_f_2d.npy", complexArray(shape: [2, 3], c128, type: .complex128), true))
        out.append(("float64_0d.npy", NumericArray(shape: [], values: [3.25]), false))
        out.append(("int64_0d.npy", NumericArray(shape: [], values: [Int64(-1_234_567_890_123)]), false))
        return out
    }

    static func npzArrays() -> [(name: String, array: NumericArray)] {
        let signal: [Float] = (0..<40).map { Float($0 % 9) * 0.125 - Float($0 / 9) }
        let labels: [Int32] = (0..<10).map { Int32($0 * $0 - 20) }
        let mask: [Bool] = (0..<10).map { $0 % 4 != 1 }
        return [
            ("signal", NumericArray(shape: [10, 4], values: signal)),
            ("labels", NumericArray(labels)),
            ("mask", NumericArray(mask)),
        ]
    }

    /// A row-major 4×4 sform with shear and off-diagonal terms that float32 cannot hold exactly.
    static let int16Affine: [Double] = [0, -1.5, 0, 30.25, 2, 0, 0.1, -40.5, 0, 0.2, 2.5, 12, 0, 0, 0, 1]
    static let volumeAffine: [Double] = [-2, 0, 0, 90, 0, 2.4, -0.6, -126.5, 0, 0.7, 2.9, -72.25, 0, 0, 0, 1]

    /// A scaled int16 3-D image (slope 0.5, intercept −10, pixdim 1.5 × 2 × 2.5 mm).
    static func scaledInt16Image() throws -> NIfTIImage {
        var header = NIfTIHeader(dimensions: [5, 4, 3], datatype: .int16)
        header.pixdim = [1, 1.5, 2, 2.5, 1, 1, 1, 1]
        header.sclSlope = 0.5
        header.sclInter = -10
        header.units = NIfTIUnits(space: .millimeter, time: .second)
        header.descrip = "NeuroSwift pyread int16"
        header.setSform(int16Affine)
        let raw: [Int16] = (0..<60).map { Int16($0 * 37 - 1000) }
        return try NIfTIImage(header: header, data: NumericArray(shape: [3, 4, 5], values: raw))
    }

    /// A float32 4-D series: 4 × 3 × 2 voxels, 5 volumes, TR 1.75 s.
    static func volumeSeries() throws -> VolumeSeries {
        let voxels: [Float] = (0..<120).map { Float(sin(Double($0) * 0.37) * 100) }
        return try VolumeSeries(
            voxels: voxels, spatialShape: [4, 3, 2],
            voxelSize: [2, 2.5, 3], repetitionTime: 1.75, affine: volumeAffine)
    }

    /// NIfTI fixtures: file name, version, and the image written.
    static func niftiFixtures() throws -> [(name: String, version: Int, image: NIfTIImage)] {
        let scaled = try scaledInt16Image()
        let volume = try volumeSeries()
        return [
            ("int16_scaled_v1.nii", 1, scaled),
            ("int16_scaled_v2.nii.gz", 2, scaled),
            ("volume_v1.nii.gz", 1, NIfTIImage(volume: volume, version: 1)),
            ("volume_v2.nii", 2, NIfTIImage(volume: volume, version: 2)),
        ]
    }

    static func writeFixtures(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, array, fortran) in npyFixtures() {
            try NPYFile.write(array, to: folder.appendingPathComponent(name), fortranOrder: fortran)
        }
        try NPZFile.write(npzArrays(), to: folder.appendingPathComponent("stored.npz"), compressed: false)
        try NPZFile.write(npzArrays(), to: folder.appendingPathComponent("deflated.npz"), compressed: true)
        for (name, version, image) in try niftiFixtures() {
            try NIfTIFile.write(image, to: folder.appendingPathComponent(name), version: version)
        }
    }

    // MARK: Checks

    static func check(_ seen: PyreadGolden.NumpyArray, against array: NumericArray, fortran: Bool?, _ name: String) {
        #expect(seen.dtype == array.elementType.rawValue, "\(name)")
        #expect(seen.shape == array.shape, "\(name)")
        #expect(seen.values == array.doubles, "\(name)")
        let sum = array.doubles.reduce(0, +)
        #expect(abs(seen.sum - sum) <= 1e-12 * max(1, abs(sum)), "\(name): numpy sum \(seen.sum), ours \(sum)")
        if array.elementType.isComplex {
            #expect(seen.imag == array.imaginaryDoubles, "\(name)")
        } else {
            #expect(seen.imag == nil, "\(name)")
        }
        if let fortran {
            let header = seen.header
            #expect(header?.version == [1, 0], "\(name)")
            #expect(header?.fortran_order == fortran, "\(name)")
            #expect(header?.shape == array.shape, "\(name)")
            #expect(header?.descr == NPYHeader.descr(for: array.elementType), "\(name)")
        }
    }

    @Test func numpyAndNibabelReadTheWrittenFiles() throws {
        let temporary = try TemporaryDirectory()
        let requested = ProcessInfo.processInfo.environment[Self.fixtureVariable]
        let folder = requested.map { URL(fileURLWithPath: $0) } ?? temporary.url
        try Self.writeFixtures(to: folder)
        if requested != nil { return }

        let golden = try Goldens.load(PyreadGolden.self, named: "pyread", in: Bundle.module)

        // NPY: numpy's dtype, shape, header and every element match what was written.
        let npy = Self.npyFixtures()
        #expect(Set(golden.npy.keys) == Set(npy.map(\.name)))
        for (name, array, fortran) in npy {
            let seen = try #require(golden.npy[name], "\(name)")
            Self.check(seen, against: array, fortran: fortran, name)
            // And our own reader agrees with the file numpy read.
            #expect(try NPYFile.read(folder.appendingPathComponent(name)) == array, "\(name)")
        }

        // NPZ: both containers hold the three arrays, stored (0) or deflated (8) as asked.
        let arrays = Self.npzArrays()
        #expect(Set(golden.npz.keys) == ["stored.npz", "deflated.npz"])
        for (file, method) in [("stored.npz", 0), ("deflated.npz", 8)] {
            let archive = try #require(golden.npz[file])
            #expect(archive.files == arrays.map(\.name), "\(file)")
            #expect(archive.compress_types == Dictionary(uniqueKeysWithValues: arrays.map { ($0.name + ".npy", method) }), "\(file)")
            for (name, array) in arrays {
                let seen = try #require(archive.arrays[name], "\(file)/\(name)")
                Self.check(seen, against: array, fortran: nil, "\(file)/\(name)")
            }
        }

        // NIfTI: nibabel's class, header fields, affine, zooms and scaled voxels.
        let nifti = try Self.niftiFixtures()
        #expect(Set(golden.nifti.keys) == Set(nifti.map(\.name)))
        for (name, version, image) in nifti {
            let seen = try #require(golden.nifti[name], "\(name)")
            let header = image.header
            #expect(seen.image_class == "Nifti\(version)Image", "\(name)")
            #expect(seen.magic == "n+\(version)", "\(name)")
            #expect(seen.sizeof_hdr == (version == 2 ? 540 : 348), "\(name)")
            #expect(seen.vox_offset == (version == 2 ? 544 : 352), "\(name)")
            #expect(seen.proxy_offset == (version == 2 ? 544 : 352), "\(name)")
            #expect(seen.diagnosis.isEmpty, "\(name): nibabel says \(seen.diagnosis)")
            #expect(seen.shape == header.dimensions, "\(name)")
            #expect(seen.data_dtype == image.data.elementType.rawValue, "\(name)")
            // NIfTI-1 stores the srows and pixdims as float32, NIfTI-2 as float64.
            let stored: (Double) -> Double = { version == 1 ? Double(Float($0)) : $0 }
            let affine = header.sformAffine.map(stored)
            #expect(seen.affine.flatMap { $0 } == affine, "\(name): nibabel affine \(seen.affine)")
            #expect(seen.sform_code == 2 && seen.qform_code == 0, "\(name)")
            #expect(seen.zooms == header.pixdim[1...header.dimensions.count].map(stored), "\(name)")
            #expect(seen.xyzt_units == ["mm", "sec"], "\(name)")
            #expect(seen.descrip == header.descrip, "\(name)")
            let scaling = header.scaling
            #expect(seen.slope == scaling?.slope, "\(name)")
            #expect(seen.inter == scaling?.intercept, "\(name)")
            #expect(seen.proxy_slope == scaling?.slope ?? 1, "\(name)")
            #expect(seen.proxy_inter == scaling?.intercept ?? 0, "\(name)")
            let raw = image.data.doubles
            let expected = scaling.map { s in raw.map { $0 * s.slope + s.intercept } } ?? raw
            #expect(seen.fdata == expected, "\(name)")
            let sum = expected.reduce(0, +)
            #expect(abs(seen.fdata_sum - sum) <= 1e-9 * max(1, abs(sum)), "\(name)")
        }
        // The pixdim-4 TR nibabel reports is the series' TR.
        #expect(golden.nifti["volume_v1.nii.gz"]?.zooms.last == 1.75)
        #expect(golden.nifti["volume_v2.nii"]?.zooms.last == 1.75)
        #expect(golden.nifti["int16_scaled_v1.nii"]?.slope == 0.5)
        #expect(golden.nifti["int16_scaled_v1.nii"]?.inter == -10)
        #expect(golden.nifti["int16_scaled_v2.nii.gz"]?.proxy_slope == 0.5)
        #expect(golden.nifti["int16_scaled_v1.nii"]?.fdata_sum == 2145)
    }
}
