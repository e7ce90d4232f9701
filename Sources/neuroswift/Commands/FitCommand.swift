import ArgumentParser
import Foundation

/// `neuroswift fit …`: fit a model to recordings and export the fit (HDF5, with provenance).
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a model to recordings and export the fit (HDF5).",
        subcommands: [FitBicluster.self, FitConnectome.self, FitStateGLM.self])
}
