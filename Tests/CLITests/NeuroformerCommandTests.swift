import Foundation
import NeuroCore
import Testing
import TestSupport

/// `simulate neuroformer` → `pretrain neuroformer` → `generate` / `decode neuroformer`, and their errors.
@Suite struct NeuroformerCommandTests {
    @Test func simulatePretrainGenerateDecode() throws {
        let folder = try TemporaryDirectory()
        let data = folder.file("sim.h5"), model = folder.file("model.h5")
        let simulate = try NeuroSwiftBinary.run(["simulate", "neuroformer", "--seed", "2", "--duration", "20", "-o", data.path])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        #expect(simulate.stdout.contains("32 neurons × 2000 bins") && simulate.stdout.contains("24 hub edges"))

        let pretrain = try NeuroSwiftBinary.run([
            "pretrain", "neuroformer", data.path, "--behaviour", data.path, "--config", "tiny", "--steps", "3", "--warmup", "1",
            "--batch-size", "8", "-o", model.path, "--json",
        ])
        #expect(pretrain.status == 0, "\(pretrain.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(pretrain.stdout.utf8)) as? [String: Any]
        #expect(summary?["steps"] as? Int == 3)
        #expect((summary?["attentionHubAUROC"] as? Double).map { (0...1).contains($0) } == true)
        for key in ["finalHubAUROC", "shuffledAttentionHubAUROC", "shuffledFinalHubAUROC"] {
            #expect((summary?[key] as? Double).map { (0...1).contains($0) } == true, "\(key)")
        }
        let file = try HDF5File.open(at: model)
        #expect(try file.root.attribute("neuroformer_configuration").string?.contains("\"modalityFeatures\":1") == true)
        #expect(try file.root.attribute("command").string?.contains("pretrain neuroformer") == true)
        try file.close()

        let generated = folder.file("generated.h5")
        let generate = try NeuroSwiftBinary.run([
            "generate", "neuroformer", data.path, "--model", model.path, "--windows", "2", "--chains", "2", "--seed", "1",
            "--top-k", "5", "--top-p", "0.9", "-o", generated.path,
        ])
        #expect(generate.status == 0, "\(generate.stderr)")
        #expect(generate.stdout.contains("2 chains × 2 windows") && generate.stdout.contains("rate correlation"))
        let g = try HDF5File.open(at: generated)
        #expect(try g.root.dataset("generated/counts").shape == [2, 10, 32])
        try g.close()

        let decode = try NeuroSwiftBinary.run([
            "decode", "neuroformer", data.path, "--behaviour", data.path, "--model", model.path, "--steps", "5",
        ])
        #expect(decode.status == 0, "\(decode.stderr)")
        #expect(decode.stdout.contains("ridge / Wiener filter") && decode.stdout.contains("Bayesian place-field"))
    }

    @Test func errorsNameTheProblem() throws {
        let folder = try TemporaryDirectory()
        let missing = try NeuroSwiftBinary.run(["pretrain", "neuroformer", folder.file("none.h5").path, "-o", folder.file("m.h5").path])
        #expect(missing.status != 0 && missing.stderr.contains("no such file"))
        let badConfig = try NeuroSwiftBinary.run(["pretrain", "neuroformer", "x.h5", "--config", "huge", "-o", "m.h5"])
        #expect(badConfig.status != 0 && badConfig.stderr.contains("--config must be mini or tiny"))
        let data = folder.file("sim.h5")
        _ = try NeuroSwiftBinary.run(["simulate", "neuroformer", "--seed", "2", "--duration", "10", "-o", data.path])
        let noModel = try NeuroSwiftBinary.run(["decode", "neuroformer", data.path, "--behaviour", data.path, "--model", data.path])
        #expect(noModel.status != 0 && noModel.stderr.contains("not a Neuroformer model"))
        let noBehaviour = try NeuroSwiftBinary.run(["decode", "neuroformer", data.path, "--model", data.path])
        #expect(noBehaviour.status != 0 && noBehaviour.stderr.contains("needs --behaviour"))
        let badTopP = try NeuroSwiftBinary.run(["generate", "neuroformer", data.path, "--model", data.path, "--top-p", "1.5"])
        #expect(badTopP.status != 0 && badTopP.stderr.contains("--top-p must be in (0, 1]"))
    }
}
