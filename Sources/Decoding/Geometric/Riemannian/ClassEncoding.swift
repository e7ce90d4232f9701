import NeuroCore

/// String labels mapped to 0..<K in sorted order, the column order of every `probabilities` matrix.
struct ClassEncoding: Sendable {
    let classes: [String]
    let codes: [Int]

    init(_ labels: [String], context: String) throws {
        classes = Array(Set(labels)).sorted()
        guard classes.count >= 2 else { throw RiemannianError.tooFewClasses(context: context, found: classes) }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        codes = labels.map { index[$0]! }
    }
}
