import Foundation
import Testing
import TestSupport

/// `neuroswift info` on every EEG format and `neuroswift convert` between them, run as a user would.
@Suite struct RecordingCommandTests {
    static func fixture(_ path: String) -> String {
        SharedData.repositoryRoot.appendingPathComponent("Tests/RecordingTests/Fixtures").appendingPathComponent(path).path
    }

    @Test func infoDescribesBrainVisionEEGLABAndCSV() throws {
        let bv = try NeuroSwiftBinary.run(["info", Self.fixture("BrainVision/float32_mux.vhdr")])
        #expect(bv.status == 0, "\(bv.stderr)")
        for expected in ["float32_mux.vhdr: BrainVision, 4 channels, 0.6 s, start 2021-03-04T05:06:07Z",
                         "IEEE_FLOAT_32, multiplexed", "EOG left", "°C", "annotations: 4", "Stimulus/S  1", "Comment/hello"] {
            #expect(bv.stdout.contains(expected), "info lacks \(expected):\n\(bv.stdout)")
        }
        let set = try NeuroSwiftBinary.run(["info", Self.fixture("EEGLAB/external.set")])
        #expect(set.status == 0, "\(set.stderr)")
        for expected in ["external.set: EEGLAB, 2 channels, 0.5 s", "data in external.fdt", "O1", "boundary"] {
            #expect(set.stdout.contains(expected), "info lacks \(expected):\n\(set.stdout)")
        }
        let folder = try TemporaryDirectory()
        let csv = folder.file("s.csv")
        try Data("timestamps,A,B,Marker\n0,1,2,0\n0.25,1,2,3\n0.5,1,2,3\n0.75,1,2,0\n".utf8).write(to: csv)
        let table = try NeuroSwiftBinary.run(["info", csv.path])
        #expect(table.status == 0, "\(table.stderr)")
        for expected in ["s.csv: CSV, 2 channels, 1 s", "median timestamp interval (0.25 s)", "annotations: 2"] {
            #expect(table.stdout.contains(expected), "info lacks \(expected):\n\(table.stdout)")
        }
        let rows = table.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains(["3", "2", "0.25"]), "label 3: count 2, first at 0.25 s:\n\(table.stdout)")
    }

    @Test func infoOnCompanionFilesNamesTheEntryFile() throws {
        let result = try NeuroSwiftBinary.run(["info", Self.fixture("BrainVision/int16_mux.vmrk")])
        #expect(result.status != 0)
        #expect(result.stderr.contains("int16_mux.vmrk is a BrainVision marker file: open the .vhdr header (int16_mux.vhdr)"))
        let fdt = try NeuroSwiftBinary.run(["info", Self.fixture("EEGLAB/external.fdt")])
        #expect(fdt.stderr.contains("open the .set file (external.set)"))
        let folder = try TemporaryDirectory()
        let odd = folder.file("x.xyz")
        try Data("?".utf8).write(to: odd)
        let unknown = try NeuroSwiftBinary.run(["info", odd.path])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("supported: .edf, .bdf, .vhdr, .set, .csv, .h5, .hdf5"), "\(unknown.stderr)")
    }

    @Test func convertBrainVisionToHDF5ToEDFAndBack() throws {
        let folder = try TemporaryDirectory()
        let h5 = folder.file("int16.h5"), edf = folder.file("int16.edf"), again = folder.file("again.h5")
        let first = try NeuroSwiftBinary.run(["convert", Self.fixture("BrainVision/int16_mux.vhdr"), h5.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("3 channels × 200 samples at 250 Hz, 3 annotations"), "\(first.stdout)")
        let info = try NeuroSwiftBinary.run(["info", h5.path])
        for expected in ["int16.h5: HDF5 time series, 3 channels, 0.8 s", "Stimulus/S  1      2", "Stimulus/S  3      1"] {
            #expect(info.stdout.contains(expected), "info lacks \(expected):\n\(info.stdout)")
        }
        #expect(try NeuroSwiftBinary.run(["convert", h5.path, edf.path]).status == 0)
        let edfInfo = try NeuroSwiftBinary.run(["info", edf.path])
        #expect(edfInfo.stdout.contains("int16.edf: EDF/EDF+, 3 channels, 1 s"), "\(edfInfo.stdout)")  // padded to whole records
        #expect(edfInfo.stdout.contains("annotations: 3"))
        #expect(try NeuroSwiftBinary.run(["convert", edf.path, again.path, "--channels", "Pz,O1"]).status == 0)
        let picked = try NeuroSwiftBinary.run(["info", again.path])
        #expect(picked.stdout.contains("2 channels"), "\(picked.stdout)")
        // The HDF5 export carries provenance.
        let tree = try NeuroSwiftBinary.run(["info", h5.path])
        #expect(tree.status == 0)

        // Existing outputs are not replaced without --force; unknown output extensions are refused.
        let refused = try NeuroSwiftBinary.run(["convert", h5.path, edf.path])
        #expect(refused.status != 0 && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try NeuroSwiftBinary.run(["convert", h5.path, edf.path, "--force"]).status == 0)
        let wrong = try NeuroSwiftBinary.run(["convert", h5.path, folder.file("out.txt").path])
        #expect(wrong.status != 0 && wrong.stderr.contains("use .edf (EDF+), .h5/.hdf5 (HDF5) or .nwb"), "\(wrong.stderr)")
    }

    @Test func failedConversionLeavesNoOutput() throws {
        let folder = try TemporaryDirectory()
        // 3906.25 µs sampling interval = 256 Hz is fine, but the int32 extremes do not fit EDF's
        // 8-character physical limits: the writer refuses and nothing is written.
        let out = folder.file("extremes.edf")
        let result = try NeuroSwiftBinary.run(["convert", Self.fixture("BrainVision/int32_vec.vhdr"), out.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("fits 8 characters"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty, "no temporary files left")
        // The same file converts to HDF5, and °C units are written to EDF as "degC".
        #expect(try NeuroSwiftBinary.run(["convert", Self.fixture("BrainVision/int32_vec.vhdr"), folder.file("ok.h5").path]).status == 0)
        let temp = folder.file("temp.edf")
        #expect(try NeuroSwiftBinary.run(["convert", Self.fixture("BrainVision/float32_mux.vhdr"), temp.path]).status == 0)
        #expect(try NeuroSwiftBinary.run(["info", temp.path]).stdout.contains("degC"))
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func convertsRealRecordings() throws {
        let folder = try TemporaryDirectory()
        let edf = try #require(SharedData.file("eeg/eegmmidb-S001/S001R04.edf"))
        let h5 = folder.file("S001R04.h5")
        #expect(try NeuroSwiftBinary.run(["convert", edf.path, h5.path]).status == 0)
        let info = try NeuroSwiftBinary.run(["info", h5.path])
        for expected in ["64 channels, 125.0 s", "start 2009-08-12T16:15:00Z", "annotations: 30", "T0        15"] {
            #expect(info.stdout.contains(expected), "info lacks \(expected):\n\(info.stdout)")
        }
        let set = try #require(SharedData.file("eeg/eeglab-tutorial/test_raw.set"))
        let back = folder.file("tutorial.edf")
        #expect(try NeuroSwiftBinary.run(["convert", set.path, back.path]).status == 0)
        let edfInfo = try NeuroSwiftBinary.run(["info", back.path])
        #expect(edfInfo.stdout.contains("32 channels") && edfInfo.stdout.contains("square"), "\(edfInfo.stdout)")
        let muse = try #require(SharedData.file("eeg/muse-p300-subject1/session1/data_2017-02-04-15_45_13.csv"))
        let museInfo = try NeuroSwiftBinary.run(["info", muse.path])
        #expect(museInfo.stdout.contains("CSV, 5 channels") && museInfo.stdout.contains("annotations: 197"), "\(museInfo.stdout)")
    }
}
