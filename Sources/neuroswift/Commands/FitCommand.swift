import ArgumentParser

/// `neuroswift fit …`: fit a model to recordings and export the result (HDF5).
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a model to recordings and export it.",
        subcommands: [FitConnectome.self])
}
