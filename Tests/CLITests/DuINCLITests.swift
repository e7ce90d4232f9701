import Foundation
import Testing
import TestSupport

/// `neuroswift simulate duin`, `pretrain duin` and `decode duin` as a user runs them (tiny sizes).
@Suite struct DuINCLITests {
    @Test func simulateWritesAnnotatedEDFAndTruth() throws {
        let folder = try TemporaryDirectory()
        let edf = folder.file("seeg.edf")
        let result = try NeuroSwiftBinary.run(["simulate", "duin", "--output", edf.path, "--words", "3", "--trials-per-word", "2",
                                               "--unlabelled-seconds", "10", "--seed", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("3 words × 2 trials"))
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.file("seeg.truth.json"))) as! [String: Any]
        #expect((truth["truth"] as! [String: Any])["labels"] as? [String] != nil)
        let info = try NeuroSwiftBinary.run(["info", edf.path])
        #expect(info.status == 0 && info.stdout.contains("SEEG SM1"))
    }

    @Test func simulateWritesNWBThatDecodeReadsAndSavedModelPredicts() throws {
        let folder = try TemporaryDirectory()
        let nwb = folder.file("seeg.nwb"), model = folder.file("words.h5")
        let simulated = try NeuroSwiftBinary.run(["simulate", "duin", "--output", nwb.path, "--words", "2", "--trials-per-word", "4",
                                                  "--unlabelled-seconds", "5", "--seed", "3"])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let info = try NeuroSwiftBinary.run(["info", nwb.path])
        #expect(info.status == 0 && info.stdout.contains("ElectricalSeries"), "\(info.stdout)\(info.stderr)")
        let decoded = try NeuroSwiftBinary.run(["decode", "duin", nwb.path, "--mode", "scratch", "--steps", "2", "--batch-size", "4",
                                                "--folds", "2", "--json", "--save-model", model.path])
        #expect(decoded.status == 0, "\(decoded.stderr)")
        #expect(decoded.stdout.contains("\"trials\" : 8"))
        let predicted = try NeuroSwiftBinary.run(["decode", "duin", nwb.path, "--model", model.path, "--json"])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(predicted.stdout.utf8)) as! [String: Any]
        #expect((summary["predictions"] as? [String])?.count == 8 && (summary["classes"] as? [String]) == ["word01", "word02"])
        let both = try NeuroSwiftBinary.run(["decode", "duin", nwb.path, "--model", model.path, "--save-model", model.path])
        #expect(both.status != 0 && both.stderr.contains("--model"))
        let badExtension = try NeuroSwiftBinary.run(["simulate", "duin", "--output", folder.file("x.txt").path])
        #expect(badExtension.status != 0 && badExtension.stderr.contains(".nwb"))
    }

    @Test func pretrainAndDecodeRejectBadArguments() throws {
        let missing = try NeuroSwiftBinary.run(["decode", "duin", "/nonexistent/seeg.edf"])
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent/seeg.edf: no such file"))
        let window = try NeuroSwiftBinary.run(["decode", "duin", "x.edf", "--window", "2", "1"])
        #expect(window.status != 0 && window.stderr.contains("--window"))
        let noTokenizer = try NeuroSwiftBinary.run(["pretrain", "duin", "x.edf", "--output", "y.h5", "--stage", "mae"])
        #expect(noTokenizer.status != 0 && noTokenizer.stderr.contains("--tokenizer"))
        let spectral = try NeuroSwiftBinary.run(["pretrain", "duin", "x.edf", "--output", "y.h5", "--spectral-weight=-1"])
        #expect(spectral.status != 0 && spectral.stderr.contains("--spectral-weight must be ≥ 0"))
    }
}
