import ArgumentParser

/// `neuroswift pretrain …`: self-supervised pretraining of neural-signal models on unlabelled recordings.
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain models on unlabelled recordings (self-supervised); writes HDF5 checkpoints.",
        subcommands: [PretrainDuIN.self])
}
