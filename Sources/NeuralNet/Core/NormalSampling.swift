import RealModule

// TEMPORARY: a standard-normal sampler for initialisation until NeuroCore's
// `SeededGenerator.normal…` samplers land in main; switch to them after `git merge main`.
extension SeededGenerator {
    /// One standard-normal draw by the Box–Muller transform (the second variate is discarded so the
    /// generator carries no hidden cache and stays a plain value).
    @inlinable
    mutating func standardNormalSample() -> Double {
        let u1 = nextOpenUnitInterval()
        let u2 = nextUnitInterval()
        return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
    }
}
