import ArgumentParser

/// `neuroswift pretrain …`: self-supervised pretraining of neural-signal models; writes HDF5 checkpoints.
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain models on unlabelled recordings (self-supervised); writes HDF5 checkpoints.",
        subcommands: [PretrainDuIN.self, PretrainNeuroformer.self])
}
