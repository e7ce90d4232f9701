extension Tensor {
    /// Inverted dropout: each element is zeroed with probability `p` and survivors are scaled by
    /// 1/(1−p), so the expectation is unchanged and evaluation needs no rescaling. The mask comes from
    /// `generator`, so a seed reproduces it. Returns `self` unchanged when `p == 0`.
    public func dropout(_ p: Float, generator: inout SeededGenerator) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout: p must be in [0, 1), got \(p)")
        if p == 0 { return self }
        let scale = 1 / (1 - p)
        let keep = Double(1 - p)
        var mask = Tensor.zeroedStorage(count)
        for i in 0..<mask.count where generator.nextUnitInterval() < keep { mask[i] = scale }
        return self * Tensor(shape: shape, storage: mask)
    }
}
