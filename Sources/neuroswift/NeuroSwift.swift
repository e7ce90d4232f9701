import ArgumentParser
import NeuroCore

@main
struct NeuroSwiftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neuroswift",
        abstract: "Load, model and decode neural recordings.",
        version: NeuroSwiftVersion.current,
        subcommands: [
            InfoCommand.self, ConvertCommand.self, SimulateCommand.self, FitCommand.self, PretrainCommand.self, DecodeCommand.self,
            GenerateCommand.self, BenchmarkCommand.self, GraphCommand.self, DemoCommand.self,
        ])
}
