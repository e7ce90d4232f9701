import ArgumentParser

/// `neuroswift fit …`: fit a model to a recording and export it (HDF5, with provenance).
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a model to recorded data and export the result as HDF5.",
        subcommands: [FitStateGLM.self])
}
