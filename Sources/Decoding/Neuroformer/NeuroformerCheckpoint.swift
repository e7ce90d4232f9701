import Foundation

/// A Neuroformer model in one HDF5 file: the parameters in the `Checkpoint` layout (`/model/<name>`,
/// float32, exact) plus the configuration as JSON in the root attribute `neuroformer_configuration`,
/// so a file alone rebuilds the model. Written atomically with the usual provenance attributes.
public enum NeuroformerCheckpoint {
    static let attribute = "neuroformer_configuration"

    public static func save(_ model: NeuroformerModel, to url: URL, provenance: ExportProvenance) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(model.configuration), as: UTF8.self)
        try HDF5File.writeAtomically(to: url) { file in
            try provenance.write(to: file)
            try file.root.setAttribute(attribute, json)
            try file.root.createGroup("model")
            for (name, tensor) in model.namedParameters {
                try file.root.createDataset("model/" + name, shape: tensor.dimensions, values: tensor.storage)
            }
        }
    }

    /// The model stored in `url` (configuration and every parameter).
    public static func load(from url: URL) throws -> NeuroformerModel {
        let configuration: NeuroformerConfiguration
        do {
            let file = try HDF5File.open(at: url)
            defer { try? file.close() }
            guard file.root.hasAttribute(attribute), let json = try file.root.attribute(attribute).string else {
                throw NeuroformerError.notANeuroformerCheckpoint(file: url.path, reason: "no \(attribute) attribute")
            }
            do {
                configuration = try JSONDecoder().decode(NeuroformerConfiguration.self, from: Data(json.utf8))
            } catch {
                throw NeuroformerError.notANeuroformerCheckpoint(file: url.path, reason: "unreadable configuration: \(error)")
            }
        }
        let model = try NeuroformerModel(configuration: configuration, seed: 0)
        try Checkpoint.load(from: url, into: model)
        return model
    }
}
