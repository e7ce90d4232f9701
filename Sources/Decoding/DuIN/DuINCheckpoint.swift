import Foundation
import NeuralNet
import NeuroCore

/// A Du-IN checkpoint that cannot be used as asked.
public enum DuINCheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    case notDuIN(file: String)
    case wrongStage(file: String, stored: String, expected: String)

    public var description: String {
        switch self {
        case .notDuIN(let file): return "\(file): not a Du-IN checkpoint (no duin_stage / duin_configuration attributes)"
        case .wrongStage(let file, let stored, let expected): return "\(file): holds a Du-IN \(stored) model, expected \(expected)"
        }
    }
}

/// HDF5 checkpoints of the Du-IN stages: NeuralNet's `Checkpoint` layout (parameters, buffers such as
/// the codebook and batch-norm statistics, provenance) plus root attributes `duin_stage`
/// ("vqvae" | "mae" | "classifier"), `duin_configuration` (JSON) and, for classifiers, `duin_meta`
/// (JSON: classes, channels, normalisation, tokens).
public enum DuINCheckpoint {
    public enum Stage: String, Sendable, Codable { case vqvae, mae, classifier }

    /// What a classifier checkpoint needs besides its weights.
    public struct ClassifierMeta: Sendable, Codable, Hashable {
        public var classes: [String]
        public var channelNames: [String]
        public var normalization: DuINNormalization
        public var tokens: Int
        /// The classifier head (nil in files written before the linear head existed: the MLP).
        public var head: DuINClassifierModel.Head?
        public init(classes: [String], channelNames: [String], normalization: DuINNormalization, tokens: Int, head: DuINClassifierModel.Head? = nil) {
            self.head = head
            self.classes = classes
            self.channelNames = channelNames
            self.normalization = normalization
            self.tokens = tokens
        }
    }

    public static func save(
        _ model: some Layer, stage: Stage, configuration: DuINConfiguration, meta: ClassifierMeta? = nil, to url: URL,
        provenance: ExportProvenance
    ) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try Checkpoint.save(to: temporary, model: model, provenance: provenance)
        let file = try HDF5File.open(at: temporary, mode: .readWrite)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try file.root.setAttribute("duin_stage", stage.rawValue)
            try file.root.setAttribute("duin_configuration", String(decoding: try encoder.encode(configuration), as: UTF8.self))
            if let meta { try file.root.setAttribute("duin_meta", String(decoding: try encoder.encode(meta), as: UTF8.self)) }
            try file.close()
        } catch {
            try? file.close()
            throw error
        }
        if FileManager.default.fileExists(atPath: url.path) {
            _ = try FileManager.default.replaceItemAt(url, withItemAt: temporary)
        } else {
            try FileManager.default.moveItem(at: temporary, to: url)
        }
    }

    /// The stage and configuration stored in `url` (and the classifier metadata, if any).
    public static func inspect(_ url: URL) throws -> (stage: Stage, configuration: DuINConfiguration, meta: ClassifierMeta?) {
        let file = try HDF5File.open(at: url)
        defer { try? file.close() }
        let root = file.root
        guard root.hasAttribute("duin_stage"), root.hasAttribute("duin_configuration"),
              let stageName = try root.attribute("duin_stage").string, let stage = Stage(rawValue: stageName),
              let json = try root.attribute("duin_configuration").string else { throw DuINCheckpointError.notDuIN(file: url.path) }
        let configuration = try JSONDecoder().decode(DuINConfiguration.self, from: Data(json.utf8))
        var meta: ClassifierMeta? = nil
        if root.hasAttribute("duin_meta"), let m = try root.attribute("duin_meta").string {
            meta = try JSONDecoder().decode(ClassifierMeta.self, from: Data(m.utf8))
        }
        return (stage, configuration, meta)
    }

    public static func loadVQVAE(_ url: URL) throws -> DuINVQVAE {
        try load(url, stage: .vqvae) { DuINVQVAE(configuration: $0, generator: &$1) }
    }

    public static func loadMAE(_ url: URL) throws -> DuINMAE {
        try load(url, stage: .mae) { DuINMAE(configuration: $0, generator: &$1) }
    }

    /// Builds the stage's model from the stored configuration (any seed: every parameter is then
    /// overwritten) and fills it from the checkpoint, refusing a checkpoint of another stage.
    private static func load<Model: Layer>(
        _ url: URL, stage expected: Stage, _ make: (DuINConfiguration, inout SeededGenerator) -> Model
    ) throws -> Model {
        let (stage, configuration, _) = try inspect(url)
        guard stage == expected else { throw DuINCheckpointError.wrongStage(file: url.path, stored: stage.rawValue, expected: expected.rawValue) }
        var g = SeededGenerator(seed: 0)
        let model = make(configuration, &g)
        try Checkpoint.load(from: url, into: model)
        return model
    }

    /// The encoder of a VQ-VAE or MAE checkpoint (what stage 3 starts from).
    public static func loadEncoder(_ url: URL) throws -> DuINEncoder {
        let (stage, _, _) = try inspect(url)
        switch stage {
        case .vqvae: return try loadVQVAE(url).encoder
        case .mae: return try loadMAE(url).encoder
        case .classifier: throw DuINCheckpointError.wrongStage(file: url.path, stored: stage.rawValue, expected: "vqvae or mae")
        }
    }

    public static func loadClassifier(_ url: URL) throws -> (model: DuINClassifierModel, meta: ClassifierMeta) {
        let (stage, configuration, meta) = try inspect(url)
        guard stage == .classifier, let meta else { throw DuINCheckpointError.wrongStage(file: url.path, stored: stage.rawValue, expected: "classifier") }
        var g = SeededGenerator(seed: 0)
        let model = DuINClassifierModel(configuration: configuration, tokens: meta.tokens, classes: meta.classes.count,
                                        head: meta.head ?? .mlp, generator: &g)
        try Checkpoint.load(from: url, into: model)
        return (model, meta)
    }
}

extension FittedDuIN {
    /// Saves the trained classifier with what prediction needs (classes, channel names, the training
    /// normalisation, tokens) as a stage-3 HDF5 checkpoint; `FittedDuIN.load` restores it.
    public func save(to url: URL, provenance: ExportProvenance) throws {
        let meta = DuINCheckpoint.ClassifierMeta(classes: classes, channelNames: channelNames, normalization: normalization, tokens: model.tokens,
                                                    head: model.hidden == nil ? .linear : .mlp)
        try DuINCheckpoint.save(model, stage: .classifier, configuration: model.configuration, meta: meta, to: url, provenance: provenance)
    }

    /// A classifier saved by `save(to:provenance:)`, ready to predict epochs that hold its channels
    /// (found by name) and at least its samples per trial. Training curves are not stored.
    public static func load(_ url: URL) throws -> FittedDuIN {
        let (model, meta) = try DuINCheckpoint.loadClassifier(url)
        return FittedDuIN(classes: meta.classes, model: model, normalization: meta.normalization, channels: Array(meta.channelNames.indices),
                          channelNames: meta.channelNames, samples: meta.tokens * model.configuration.patchLength, logs: [:],
                          screeningContributions: nil)
    }
}
