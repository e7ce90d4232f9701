import Foundation
import NeuroCore
import Testing
import TestSupport

/// `neuroswift simulate connectome` → `neuroswift fit connectome`: the documented HDF5 layout.
@Suite struct ConnectomeCommandTests {
    @Test func simulateThenFitWritesTheDocumentedLayout() throws {
        let folder = try TemporaryDirectory()
        let traces = folder.file("traces.h5")
        let simulate = try NeuroSwiftBinary.run([
            "simulate", "connectome", "--seed", "5", "--animals", "3", "--neurons", "12", "--frames", "400", "--motifs", "2",
            "--group-size", "5", "--output", traces.path,
        ])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        let out = folder.file("fit.h5")
        let fit = try NeuroSwiftBinary.run([
            "fit", "connectome", traces.path, "--window", "10", "--ranks", "1-4", "--restarts", "2", "--seed", "3", "-o", out.path,
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("selected rank 2"), "\(fit.stdout)")
        #expect(fit.stderr.isEmpty)

        let file = try HDF5File.open(at: out)
        defer { try? file.close() }
        let g = try file.root.group("connectome")
        #expect(try g.attribute("rank") == .integers([2]))
        #expect(try g.dataset("factors/time").shape == [19, 2])  // (400 − 40)/20 + 1 windows
        #expect(try g.dataset("factors/animal").shape == [3, 2])
        #expect(try g.dataset("factors/pairs").shape == [66, 2])
        #expect(try g.dataset("diagnostics/errors").shape == [4, 2])
        #expect(try g.dataset("communities/1").shape == [12])
        #expect(try g.dataset("affinity/0").shape == [12, 12])
        #expect(try g.dataset("hierarchy/0").shape.last == 12)
        #expect(try g.dataset("neuron_labels").readStrings().count == 12)
        #expect(try file.root.attribute("seed") == .unsignedIntegers([3]) || file.root.attribute("seed") == .integers([3]))
    }

    @Test func badRanksAreRejected() throws {
        let result = try NeuroSwiftBinary.run(["fit", "connectome", "/nonexistent.h5", "--ranks", "4-2", "-o", "/tmp/x.h5"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--ranks"))
    }
}
