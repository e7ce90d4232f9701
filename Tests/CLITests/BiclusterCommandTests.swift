import Foundation
import NeuroCore
import Testing
import TestSupport

/// `neuroswift simulate bicluster` and `fit bicluster`, run as a user would (small sizes).
@Suite struct BiclusterCommandTests {
    @Test func simulateThenFitWritesTheDocumentedExport() throws {
        let folder = try TemporaryDirectory()
        let sim = folder.url.appendingPathComponent("sim.h5").path
        let made = try NeuroSwiftBinary.run(["simulate", "bicluster", "--output", sim, "--neurons", "8", "--clusters", "2", "--bins", "60", "--seed", "3"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("8 neurons × 60 bins, 2 clusters"))
        let out = folder.url.appendingPathComponent("fit.h5").path
        let fit = try NeuroSwiftBinary.run([
            "fit", "bicluster", sim, "--sweeps", "6", "--burn-in", "2", "--chains", "2", "--states", "3", "--seed", "5",
            "--sample-interval", "1", "-o", out])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("split-R̂ log-likelihood"))
        let file = try HDF5File.open(at: URL(fileURLWithPath: out))
        #expect(try file.root.dataset("clusters/neuron_labels").shape == [8])
        #expect(try file.root.dataset("clusters/posterior_similarity").shape == [8, 8])
        #expect(try file.root.dataset("states/labels").shape == [60])
        #expect(try file.root.dataset("states/posterior_similarity").shape == [60, 60])
        #expect(try file.root.dataset("traces/log_likelihood").shape == [2, 6])
        #expect(try file.root.dataset("traces/cluster_count").shape == [2, 6])
        #expect(try file.root.dataset("diagnostics/chain_neuron_labels").shape == [2, 8])
        #expect(file.root.contains("latents/chain_0/mean"))
        #expect(file.root.hasAttribute("command") && file.root.hasAttribute("seed"))
        // Every post-burn-in sweep kept: the bin similarity is exactly their average co-occupancy.
        let states = try file.root.dataset("samples/states").read(as: Int32.self)
        #expect(try file.root.dataset("samples/states").shape == [2, 4, 60])
        #expect(try file.root.dataset("samples/neuron_labels").shape == [2, 4, 8])
        let similarity = try file.root.dataset("states/posterior_similarity").read(as: Double.self)
        var worst = 0.0
        for a in 0..<60 {
            for b in 0..<60 {
                var together = 0
                for s in 0..<8 where states[s * 60 + a] == states[s * 60 + b] { together += 1 }
                worst = max(worst, abs(similarity[a * 60 + b] - Double(together) / 8))
            }
        }
        #expect(worst < 1e-12)
    }

    @Test func fitKeepsEveryKthSweepAndRejectsANegativeInterval() throws {
        let folder = try TemporaryDirectory()
        let sim = folder.url.appendingPathComponent("sim.h5").path
        _ = try NeuroSwiftBinary.run(["simulate", "bicluster", "--output", sim, "--neurons", "6", "--clusters", "2", "--bins", "40", "--seed", "1"])
        let out = folder.url.appendingPathComponent("fit.h5").path
        let fit = try NeuroSwiftBinary.run([
            "fit", "bicluster", sim, "--sweeps", "9", "--burn-in", "2", "--chains", "1", "--states", "3", "--sample-interval", "3", "-o", out])
        #expect(fit.status == 0, "\(fit.stderr)")
        let file = try HDF5File.open(at: URL(fileURLWithPath: out))
        #expect(try file.root.dataset("samples/states").shape == [1, 3, 40])  // post-burn-in sweeps 3, 6, 9 of 3…9
        let bad = try NeuroSwiftBinary.run(["fit", "bicluster", sim, "--sweeps", "4", "--sample-interval=-1", "-o", out])
        #expect(bad.status != 0 && bad.stderr.contains("sampleInterval"))
    }

    @Test func fitRejectsSpikeTimesWithoutBinWidthAndMissingFiles() throws {
        let folder = try TemporaryDirectory()
        let missing = try NeuroSwiftBinary.run(["fit", "bicluster", folder.url.appendingPathComponent("nope.csv").path, "-o", folder.url.appendingPathComponent("o.h5").path])
        #expect(missing.status != 0 && missing.stderr.contains("no such file"))
        let bad = try NeuroSwiftBinary.run(["fit", "bicluster", "x.csv", "--sweeps", "0", "-o", "o.h5"])
        #expect(bad.status != 0 && bad.stderr.contains("--sweeps"))
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func fitBinsNWBSpikeTrains() throws {
        let folder = try TemporaryDirectory()
        let nwb = try #require(SharedData.file("spikes/phy-nwb/A8604-211122.nwb")).path
        let out = folder.url.appendingPathComponent("fit.h5").path
        let noWidth = try NeuroSwiftBinary.run(["fit", "bicluster", nwb, "--sweeps", "2", "-o", out])
        #expect(noWidth.status != 0 && noWidth.stderr.contains("--bin-width"))
        let fit = try NeuroSwiftBinary.run(["fit", "bicluster", nwb, "--bin-width", "20", "--sweeps", "3", "--burn-in", "1", "--chains", "1", "--states", "3", "-o", out])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("NWB units table, 3 units"))
    }
}
