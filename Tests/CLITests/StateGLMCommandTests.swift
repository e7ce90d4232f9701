import Foundation
import NeuroCore
import Testing
import TestSupport

/// `neuroswift simulate stateglm` → `neuroswift fit stateglm` → the exported HDF5.
@Suite struct StateGLMCommandTests {
    @Test func simulateThenFitWritesTheExport() throws {
        let folder = try TemporaryDirectory()
        let data = folder.file("stateglm.h5")
        let simulate = try NeuroSwiftBinary.run([
            "simulate", "stateglm", "--seed", "3", "--states", "2", "--neurons", "4", "--bins", "200", "--sequences", "3",
            "--output", data.path,
        ])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        let sim = try HDF5File.open(at: data)
        #expect(try sim.root.dataset("spikes/counts").shape == [3, 200, 4])
        #expect(try sim.root.dataset("ground_truth/states").shape == [3, 200])
        #expect(try sim.root.dataset("ground_truth/weights").shape == [2, 4, 4])
        try sim.close()

        let output = folder.file("fit.h5")
        let fit = try NeuroSwiftBinary.run([
            "fit", "stateglm", data.path, "--states", "2", "--prior", "onehot", "--epochs", "2", "--steps", "5",
            "--warm-start", "1", "--seed", "4", "-o", output.path,
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("onehot HMM-GLM, 2 states, 4 neurons, 3 sequences, 600 bins"))
        let file = try HDF5File.open(at: output)
        let root = file.root
        #expect(try root.attribute("command").string?.contains("fit stateglm") == true)
        #expect(try root.attribute("seed").double == 4)
        #expect(try root.attribute("input_sha256").string?.count == 64)
        #expect(try root.group("model").attribute("prior").string == "onehot")
        #expect(try root.dataset("model/weights").shape == [2, 4, 4])
        #expect(try root.dataset("model/types").shape == [2, 4, 4])
        #expect(try root.dataset("model/prior/type_probabilities").shape == [4, 4, 3])
        let transition = try root.dataset("model/transition").readDoubles()
        #expect(abs(transition[0] + transition[1] - 1) < 1e-9)
        let posterior = try root.dataset("states/posterior_2").readDoubles()
        #expect(posterior.count == 400)
        for t in 0..<200 { #expect(abs(posterior[2 * t] + posterior[2 * t + 1] - 1) < 1e-9) }
        let path = try root.dataset("states/viterbi_0").read(as: Int32.self)
        #expect(path.count == 200 && path.allSatisfy { $0 == 0 || $0 == 1 })
        // Warm start (1 epoch + final) then the one-hot fit: 2 epochs + final.
        #expect(try root.dataset("fit/objective_trace").shape == [3])
        #expect(try root.group("fit").attribute("log_likelihood_per_bin").double.map { $0 < 0 && $0.isFinite } == true)
    }

    @Test func fitRejectsBadInputs() throws {
        let folder = try TemporaryDirectory()
        let missing = try NeuroSwiftBinary.run(["fit", "stateglm", folder.file("none.h5").path, "-o", folder.file("o.h5").path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no such file"))
        let csv = folder.file("counts.csv")
        try Data("0,1,2\n1,-1,0\n".utf8).write(to: csv)
        let negative = try NeuroSwiftBinary.run(["fit", "stateglm", csv.path, "--states", "2", "-o", folder.file("o.h5").path])
        #expect(negative.status != 0)
        #expect(negative.stderr.contains("counts: expected non-negative integers"), "\(negative.stderr)")
        let badLink = try NeuroSwiftBinary.run(["fit", "stateglm", csv.path, "--link", "tanh", "-o", folder.file("o.h5").path])
        #expect(badLink.status != 0)
        #expect(badLink.stderr.contains("--link"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("o.h5").path))
    }
}
