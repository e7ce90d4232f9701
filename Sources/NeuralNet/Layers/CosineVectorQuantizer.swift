import NeuroCore
import RealModule

/// A vector quantiser on the unit sphere, as LaBraM's and Du-IN's neural tokenizers use.
///
/// Inputs are expected ℓ2-normalised (`Tensor.l2Normalized`); the codebook holds unit vectors and each
/// input takes the code of largest cosine similarity (its Euclidean nearest neighbour on the sphere,
/// found with one gemm). The loss is only the commitment term β·mean‖u − sg(c)‖²; the codebook moves
/// by an exponential moving average of the batch mean of its assigned vectors, re-normalised:
/// c_k ← ℓ2norm(γc_k + (1 − γ)·ℓ2norm(mean of u assigned to k)), so it never receives gradients.
/// Codes nobody chose keep their value. In training it initialises itself by spherical k-means on the
/// first batch and (beyond the reference) restarts codes whose EMA usage fell below
/// `deadCodeThreshold` at random inputs of the batch, which keeps usage perplexity up on small data.
public struct CosineVectorQuantizer: Layer {
    /// `[codes, dimension]` unit rows.
    public let codebook: Tensor
    public let commitmentCost: Float
    public let decay: Float
    /// EMA of the number of inputs assigned to each code per batch `[codes]`.
    public let usage: Tensor
    public let deadCodeThreshold: Float?
    public let kMeansIterations: Int
    /// 1 once initialised from data (or when k-means initialisation is off).
    public let initialized: Tensor

    public init(
        codes: Int, dimension: Int, commitmentCost: Float = 1, decay: Float = 0.99, deadCodeThreshold: Float? = nil,
        kMeansInitialization: Bool = true, kMeansIterations: Int = 10, generator: inout SeededGenerator
    ) {
        precondition(codes > 0 && dimension > 0, "CosineVectorQuantizer: sizes must be positive")
        precondition(decay >= 0 && decay < 1, "CosineVectorQuantizer: decay must be in [0, 1)")
        var values = [Float](repeating: 0, count: codes * dimension)
        for i in values.indices { values[i] = Float(generator.standardNormal()) }
        Self.normalizeRows(&values, dimension: dimension)
        codebook = Tensor(values, shape: [codes, dimension])
        self.commitmentCost = commitmentCost
        self.decay = decay
        usage = Tensor.zeros([codes])
        self.deadCodeThreshold = deadCodeThreshold
        self.kMeansIterations = kMeansIterations
        initialized = Tensor(repeating: kMeansInitialization ? 0 : 1, shape: [1])
    }

    public var codes: Int { codebook.dimensions[0] }
    public var dimension: Int { codebook.dimensions[1] }

    /// Quantises the last axis of `input` (unit vectors). With `training` the codebook and usage
    /// statistics are updated after the assignment (so the returned codes are the pre-update ones).
    public func callAsFunction(_ input: Tensor, training: TrainingContext? = nil) -> VectorQuantizerOutput {
        precondition(input.rank >= 1 && input.dimensions[input.rank - 1] == dimension,
                     "CosineVectorQuantizer: input \(input.shape) must end in \(dimension)")
        let n = input.count / dimension
        if let training, initialized.storage[0] == 0 {
            initializeWithSphericalKMeans(input.storage, generator: &training.generator)
        }
        let indices = assign(input.storage)
        let q = codebook.indexSelect(axis: 0, indices).reshaped(input.dimensions)
        let quantized = input.straightThrough(to: q.storage)
        let commitment = (input - q).square().mean() * commitmentCost
        var counts = [Float](repeating: 0, count: codes)
        for k in indices { counts[k] += 1 }
        let perplexity = Self.perplexity(counts: counts, total: n)
        if let training { update(input.storage, indices: indices, counts: counts, generator: &training.generator) }
        return VectorQuantizerOutput(quantized: quantized, indices: indices, commitmentLoss: commitment,
                                     codebookLoss: Tensor(scalar: 0), perplexity: perplexity)
    }

    /// The code of largest cosine similarity for each row of `u` (`[n·dimension]`).
    public func assign(_ u: [Float]) -> [Int] {
        Self.bestCodes(u, rows: u.count / dimension, codebook: codebook.storage, codes: codes, dimension: dimension)
    }

    /// exp(entropy) of a usage histogram: 1 for a single code, K for K equally used codes.
    public static func perplexity(counts: [Float], total: Int) -> Double {
        guard total > 0 else { return 0 }
        var entropy = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / Double(total)
            entropy -= p * Double.log(p)
        }
        return Double.exp(entropy)
    }

    /// EMA codebook step and dead-code restarts for one training batch.
    func update(_ u: [Float], indices: [Int], counts: [Float], generator: inout SeededGenerator) {
        let d = dimension, k = codes, n = indices.count
        var means = [Float](repeating: 0, count: k * d)
        for (i, c) in indices.enumerated() { for j in 0..<d { means[c &* d &+ j] += u[i &* d &+ j] } }
        Self.normalizeRows(&means, dimension: d)
        let gamma = decay
        codebook.update { e in
            for c in 0..<k where counts[c] > 0 {
                for j in 0..<d { e[c &* d &+ j] = gamma * e[c &* d &+ j] + (1 - gamma) * means[c &* d &+ j] }
            }
            Self.normalizeRows(&e, dimension: d)
        }
        usage.update { s in for c in 0..<k { s[c] = gamma * s[c] + (1 - gamma) * counts[c] } }
        guard let threshold = deadCodeThreshold, n > 0 else { return }
        for c in 0..<k where usage.storage[c] < threshold {
            let row = generator.uniformInt(below: n)
            codebook.update { e in for j in 0..<d { e[c &* d &+ j] = u[row &* d &+ j] } }
            codebook.update { Self.normalizeRows(&$0, dimension: d) }
            usage.update { $0[c] = threshold * 4 }
        }
    }

    /// Spherical k-means (cosine assignment, re-normalised means) on the rows of `data`, seeded by
    /// k-means++ on the cosine distance 1 − ⟨u, c⟩ (so well-separated directions all get a code; with
    /// fewer distinct rows than codes the extra codes repeat rows and are restarted later). Usage
    /// statistics start at the final cluster sizes.
    public func initializeWithSphericalKMeans(_ data: [Float], generator: inout SeededGenerator) {
        let d = dimension, k = codes, n = data.count / d
        precondition(n > 0 && n * d == data.count, "CosineVectorQuantizer: k-means data must be whole rows of \(d)")
        var centres = [Float](repeating: 0, count: k * d)
        var chosen = generator.uniformInt(below: n)
        for j in 0..<d { centres[j] = data[chosen * d + j] }
        var nearest = [Double](repeating: .infinity, count: n)
        for c in 1..<k {
            var total = 0.0
            for i in 0..<n {
                var dotProduct: Float = 0
                for j in 0..<d { dotProduct += data[i &* d &+ j] * centres[(c - 1) &* d &+ j] }
                nearest[i] = Swift.min(nearest[i], Swift.max(0, 1 - Double(dotProduct)))
                total += nearest[i]
            }
            if total > 1e-12 {
                var u = generator.nextUnitInterval() * total
                chosen = n - 1
                for i in 0..<n { u -= nearest[i]; if u < 0 { chosen = i; break } }
            } else {
                chosen = generator.uniformInt(below: n)
            }
            for j in 0..<d { centres[c * d + j] = data[chosen * d + j] }
        }
        Self.normalizeRows(&centres, dimension: d)
        var counts = [Float](repeating: 0, count: k)
        for _ in 0..<Swift.max(kMeansIterations, 1) {
            let indices = Self.bestCodes(data, rows: n, codebook: centres, codes: k, dimension: d)
            var sums = [Float](repeating: 0, count: k * d)
            counts = [Float](repeating: 0, count: k)
            for (i, c) in indices.enumerated() {
                counts[c] += 1
                for j in 0..<d { sums[c * d + j] += data[i * d + j] }
            }
            Self.normalizeRows(&sums, dimension: d)
            for c in 0..<k where counts[c] > 0 { for j in 0..<d { centres[c * d + j] = sums[c * d + j] } }
        }
        codebook.update { $0 = centres }
        usage.update { $0 = counts }
        initialized.update { $0[0] = 1 }
    }

    static func bestCodes(_ u: [Float], rows n: Int, codebook: [Float], codes k: Int, dimension d: Int) -> [Int] {
        guard n > 0 else { return [] }
        var scores = [Float](repeating: 0, count: n * k)
        u.withUnsafeBufferPointer { pu in
            codebook.withUnsafeBufferPointer { pe in
                scores.withUnsafeMutableBufferPointer { ps in
                    Tensor.gemm(transA: false, transB: true, m: Int32(n), n: Int32(k), k: Int32(d), alpha: 1,
                               a: pu.baseAddress!, lda: Int32(d), b: pe.baseAddress!, ldb: Int32(d), beta: 0,
                               c: ps.baseAddress!, ldc: Int32(k))
                }
            }
        }
        var indices = [Int](repeating: 0, count: n)
        scores.withUnsafeBufferPointer { s in
            for i in 0..<n {
                var best = 0
                var bestValue = -Float.infinity
                let base = i &* k
                for c in 0..<k where s[base &+ c] > bestValue { bestValue = s[base &+ c]; best = c }
                indices[i] = best
            }
        }
        return indices
    }

    /// Scales every row of `values` to unit length (zero rows stay zero).
    static func normalizeRows(_ values: inout [Float], dimension d: Int) {
        let rows = values.count / d
        for r in 0..<rows {
            var s: Float = 0
            for j in 0..<d { s += values[r &* d &+ j] * values[r &* d &+ j] }
            guard s > 0 else { continue }
            let inverse = 1 / s.squareRoot()
            for j in 0..<d { values[r &* d &+ j] *= inverse }
        }
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [] }

    public var namedBuffers: [(name: String, tensor: Tensor)] {
        [("codebook", codebook), ("usage", usage), ("initialized", initialized)]
    }
}
