import Foundation
import Testing
import TestSupport

/// `neuroswift convert` from spike-sorting and cell-extraction folders to NWB, read back by `info`.
@Suite struct ConvertNWBCommandTests {
    private let phy = SharedData.repositoryRoot.appendingPathComponent("Tests/RecordingTests/Fixtures/Phy-small").path

    @Test func phyFolderToNWBAndBack() throws {
        let folder = try TemporaryDirectory()
        let out = folder.file("sorted.nwb").path
        let convert = try NeuroSwiftBinary.run(["convert", phy, out, "--session-start", "2024-05-01T09:30:00Z"])
        #expect(convert.status == 0, "\(convert.stderr)")
        #expect(convert.stdout.contains("units"), "\(convert.stdout)")
        let info = try NeuroSwiftBinary.run(["info", out])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stdout.contains("units"), "\(info.stdout)")
        // Converting again without --force refuses and leaves the file alone.
        let again = try NeuroSwiftBinary.run(["convert", phy, out])
        #expect(again.status != 0)
        #expect(again.stderr.contains("--force"))
    }

    @Test func badSessionStartAndWrongInputsAreExplained() throws {
        let folder = try TemporaryDirectory()
        let badDate = try NeuroSwiftBinary.run(["convert", phy, folder.file("a.nwb").path, "--session-start", "yesterday"])
        #expect(badDate.status != 0)
        #expect(badDate.stderr.contains("ISO 8601"))
        let notAFolder = folder.file("x.txt")
        try Data("x".utf8).write(to: notAFolder)
        let wrong = try NeuroSwiftBinary.run(["convert", notAFolder.path, folder.file("b.nwb").path])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("Phy/Kilosort folder"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("b.nwb").path))
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func suite2pFolderToNWBNeedsTheFrameRate() throws {
        let plane = try #require(SharedData.file("calcium/suite2p-plane0"))
        let folder = try TemporaryDirectory()
        let out = folder.file("ophys.nwb").path
        let missing = try NeuroSwiftBinary.run(["convert", plane.path, out])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--frame-rate"))
        let convert = try NeuroSwiftBinary.run(["convert", plane.path, out, "--frame-rate", "30"])
        #expect(convert.status == 0, "\(convert.stderr)")
        #expect(convert.stdout.contains("219 ROIs × 2000 frames at 30.0 Hz"), "\(convert.stdout)")
    }
}
