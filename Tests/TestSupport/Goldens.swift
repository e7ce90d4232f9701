import Foundation

/// Loads golden values (JSON written once by a committed script under `scripts/goldens/`) so that
/// tests compare against the reference Python tools without needing Python.
public enum Goldens {
    public static func load<T: Decodable>(_ type: T.Type, named name: String, in bundle: Bundle) throws -> T {
        guard let url = bundle.url(forResource: name, withExtension: "json", subdirectory: "Goldens")
            ?? bundle.url(forResource: name, withExtension: "json") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Goldens/\(name).json"])
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }
}
