/// Stratified k-fold cross-validation splits: each fold keeps the class proportions of the labels.
///
/// Within each class, samples are shuffled with the seed (when `shuffle` is on) and dealt to folds in
/// turn, so every fold gets ⌊n_c/k⌋ or ⌈n_c/k⌉ samples of class c, as scikit-learn's
/// `StratifiedKFold` guarantees. Same seed, same folds.
public struct StratifiedKFold: Sendable, Hashable {
    public let folds: Int
    public let shuffle: Bool

    public init(folds: Int = 5, shuffle: Bool = true) throws {
        try ParameterError.check(folds >= 2, "folds", expected: "an integer ≥ 2", found: folds)
        self.folds = folds
        self.shuffle = shuffle
    }

    /// One (train, test) pair of sample indices per fold; test sets partition `0..<labels.count`.
    public func splits<Label: Hashable>(
        _ labels: [Label], seed: UInt64
    ) throws -> [(train: [Int], test: [Int])] {
        var byClass: [Label: [Int]] = [:]
        var order: [Label] = []
        for (i, label) in labels.enumerated() {
            if byClass[label] == nil { order.append(label) }
            byClass[label, default: []].append(i)
        }
        for label in order where byClass[label]!.count < folds {
            throw ParameterError(
                "folds", expected: "at most \(byClass[label]!.count) (members of class \(label))", found: folds)
        }
        var generator = SeededGenerator(seed: seed)
        var testSets = [[Int]](repeating: [], count: folds)
        var next = 0
        for label in order {
            var members = byClass[label]!
            if shuffle { members.shuffle(using: &generator) }
            for index in members {
                testSets[next].append(index)
                next = (next + 1) % folds
            }
        }
        return testSets.map { test in
            let held = Set(test)
            return (train: labels.indices.filter { !held.contains($0) }, test: test.sorted())
        }
    }
}
