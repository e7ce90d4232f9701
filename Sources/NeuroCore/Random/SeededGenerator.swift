/// The library's only source of randomness: xoshiro256** (Blackman & Vigna 2018) seeded by SplitMix64.
///
/// The algorithm is fixed and uses only 64-bit integer arithmetic, so a seed gives the same stream on
/// every platform and Swift version (unlike `SystemRandomNumberGenerator` or Foundation's generators).
/// `split()` hands out an independent child stream for a chain, restart or fold: the child's state is
/// SplitMix64-expanded from one draw of the parent, so children of children never replay their
/// parent's numbers in practice, and the set of streams depends only on the seed and the order of splits.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// Creates a generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
        // SplitMix64 never yields four zeros in a row, but keep xoshiro's all-zero state impossible anyway.
        if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        // Rotations written out with masking shifts: the same bits as rotl(x, k) = x << k | x >> (64 − k),
        // without a call and generic smart shifts per word in unoptimised (debug) builds.
        let scrambled = s1 &* 5
        let result = ((scrambled &<< 7) | (scrambled &>> 57)) &* 9
        let t = s1 &<< 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 &<< 45) | (s3 &>> 19)
        return result
    }

    /// Returns an independent generator and advances this one.
    public mutating func split() -> SeededGenerator {
        SeededGenerator(seed: next() ^ 0xD1B5_4A32_D192_ED03)
    }

    /// `count` independent generators, e.g. one per MCMC chain or cross-validation fold.
    public mutating func split(into count: Int) -> [SeededGenerator] {
        precondition(count >= 0, "split(into:) needs a non-negative count")
        return (0..<count).map { _ in split() }
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUnitInterval() -> Double {
        Double(topBits53(next())) * 0x1.0p-53
    }

    /// A uniform double in (0, 1): never 0, so safe for `log`.
    @inlinable
    public mutating func nextOpenUnitInterval() -> Double {
        (Double(topBits53(next())) + 0.5) * 0x1.0p-53
    }

    /// The top 53 bits of a word as an `Int`, exactly representable in a Double. Going through `Int`
    /// selects the concrete `Double.init(Int)`; the generic `BinaryInteger` initialiser that `UInt64`
    /// would pick is several times slower in unoptimised (debug) builds. Same values either way.
    @inlinable
    func topBits53(_ word: UInt64) -> Int { Int(truncatingIfNeeded: word &>> 11) }
}

/// SplitMix64 (Steele, Lea & Flood 2014): the recommended seeder for the xoshiro family.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
