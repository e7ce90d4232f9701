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
            "--batch-size", "8", "--current-block", "20", "-o", model.path, "--json",
        ])
        #expect(pretrain.status == 0, "\(pretrain.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(pretrain.stdout.utf8)) as? [String: Any]
        #expect(summary?["steps"] as? Int == 3)
        #expect((summary?["truncatedCurrentWindows"] as? Double).map { (0..<0.5).contains($0) } == true)
        #expect((summary?["attentionHubAUROC"] as? Double).map { (0...1).contains($0) } == true)
        for key in ["finalHubAUROC", "shuffledAttentionHubAUROC", "shuffledFinalHubAUROC"] {
            #expect((summary?[key] as? Double).map { (0...1).contains($0) } == true, "\(key)")
        }
        let file = try HDF5File.open(at: model)
        #expect(try file.root.attribute("neuroformer_configuration").string?.contains("\"modalityFeatures\":1") == true)
        #expect(try file.root.attribute("neuroformer_configuration").string?.contains("\"currentBlock\":20") == true)
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

    /// A float32 C-order NPY file (format 1.0) of `shape`.
    private static func writeNPY(_ values: [Float], shape: [Int], to url: URL) throws {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        try Data(bytes).write(to: url)
    }

    /// `pretrain --frames` at a frame rate of its own; decode and generate reuse the model's frame stream and
    /// refuse frames that are missing, of another size, too short, or given to a model without frames.
    @Test func videoFramesFlowThroughPretrainDecodeAndGenerate() throws {
        let folder = try TemporaryDirectory()
        let data = folder.file("sim.h5"), model = folder.file("model.h5"), frames = folder.file("frames.npy")
        _ = try NeuroSwiftBinary.run(["simulate", "neuroformer", "--seed", "2", "--duration", "10", "-o", data.path])
        // 10 s at 50 fps (one frame per two 10 ms bins), 8 × 12 pixels.
        try Self.writeNPY((0..<(500 * 96)).map { Float(($0 * 37) % 255) }, shape: [500, 8, 12], to: frames)
        let common = ["--frames", frames.path, "--frame-rate", "50"]
        let pretrain = try NeuroSwiftBinary.run([
            "pretrain", "neuroformer", data.path, "--config", "tiny", "--steps", "2", "--warmup", "1", "--batch-size", "8",
            "--frame-patch", "4", "-o", model.path, "--json",
        ] + common)
        #expect(pretrain.status == 0, "\(pretrain.stderr)")
        let file = try HDF5File.open(at: model)
        let configuration = try file.root.attribute("neuroformer_configuration").string ?? ""
        #expect(configuration.contains("\"frameHeight\":8") && configuration.contains("\"frameWidth\":12") && configuration.contains("\"framePatch\":4"))
        #expect(file.root.contains("model/framePatch.weight"))
        try file.close()

        let generate = try NeuroSwiftBinary.run([
            "generate", "neuroformer", data.path, "--model", model.path, "--windows", "2", "--chains", "2", "--seed", "1",
        ] + common)
        #expect(generate.status == 0, "\(generate.stderr)")
        #expect(generate.stdout.contains("2 chains × 2 windows"))
        let decode = try NeuroSwiftBinary.run(["decode", "neuroformer", data.path, "--behaviour", data.path, "--model", model.path, "--steps", "4"] + common)
        #expect(decode.status == 0, "\(decode.stderr)")

        let missing = try NeuroSwiftBinary.run(["generate", "neuroformer", data.path, "--model", model.path, "--windows", "1", "--chains", "1"])
        #expect(missing.status != 0 && missing.stderr.contains("pretrained with video frames (8×12 pixels); pass them with --frames"), "\(missing.stderr)")
        let square = folder.file("square.npy")
        try Self.writeNPY([Float](repeating: 0, count: 500 * 64), shape: [500, 8, 8], to: square)
        let wrongSize = try NeuroSwiftBinary.run([
            "generate", "neuroformer", data.path, "--model", model.path, "--windows", "1", "--frames", square.path, "--frame-rate", "50",
        ])
        #expect(wrongSize.status != 0 && wrongSize.stderr.contains("expected 8×12 pixels (the model's frame stream), found 8×8"), "\(wrongSize.stderr)")
        let short = try NeuroSwiftBinary.run([
            "decode", "neuroformer", data.path, "--behaviour", data.path, "--model", model.path, "--frames", frames.path, "--frame-rate", "100",
        ])
        #expect(short.status != 0 && short.stderr.contains("a video covering the spikes"), "\(short.stderr)")
        let perBin = try NeuroSwiftBinary.run([
            "pretrain", "neuroformer", data.path, "--config", "tiny", "--steps", "2", "--warmup", "1", "--frames", frames.path, "-o", model.path,
        ])
        #expect(perBin.status != 0 && perBin.stderr.contains("one per spike bin (1000), or a frame rate"), "\(perBin.stderr)")
        let flat = folder.file("flat.npy")
        try Self.writeNPY([Float](repeating: 0, count: 96), shape: [8, 12], to: flat)
        let rank = try NeuroSwiftBinary.run(["pretrain", "neuroformer", data.path, "--frames", flat.path, "-o", model.path])
        #expect(rank.status != 0 && rank.stderr.contains("frames × height × width, found shape [8, 12]"), "\(rank.stderr)")

        let plain = folder.file("plain.h5")
        _ = try NeuroSwiftBinary.run(["pretrain", "neuroformer", data.path, "--config", "tiny", "--steps", "2", "--warmup", "1", "--batch-size", "8", "-o", plain.path])
        let extra = try NeuroSwiftBinary.run(["generate", "neuroformer", data.path, "--model", plain.path, "--windows", "1"] + common)
        #expect(extra.status != 0 && extra.stderr.contains("the model has no frame stream"), "\(extra.stderr)")
    }
}
