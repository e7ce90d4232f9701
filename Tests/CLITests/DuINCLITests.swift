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

    @Test func pretrainAndDecodeRejectBadArguments() throws {
        let missing = try NeuroSwiftBinary.run(["decode", "duin", "/nonexistent/seeg.edf"])
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent/seeg.edf: no such file"))
        let window = try NeuroSwiftBinary.run(["decode", "duin", "x.edf", "--window", "2", "1"])
        #expect(window.status != 0 && window.stderr.contains("--window"))
        let noTokenizer = try NeuroSwiftBinary.run(["pretrain", "duin", "x.edf", "--output", "y.h5", "--stage", "mae"])
        #expect(noTokenizer.status != 0 && noTokenizer.stderr.contains("--tokenizer"))
    }
}
