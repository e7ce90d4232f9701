import NeuroCore
import RealModule

/// The result of a vector-quantiser call.
public struct VectorQuantizerOutput: Sendable {
    /// The nearest codes, shaped like the input, with a straight-through gradient: the forward value
    /// is the code, the backward pass hands the incoming gradient to the input unchanged.
    public let quantized: Tensor
    /// Index of the chosen code per input vector (row-major over the leading axes).
    public let indices: [Int]
    /// β·mean‖z − sg(e)‖²: pulls the encoder towards its codes.
    public let commitmentLoss: Tensor
    /// mean‖sg(z) − e‖²: moves the codes towards the encoder outputs when the codebook is trained by
    /// gradient; a constant 0 when it is EMA-updated.
    public let codebookLoss: Tensor
    /// exp(entropy) of the code usage in this batch: 1 when one code takes everything, K when all K
    /// codes are used equally.
    public let perplexity: Double

    /// The quantiser's contribution to the training loss.
    public var loss: Tensor { commitmentLoss + codebookLoss }
}

/// A vector quantiser (VQ-VAE; van den Oord et al. 2017) over the last axis of its input.
///
/// Each input vector z is replaced by its nearest code e_k in squared Euclidean distance. The codebook
/// is either a parameter trained through `codebookLoss`, or (with `decay`) a buffer updated by
/// exponential moving averages of the assigned vectors with Laplace-smoothed counts (Razavi et al.
/// 2019), which is more stable. In training it can initialise itself by k-means++ and Lloyd
/// iterations on its first batch, and restart "dead" codes (EMA usage below `deadCodeThreshold`) at
/// random vectors of the current batch (Dhariwal et al. 2020), which keeps codebook usage healthy.
public struct VectorQuantizer: Layer {
    /// `[codes, dimension]`.
    public let codebook: Tensor
    public let commitmentCost: Float
    /// EMA decay γ of the codebook statistics, or nil for a gradient-trained codebook.
    public let decay: Float?
    public let epsilon: Float
    public let deadCodeThreshold: Float?
    public let kMeansInitialization: Bool
    public let kMeansIterations: Int
    /// EMA of the number of vectors assigned to each code `[codes]` (tracked in both modes: it drives
    /// dead-code restarts).
    public let clusterSize: Tensor
    /// EMA of the sum of the vectors assigned to each code `[codes, dimension]` (EMA mode).
    public let embeddingSum: Tensor
    /// 1 once the codebook has been initialised from data (k-means mode), 0 before.
    public let initialized: Tensor

    public init(
        codes: Int, dimension: Int, commitmentCost: Float = 0.25, decay: Float? = 0.99, epsilon: Float = 1e-5,
        deadCodeThreshold: Float? = nil, kMeansInitialization: Bool = false, kMeansIterations: Int = 10,
        generator: inout SeededGenerator
    ) {
        precondition(codes > 0 && dimension > 0, "VectorQuantizer: sizes must be positive")
        if let decay { precondition(decay >= 0 && decay < 1, "VectorQuantizer: decay must be in [0, 1)") }
        let bound = 1 / Float(codes)
        codebook = Tensor.randomUniform([codes, dimension], in: -bound..<bound, generator: &generator, requiresGrad: decay == nil)
        self.commitmentCost = commitmentCost
        self.decay = decay
        self.epsilon = epsilon
        self.deadCodeThreshold = deadCodeThreshold
        self.kMeansInitialization = kMeansInitialization
        self.kMeansIterations = kMeansIterations
        clusterSize = Tensor.ones([codes])
        embeddingSum = Tensor(shape: codebook.shape, storage: codebook.storage)
        initialized = Tensor.zeros([1])
    }

    public var codes: Int { codebook.dimensions[0] }
    public var dimension: Int { codebook.dimensions[1] }

    public func callAsFunction(_ input: Tensor, training: TrainingContext? = nil) -> VectorQuantizerOutput {
        precondition(input.rank >= 1 && input.dimensions[input.rank - 1] == dimension,
                     "VectorQuantizer: input \(input.shape) must end in \(dimension)")
        let n = input.count / dimension
        if let training, kMeansInitialization, initialized.storage[0] == 0 {
            initializeWithKMeans(input.storage, generator: &training.generator)
        }
        let indices = Self.nearest(input.storage, rows: n, codebook: codebook.storage, codes: codes, dimension: dimension).indices
        let q = codebook.indexSelect(axis: 0, indices).reshaped(input.dimensions)
        let quantized = input.straightThrough(to: q.storage)
        let commitment = (input - q.detached()).square().mean() * commitmentCost
        let codebookLoss = decay == nil ? (input.detached() - q).square().mean() : Tensor(scalar: 0)

        var counts = [Float](repeating: 0, count: codes)
        for k in indices { counts[k] += 1 }
        var entropy = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / Double(n)
            entropy -= p * Double.log(p)
        }
        if let training { updateStatistics(input.storage, indices: indices, counts: counts, rows: n, generator: &training.generator) }
        return VectorQuantizerOutput(quantized: quantized, indices: indices, commitmentLoss: commitment,
                                     codebookLoss: codebookLoss, perplexity: Double.exp(entropy))
    }

    /// EMA statistics, the EMA codebook and dead-code restarts after a training batch.
    func updateStatistics(_ z: [Float], indices: [Int], counts: [Float], rows n: Int, generator: inout SeededGenerator) {
        let d = dimension, k = codes
        let gamma = decay ?? 0.99
        clusterSize.update { size in for c in 0..<k { size[c] = gamma * size[c] + (1 - gamma) * counts[c] } }
        if decay != nil {
            var sums = [Float](repeating: 0, count: k * d)
            for (i, c) in indices.enumerated() { for e in 0..<d { sums[c * d + e] += z[i * d + e] } }
            embeddingSum.update { s in for j in 0..<(k * d) { s[j] = gamma * s[j] + (1 - gamma) * sums[j] } }
            let total = clusterSize.storage.reduce(0, +)
            let sizes = clusterSize.storage, sumsEMA = embeddingSum.storage
            codebook.update { e in
                for c in 0..<k {
                    let smoothed = (sizes[c] + epsilon) / (total + Float(k) * epsilon) * total
                    for j in 0..<d { e[c * d + j] = sumsEMA[c * d + j] / smoothed }
                }
            }
        }
        guard let threshold = deadCodeThreshold else { return }
        for c in 0..<k where clusterSize.storage[c] < threshold {
            let row = generator.uniformInt(below: n)
            let vector = Array(z[(row * d)..<(row * d + d)])
            codebook.update { e in for j in 0..<d { e[c * d + j] = vector[j] } }
            embeddingSum.update { s in for j in 0..<d { s[c * d + j] = vector[j] } }
            clusterSize.update { $0[c] = 1 }
        }
    }

    /// Sets the codebook to k-means centroids of the rows of `data` (k-means++ seeding, then Lloyd
    /// iterations), and the EMA statistics to match (each cluster's size and sum).
    public func initializeWithKMeans(_ data: [Float], generator: inout SeededGenerator) {
        let d = dimension, k = codes, n = data.count / d
        precondition(n > 0 && data.count == n * d, "VectorQuantizer.initializeWithKMeans: data must be whole rows of \(d)")
        // k-means++: each next centre is drawn with probability ∝ squared distance to the nearest one.
        var centres = [Float](repeating: 0, count: k * d)
        var first = generator.uniformInt(below: n)
        for j in 0..<d { centres[j] = data[first * d + j] }
        var nearestDistance = [Double](repeating: .infinity, count: n)
        for c in 1..<k {
            var total = 0.0
            for i in 0..<n {
                var s: Float = 0
                for j in 0..<d { let t = data[i * d + j] - centres[(c - 1) * d + j]; s += t * t }
                nearestDistance[i] = Swift.min(nearestDistance[i], Double(s))
                total += nearestDistance[i]
            }
            if total > 0 {
                var u = generator.nextUnitInterval() * total
                first = n - 1
                for i in 0..<n { u -= nearestDistance[i]; if u < 0 { first = i; break } }
            } else {
                first = generator.uniformInt(below: n)  // fewer distinct points than codes
            }
            for j in 0..<d { centres[c * d + j] = data[first * d + j] }
        }
        var counts = [Float](repeating: 0, count: k)
        for _ in 0..<Swift.max(kMeansIterations, 1) {
            let indices = Self.nearest(data, rows: n, codebook: centres, codes: k, dimension: d).indices
            var sums = [Float](repeating: 0, count: k * d)
            counts = [Float](repeating: 0, count: k)
            for (i, c) in indices.enumerated() {
                counts[c] += 1
                for j in 0..<d { sums[c * d + j] += data[i * d + j] }
            }
            for c in 0..<k where counts[c] > 0 {  // empty clusters keep their centre
                for j in 0..<d { centres[c * d + j] = sums[c * d + j] / counts[c] }
            }
        }
        codebook.update { $0 = centres }
        clusterSize.update { $0 = counts.map { Swift.max($0, 1) } }
        embeddingSum.update { s in for c in 0..<k { for j in 0..<d { s[c * d + j] = centres[c * d + j] * Swift.max(counts[c], 1) } } }
        initialized.update { $0[0] = 1 }
    }

    /// Nearest code per row by ‖z‖² − 2z·e + ‖e‖² (the cross term as one sgemm).
    static func nearest(_ z: [Float], rows n: Int, codebook: [Float], codes k: Int, dimension d: Int) -> (indices: [Int], distances: [Float]) {
        var cross = [Float](repeating: 0, count: n * k)
        z.withUnsafeBufferPointer { pz in
            codebook.withUnsafeBufferPointer { pe in
                cross.withUnsafeMutableBufferPointer { pc in
                    Tensor.gemm(transA: false, transB: true, m: Int32(n), n: Int32(k), k: Int32(d), alpha: -2,
                               a: pz.baseAddress!, lda: Int32(d), b: pe.baseAddress!, ldb: Int32(d), beta: 0,
                               c: pc.baseAddress!, ldc: Int32(k))
                }
            }
        }
        var codeNorms = [Float](repeating: 0, count: k)
        for c in 0..<k { for j in 0..<d { codeNorms[c] += codebook[c * d + j] * codebook[c * d + j] } }
        var indices = [Int](repeating: 0, count: n), distances = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var best = 0
            var bestValue = Float.infinity
            for c in 0..<k {
                let v = cross[i * k + c] + codeNorms[c]
                if v < bestValue { bestValue = v; best = c }
            }
            var norm: Float = 0
            for j in 0..<d { norm += z[i * d + j] * z[i * d + j] }
            indices[i] = best
            distances[i] = Swift.max(0, bestValue + norm)
        }
        return (indices, distances)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { decay == nil ? [("codebook", codebook)] : [] }

    public var namedBuffers: [(name: String, tensor: Tensor)] {
        (decay == nil ? [] : [("codebook", codebook), ("embeddingSum", embeddingSum)])
            + [("clusterSize", clusterSize), ("initialized", initialized)]
    }
}

extension Tensor {
    /// A tensor with the given forward values whose gradient passes to `self` unchanged (the
    /// straight-through estimator).
    func straightThrough(to values: [Float]) -> Tensor {
        precondition(values.count == count, "straightThrough: \(values.count) values for \(shape)")
        let result = Tensor(shape: shape, storage: values)
        if Tensor.shouldRecord(self) {
            result.record([self]) { g in self.accumulateGrad { ga in for i in 0..<g.count { ga[i] += g[i] } } }
        }
        return result
    }
}
