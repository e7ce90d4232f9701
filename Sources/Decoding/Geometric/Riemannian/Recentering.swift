import NeuroCore

/// Re-centring across sessions or subjects (Zanini et al. 2018; pyRiemann `TLCenter`): each group's
/// covariances are whitened by that group's own Riemannian mean, S ↦ M_g^{-1/2} S M_g^{-1/2}, so every
/// group is centred at the identity and a classifier trained on one session transfers to another.
///
/// Applied "transductively" to test groups as well: a new session's mean needs only its unlabelled
/// matrices, so nothing about the test labels leaks.
public struct Recentering: Sendable {
    public let metric: RiemannianMetric
    public let options: RiemannianMeanOptions

    public init(metric: RiemannianMetric = .riemann, options: RiemannianMeanOptions = RiemannianMeanOptions()) {
        self.metric = metric
        self.options = options
    }

    /// The matrices re-centred group by group, in their original order, and each group's mean.
    public func recentered<Group: Hashable & Sendable>(
        _ matrices: [Matrix<Double>], groups: [Group]
    ) throws -> (matrices: [Matrix<Double>], means: [Group: Matrix<Double>]) {
        try ParameterError.check(groups.count == matrices.count, "groups", expected: "one group per matrix (\(matrices.count))", found: groups.count)
        _ = try SPD.commonSize(matrices, context: "recentering")
        var members: [Group: [Int]] = [:]
        for (i, g) in groups.enumerated() { members[g, default: []].append(i) }
        var out = matrices
        var means: [Group: Matrix<Double>] = [:]
        for (group, indices) in members {
            let mean = try SPD.mean(indices.map { matrices[$0] }, metric: metric, options: options).matrix
            means[group] = mean
            let whitener = try SPD.inverseSqrt(mean)
            for i in indices { out[i] = SPD.congruence(whitener, matrices[i]) }
        }
        return (out, means)
    }
}
