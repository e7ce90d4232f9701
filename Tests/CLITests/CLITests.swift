import Foundation
import Testing
import TestSupport

/// End-to-end tests of the built `neuroswift` binary: what a user types, what they see.
@Suite struct CLITests {
    @Test func versionPrintsTheLibraryVersion() throws {
        let result = try NeuroSwiftBinary.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    @Test func helpListsExactlyTheWorkingCommands() throws {
        let result = try NeuroSwiftBinary.run(["--help"])
        #expect(result.status == 0)
        // Command rows are indented by two spaces; wrapped descriptions by many more.
        let listed = result.stdout.components(separatedBy: "SUBCOMMANDS:").last ?? ""
        let commands = listed.split(separator: "\n").prefix { !$0.contains("See 'neuroswift help") }
            .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(Set(commands) == ["info", "convert", "simulate", "fit", "pretrain", "decode", "generate", "benchmark", "graph", "demo"], "listed: \(commands)")
    }

    @Test func infoOnMissingFileFailsClearly() throws {
        let result = try NeuroSwiftBinary.run(["info", "/nonexistent/recording.h5"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/nonexistent/recording.h5: no such file"))
        #expect(!result.stderr.contains("HDF5-DIAG"))
    }

    @Test func infoOnCorruptFilesFailsWithoutHDF5Noise() throws {
        let folder = try TemporaryDirectory()
        let text = folder.file("notes.h5")
        try Data("not an HDF5 file\n".utf8).write(to: text)
        let result = try NeuroSwiftBinary.run(["info", text.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no HDF5 signature"))

        // A real HDF5 file cut in half: the signature is there, the rest is not.
        let whole = folder.file("whole.h5")
        #expect(try NeuroSwiftBinary.run(["simulate", "oscillations", "--output", whole.path, "--channels", "2", "--duration", "10"]).status == 0)
        let bytes = try Data(contentsOf: whole)
        let truncated = folder.file("truncated.h5")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        let cut = try NeuroSwiftBinary.run(["info", truncated.path])
        #expect(cut.status != 0)
        #expect(cut.stderr.contains("truncated.h5"))
        #expect(!cut.stderr.contains("HDF5-DIAG"), "HDF5 printed its error stack: \(cut.stderr)")
        #expect(cut.stdout.isEmpty)
    }

    @Test func simulateThenInfoThenDemo() throws {
        let folder = try TemporaryDirectory()
        let output = folder.file("oscillations.h5")
        let simulate = try NeuroSwiftBinary.run([
            "simulate", "oscillations", "--seed", "11", "--channels", "3", "--duration", "20", "--output", output.path,
        ])
        #expect(simulate.status == 0, "\(simulate.stderr)")

        let info = try NeuroSwiftBinary.run(["info", output.path])
        #expect(info.status == 0, "\(info.stderr)")
        for expected in ["/signals/data", "float32", "(3, 5000)", "deflate", "@sampling_rate = 250", "@seed = 11",
                         "/ground_truth/peak_frequency_hz", "@software = NeuroSwift"] {
            #expect(info.stdout.contains(expected), "info output lacks \(expected):\n\(info.stdout)")
        }

        // Every demo needs its sample file: the motor-imagery EDF+ of the decoding demo, the bicluster
        // counts, the connectome traces, an HMM-GLM session, a hub network and word-reading sEEG (small, so the
        // debug build stays quick).
        let mi = try NeuroSwiftBinary.run([
            "simulate", "mi-eeg", "--seed", "7", "--trials-per-class", "10", "--output", folder.file("mi-eeg.edf").path,
        ])
        #expect(mi.status == 0, "\(mi.stderr)")
        let spikes = try NeuroSwiftBinary.run([
            "simulate", "bicluster", "--neurons", "8", "--clusters", "2", "--bins", "60", "--output", folder.file("bicluster.h5").path,
        ])
        #expect(spikes.status == 0, "\(spikes.stderr)")
        let connectome = try NeuroSwiftBinary.run([
            "simulate", "connectome", "--seed", "3", "--animals", "3", "--neurons", "12", "--frames", "400", "--motifs", "2",
            "--group-size", "5", "--output", folder.file("connectome.h5").path,
        ])
        #expect(connectome.status == 0, "\(connectome.stderr)")
        let stateglm = try NeuroSwiftBinary.run([
            "simulate", "stateglm", "--seed", "5", "--states", "2", "--neurons", "4", "--bins", "200", "--sequences", "4",
            "--concentration", "1,1,1", "--output", folder.file("stateglm.h5").path,
        ])
        #expect(stateglm.status == 0, "\(stateglm.stderr)")
        let neuroformer = try NeuroSwiftBinary.run(["simulate", "neuroformer", "--seed", "5", "--duration", "20", "--output", folder.file("neuroformer.h5").path])
        #expect(neuroformer.status == 0, "\(neuroformer.stderr)")
        let duin = try NeuroSwiftBinary.run([
            "simulate", "duin", "--seed", "5", "--words", "2", "--trials-per-word", "4", "--channels", "4", "--informative", "2",
            "--unlabelled-seconds", "10", "--output", folder.file("duin-seeg.edf").path,
        ])
        #expect(duin.status == 0, "\(duin.stderr)")

        let demo = try NeuroSwiftBinary.run(["demo", "--data", folder.url.path])
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("3/3 peaks within 0.25 Hz"), "\(demo.stdout)")
        #expect(demo.stdout.contains("mi-eeg-decoding") && demo.stdout.contains("labels match"), "\(demo.stdout)")
        #expect(demo.stdout.contains("bicluster") && demo.stdout.contains("neuron ARI"), "\(demo.stdout)")
        #expect(demo.stdout.contains("motifs recovered"), "\(demo.stdout)")
        #expect(demo.stdout.contains("state accuracy ≥"), "\(demo.stdout)")
        #expect(demo.stdout.contains("next-neuron acc.") && demo.stdout.contains("xcorr"), "\(demo.stdout)")
        #expect(demo.stdout.contains("duin-seeg-decoding") && demo.stdout.contains("test accuracy scratch"), "\(demo.stdout)")
        #expect(demo.stderr.isEmpty, "no progress bar or noise when stderr is not a terminal")
    }

    @Test func demoWithoutSampleDataExplainsWhatToDo() throws {
        let folder = try TemporaryDirectory()
        let result = try NeuroSwiftBinary.run(["demo", "--data", folder.url.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("make sample-data"))
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func infoDescribesARealCalciumFile() throws {
        let file = try #require(SharedData.file("calcium/flavell-swf702/2022-07-26-31-data.h5"))
        let result = try NeuroSwiftBinary.run(["info", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        for expected in ["/gcamp/trace_array", "/behavior/velocity", "/timing/timestamp_confocal", "dataset", "group"] {
            #expect(result.stdout.contains(expected), "info output lacks \(expected)")
        }
    }
}
