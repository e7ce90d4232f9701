import NeuroCore

/// Leave-one-group-out splits (scikit-learn's `LeaveOneGroupOut`): one fold per distinct group,
/// testing on that group and training on all others. With runs or sessions as groups this is
/// leave-one-run-out, the split that keeps a recording block's slow drifts out of its own test set.
public struct LeaveOneGroupOut: Sendable, Hashable {
    public init() {}

    /// One (train, test) pair per group, in sorted group order.
    public func splits<Group: Hashable & Comparable>(_ groups: [Group]) throws -> [(train: [Int], test: [Int])] {
        let distinct = Set(groups).sorted()
        try ParameterError.check(distinct.count >= 2, "groups", expected: "at least two distinct groups", found: distinct.count)
        return distinct.map { g in
            (train: groups.indices.filter { groups[$0] != g }, test: groups.indices.filter { groups[$0] == g })
        }
    }
}
