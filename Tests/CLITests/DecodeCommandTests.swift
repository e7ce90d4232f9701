import Foundation
import Testing
import TestSupport

/// `simulate mi-eeg`, `decode eeg` and `benchmark` end to end.
@Suite struct DecodeCommandTests {
    struct Summary: Decodable {
        let pipeline: String
        let trials: Int
        let channels: Int
        let classes: [String]
        let meanAccuracy: Double
        let meanROCAUC: Double?
        let confusion: [[Int]]
    }

    @Test func simulatedMotorImageryIsDecodedWellAboveChance() throws {
        let folder = try TemporaryDirectory()
        let edf = folder.file("mi.edf")
        let simulate = try NeuroSwiftBinary.run([
            "simulate", "mi-eeg", "--output", edf.path, "--seed", "3", "--channels", "8", "--trials-per-class", "20", "--size", "1.5",
        ])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        let truthURL = folder.file("mi.truth.json")
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: truthURL)) as! [String: Any]
        #expect((truth["truth"] as! [String: Any])["events"] as! [String] == (0..<40).map { $0 % 2 == 0 ? "T1" : "T2" })

        let export = folder.file("export")
        let result = try NeuroSwiftBinary.run([
            "decode", "eeg", edf.path, "--pipeline", "ts-lr", "--events", "T1,T2", "--band", "8", "30", "--window", "0.5", "2.5",
            "--folds", "4", "--seed", "1", "--json", "--export", export.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONDecoder().decode(Summary.self, from: Data(result.stdout.utf8))
        #expect(summary.trials == 40 && summary.channels == 8 && summary.classes == ["T1", "T2"])
        #expect(summary.meanAccuracy >= 0.8, "\(summary.meanAccuracy)")
        #expect(summary.confusion.flatMap { $0 }.reduce(0, +) == 40)
        #expect(FileManager.default.fileExists(atPath: export.appendingPathComponent("epochs.npy").path))
        #expect(FileManager.default.fileExists(atPath: export.appendingPathComponent("decode.json").path))

        let table = try NeuroSwiftBinary.run(["decode", "eeg", edf.path, "--pipeline", "csp-lda", "--folds", "4"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("csp-lda") && table.stdout.contains("confusion matrix"))
    }

    @Test func decodeRejectsBadArguments() throws {
        let missing = try NeuroSwiftBinary.run(["decode", "eeg", "/nonexistent/run.edf"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/run.edf: no such file"))
        let oneEvent = try NeuroSwiftBinary.run(["decode", "eeg", "/nonexistent/run.edf", "--events", "T1"])
        #expect(oneEvent.status != 0)
        #expect(oneEvent.stderr.contains("at least two distinct labels"))
        let badPipeline = try NeuroSwiftBinary.run(["decode", "eeg", "x.edf", "--pipeline", "svm"])
        #expect(badPipeline.status != 0)
        #expect(badPipeline.stderr.contains("ts-lr"))
    }

    @Test func benchmarkRunsTheRegistryOnSimulatedSets() throws {
        let result = try NeuroSwiftBinary.run([
            "benchmark", "--datasets", "sim-null", "--pipelines", "mdm", "--data", "/nonexistent",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sim-null") && result.stdout.contains("mdm"))
        let unknown = try NeuroSwiftBinary.run(["benchmark", "--datasets", "nope"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown data set nope"))
    }
}
