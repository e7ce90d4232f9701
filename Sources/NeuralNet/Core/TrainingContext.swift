/// The randomness of one training forward pass. Layers with stochastic or batch-dependent behaviour
/// (dropout, batch statistics) take a `TrainingContext?`: a context means "training", nil means
/// evaluation, so an evaluation call can never draw random numbers by accident.
///
/// A class so that nested layers share one stream without threading `inout` through every call;
/// like `Tensor`, it may be handed between tasks but not used from two at once.
public final class TrainingContext: @unchecked Sendable {
    public var generator: SeededGenerator

    public init(generator: SeededGenerator) { self.generator = generator }

    public convenience init(seed: UInt64) { self.init(generator: SeededGenerator(seed: seed)) }
}

extension SeededGenerator {
    /// A generator for item `index` of stream `stream` under `seed`, computed without drawing from any
    /// other generator. Training derives each epoch's shuffle and each step's dropout this way, so a
    /// run resumed from a checkpoint (which stores the seed and the counters) replays exactly the
    /// numbers the uninterrupted run would have drawn.
    public static func derived(seed: UInt64, stream: UInt64, index: UInt64) -> SeededGenerator {
        var mixer = SplitMix64(state: seed)
        let a = mixer.next() ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        var second = SplitMix64(state: a)
        let b = second.next() ^ (index &* 0xC2B2_AE3D_27D4_EB4F)
        var third = SplitMix64(state: b)
        return SeededGenerator(seed: third.next())
    }
}

extension Tensor {
    /// Dropout when `training` is non-nil (drawing the mask from its generator), identity otherwise.
    public func dropout(_ p: Float, training: TrainingContext?) -> Tensor {
        guard let training, p > 0 else { return self }
        return dropout(p, generator: &training.generator)
    }
}
