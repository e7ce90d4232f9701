import Foundation
import NeuroCore
import Testing
import TestSupport

/// `neuroswift info` on the spike / calcium / imaging formats and `convert` for NIfTI + atlas and
/// MAT v5 → HDF5, run as a user would.
@Suite struct NeuroCommandTests {
    static func fixture(_ path: String) -> String { RecordingCommandTests.fixture(path) }

    static func info(_ path: String, expecting lines: [String]) throws {
        let result = try NeuroSwiftBinary.run(["info", path])
        #expect(result.status == 0, "\(result.stderr)")
        for expected in lines { #expect(result.stdout.contains(expected), "info lacks \(expected):\n\(result.stdout)") }
    }

    @Test func infoDescribesNWBUnitsIntervalsElectrodesAndSeries() throws {
        try Self.info(Self.fixture("NWB-series.nwb"), expecting: [
            "NWB-series.nwb: NWB 2.", "units: none", "electrodes: 4 in CA1, CA3, DG", "series: 6",
            "/acquisition/ElectricalSeries", "ElectricalSeries", "(40, 3)", "1000 Hz",
            "/processing/ophys/DfOverF/RoiResponseSeries", "timestamps", "/processing/behavior/Position/position", "SpatialSeries",
        ])
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func infoCountsRealNWBSpikes() throws {
        try Self.info(try #require(SharedData.file("spikes/phy-nwb/A8604-211122.nwb")).path, expecting: [
            "NWB 2.4.0", "units: 3, 21354 spikes", "11020", "4690", "5644", "electrodes: 383", "intervals/epochs: 1",
        ])
    }

    @Test func infoDescribesNIfTI() throws {
        try Self.info(Self.fixture("NIfTI-gzip.nii.gz"), expecting: [
            "NIfTI-gzip.nii.gz: NIfTI-1", "dimensions: 3 × 2 × 2 × 5", "datatype: float32", "voxel size: 2.0006", "TR: 1", "affine:",
        ])
        try Self.info(Self.fixture("NIfTI-pair.hdr"), expecting: ["NIfTI-1 (.hdr/.img pair)"])
        let bad = try NeuroSwiftBinary.run(["info", Self.fixture("NIfTI-atlas.nii") + ".missing"])
        #expect(bad.status != 0 && bad.stderr.contains("no such file"))
    }

    @Test func infoDescribesNPYAndNPZ() throws {
        try Self.info(Self.fixture("i2_fortran.npy"), expecting: ["NPY v1.0", "dtype: <i2 (int16)", "shape: (2, 3, 2)", "order: Fortran"])
        try Self.info(Self.fixture("deflated.npz"), expecting: ["deflated.npz: NPZ,"])
        let object = try NeuroSwiftBinary.run(["info", Self.fixture("object.npy")])
        #expect(object.status != 0, "object arrays are refused, not unpickled")
    }

    @Test func infoDescribesMATVariableTree() throws {
        try Self.info(Self.fixture("v5_plain.mat"), expecting: [
            "v5_plain.mat: MAT v5, 18 variables", "dbl  numeric float64  2×3", "flag  logical  1×3", "txt  char  1×5",
            "cel  cell  1×3", "s  struct  1×1", "  .a  ", "sarr  struct  1×2", "sprs  sparse  3×4", "empty  numeric float64  0×3",
            "cube  numeric float64  2×3×4",
        ])
        // v7.3 files written the MATLAB way show their variables (fields in MATLAB_fields order, complex
        // compounds decoded); HDF5 files that merely end in .mat keep the tree listing.
        try Self.info(Self.fixture("mat73.mat"), expecting: [
            "mat73.mat: MAT v7.3 (HDF5), 16 variables", "s  struct  1×1", "  .name  char  1×1", "  .a  struct  1×1",
            "z  numeric complex128  2×2", "zs  numeric complex64  1×3",
        ])
        try Self.info(Self.fixture("v73.mat"), expecting: ["HDF5"])
    }

    @Test func infoDescribesPhyAndSuite2pFolders() throws {
        try Self.info(Self.fixture("Phy-small"), expecting: ["Phy-small: Phy/Kilosort folder,", "clusters", "spikes"])
        let folder = try TemporaryDirectory()
        let plane = folder.file("plane0")
        try FileManager.default.createDirectory(at: plane, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixture("f8_c.npy"), toPath: plane.appendingPathComponent("F.npy").path)
        try Data("not read".utf8).write(to: plane.appendingPathComponent("stat.npy"))
        try Self.info(plane.path, expecting: ["plane0: suite2p plane folder", "F.npy", "(2, 3)", "stat.npy: a Python pickle, not read"])
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func infoOnRealFoldersAndPositionFile() throws {
        try Self.info(try #require(SharedData.file("calcium/suite2p-plane0")).path, expecting: ["F.npy", "(219, 2000)", "cells:"])
        try Self.info(try #require(SharedData.file("spikes/nelpy-linear-track/trajectory.videoPositionTracking")).path, expecting: [
            "video position tracking, 118965 samples, clock 30000 Hz", "xloc uint16",
        ])
        try Self.info(try #require(SharedData.file("fmri/nitime/fmri1.nii.gz")).path, expecting: ["dimensions: 10 × 10 × 18 × 40"])
    }

    @Test func convertNIfTIWithAtlasWritesRegionMeans() throws {
        let folder = try TemporaryDirectory()
        let out = folder.file("regions.h5")
        let result = try NeuroSwiftBinary.run([
            "convert", Self.fixture("NIfTI-gzip.nii.gz"), out.path, "--atlas", Self.fixture("NIfTI-atlas.nii"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("3 regions × 5 volumes"))
        let file = try HDF5File.open(at: out)
        defer { try? file.close() }
        #expect(try file.root.dataset("regions/labels").readDoubles() == [1, 2, 7])
        #expect(try file.root.dataset("regions/voxel_counts").readDoubles() == [3, 4, 3])
        let means = try file.root.dataset("regions/mean")
        #expect(means.shape == [3, 5])
        // numpy: data[labels == l].mean(axis=0) (scripts/goldens/neuro_series.py, "atlas").
        let expected: [Double] = [45.5, 47, 48.5, 50, 51.5, 47.375, 48.875, 50.375, 51.875, 53.375, 20.5, 22, 23.5, 25, 26.5]
        #expect(try means.readDoubles() == expected)
        // A mismatched grid is refused.
        let bad = try NeuroSwiftBinary.run(["convert", Self.fixture("NIfTI-gzip.nii.gz"), folder.file("b.h5").path, "--atlas", Self.fixture("NIfTI-f4.nii")])
        #expect(bad.status != 0 && bad.stderr.contains("3×4×2 but the series' volumes are 3×2×2"), "\(bad.stderr)")
    }

    @Test func convertMATToHDF5KeepsEveryVariable() throws {
        let folder = try TemporaryDirectory()
        let out = folder.file("plain.h5")
        let result = try NeuroSwiftBinary.run(["convert", Self.fixture("v5_plain.mat"), out.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("18 variables"))
        let file = try HDF5File.open(at: out)
        defer { try? file.close() }
        let dbl = try file.root.dataset("dbl")
        #expect(dbl.shape == [2, 3])
        #expect(try dbl.attribute("MATLAB_class").string == "double")
        // scipy.io.loadmat: dbl = [[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]] (C order), i8 = [-128, 5, 127],
        // flag = [1, 0, 1], txt = "hello", cplx = [1+2j, 3−4j], sprs nonzeros 2.0, 1.5, −1.0 (column order).
        #expect(try dbl.readDoubles() == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5])
        #expect(try file.root.dataset("i8").readDoubles() == [-128, 5, 127])
        #expect(try file.root.dataset("flag").readDoubles() == [1, 0, 1])
        #expect(try file.root.dataset("txt").readStrings() == ["hello"])
        #expect(try file.root.dataset("cplx/real").readDoubles() == [1, 3])
        #expect(try file.root.dataset("cplx/imag").readDoubles() == [2, -4])
        #expect(try file.root.dataset("sprs/data").readDoubles() == [2, 1.5, -1])
        #expect(try file.root.dataset("sprs/ir").readDoubles() == [1, 0, 1])
        #expect(try file.root.dataset("sprs/jc").readDoubles() == [0, 1, 2, 2, 3])
        #expect(try file.root.dataset("i8").elementType == .int8)
        #expect(try file.root.dataset("flag").attribute("MATLAB_class").string == "logical")
        #expect(try file.root.dataset("txt").readStrings().count == 1)
        #expect(try file.root.dataset("rows").readStrings().count == 2)
        #expect(try file.root.group("cel").children() == ["1", "2", "3"])
        #expect(try file.root.group("s").attribute("MATLAB_class").string == "struct")
        #expect(try file.root.group("sarr").children() == ["1", "2"])
        #expect(try file.root.group("sprs").children() == ["data", "ir", "jc"])
        #expect(try file.root.group("cplx").children() == ["imag", "real"])
        #expect(try file.root.dataset("cube").shape == [2, 3, 4])
        #expect(try file.root.dataset("empty").shape == [0, 3])
    }
}
