import Foundation
import NeuroCore

/// The complete state of one chain after a sweep: everything the next sweep conditions on.
/// Codable so that a run can be checkpointed and resumed.
public struct BiClusteringState: Sendable, Codable, Equatable {
    /// Occupied neuron clusters k; labels are 0..<k.
    public var clusterCount: Int
    public var labels: [Int]
    /// Neuron baselines d_i, loadings c_i (N × p, row-major) and NB dispersions r_i.
    public var baselines: [Double]
    public var loadings: [Double]
    public var dispersions: [Double]
    /// Stacked latents X̃ (T × D, D = k(p+1)); cluster j owns columns j(p+1)…j(p+1)+p, the first
    /// being its baseline trajectory μ^(j).
    public var latents: [Double]
    /// ξ_t, the regime governing x_{t−1} → x_t.
    public var states: [Int]
    /// One affine dynamics per weak-limit state.
    public var dynamics: [AffineDynamics]
    public var hmm: StickyHDPHMM
    /// Sweeps completed.
    public var sweep: Int

    public var latentDimension: Int { clusterCount == 0 ? 0 : latents.count / Swift.max(states.count, 1) / clusterCount - 1 }
}
