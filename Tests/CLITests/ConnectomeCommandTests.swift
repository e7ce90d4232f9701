import Foundation
import NeuroCore
import Testing
import TestSupport

/// `neuroswift simulate connectome` → `neuroswift fit connectome`: the documented HDF5 layout.
@Suite struct ConnectomeCommandTests {
    /// A small simulation (3 animals × 12 neurons × 400 frames, 2 motifs of 5 neurons) for the fits below.
    static func simulateTraces(in folder: TemporaryDirectory) throws -> URL {
        let traces = folder.file("traces.h5")
        let simulate = try NeuroSwiftBinary.run([
            "simulate", "connectome", "--seed", "5", "--animals", "3", "--neurons", "12", "--frames", "400", "--motifs", "2",
            "--group-size", "5", "--output", traces.path,
        ])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        return traces
    }

    @Test func simulateThenFitWritesTheDocumentedLayout() throws {
        let folder = try TemporaryDirectory()
        let traces = try Self.simulateTraces(in: folder)
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

    /// --threads, --precision and --no-extrapolate reach the NTF options (recorded as attributes);
    /// the defaults are float32 with extrapolation on one thread; a fit with 1 or 2 threads writes the same factors.
    @Test func ntfSpeedFlags() throws {
        let folder = try TemporaryDirectory()
        let traces = try Self.simulateTraces(in: folder)
        func fit(_ name: String, _ flags: [String]) throws -> (precision: String, extrapolation: Int64, threads: Int64, time: [Double]) {
            let out = folder.file(name)
            let run = try NeuroSwiftBinary.run(["fit", "connectome", traces.path, "--window", "10", "--rank", "2", "--seed", "3", "-o", out.path] + flags)
            #expect(run.status == 0, "\(run.stderr)")
            let file = try HDF5File.open(at: out)
            defer { try? file.close() }
            let g = try file.root.group("connectome")
            guard case .strings(let precision) = try g.attribute("precision"),
                  case .integers(let extrapolation) = try g.attribute("extrapolation"),
                  case .integers(let threads) = try g.attribute("threads") else {
                Issue.record("missing NTF attributes"); return ("", -1, -1, [])
            }
            return (precision.first ?? "", extrapolation[0], threads[0], try g.dataset("factors/time").readDoubles())
        }
        let defaults = try fit("default.h5", [])
        #expect(defaults.precision == "single" && defaults.extrapolation == 1 && defaults.threads == 1)
        let one = try fit("one.h5", ["--threads", "1", "--precision", "float64", "--no-extrapolate"])
        #expect(one.precision == "double" && one.extrapolation == 0 && one.threads == 1)
        let two = try fit("two.h5", ["--threads", "2", "--precision", "float64", "--no-extrapolate"])
        #expect(two.threads == 2 && two.time == one.time)
        let explicit = try fit("explicit.h5", ["--precision", "float32", "--extrapolate"])
        #expect(explicit.precision == "single" && explicit.extrapolation == 1 && explicit.time == defaults.time)

        let bad = try NeuroSwiftBinary.run(["fit", "connectome", traces.path, "--precision", "half", "-o", folder.file("x.h5").path])
        #expect(bad.status != 0 && bad.stderr.contains("--precision"))
        let zero = try NeuroSwiftBinary.run(["fit", "connectome", traces.path, "--threads", "0", "-o", folder.file("y.h5").path])
        #expect(zero.status != 0 && zero.stderr.contains("--threads"))
    }

    @Test func badRanksAreRejected() throws {
        let result = try NeuroSwiftBinary.run(["fit", "connectome", "/nonexistent.h5", "--ranks", "4-2", "-o", "/tmp/x.h5"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--ranks"))
    }
}
