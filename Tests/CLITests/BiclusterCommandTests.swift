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
        let fit = try NeuroSwiftBinary.run(["fit", "bicluster", sim, "--sweeps", "6", "--burn-in", "2", "--chains", "2", "--states", "3", "--seed", "5", "-o", out])
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
