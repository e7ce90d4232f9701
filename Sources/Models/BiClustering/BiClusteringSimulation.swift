import Foundation
import NeuroCore
import RealModule

/// The paper's simulation recipe (methods note §5.1): N neurons in equal clusters, T bins, p factors per
/// cluster, two alternating regimes, NB counts.
///
/// - d_i ~ N(0, 0.5²), c_i ~ N(0, 0.5² I_p), r_i = `dispersion`;
/// - regime durations 1 + Poisson(λ_s) with λ_s ~ Gamma(100, rate 2) drawn once per regime, the two
///   regimes alternating from a random start; the chain is run for 2T bins and the first T dropped;
/// - regime 0: A = 0.01·I; regime 1: A = 1.01·blockdiag(q_j diag(rot(π/20), 1, …) q_jᵀ) with a random
///   orthogonal q_j per cluster block; b = 0 and Q = 0.01·I in both;
/// - the true latents go through the same identifiability projection as the sampler (centre, rotate).
///
/// `states[t]` is the regime governing x_{t−1} → x_t, the sampler's convention.
public struct BiClusteringSimulation: Sendable {
    public var neurons = 30
    public var clusters = 3
    public var bins = 500
    public var latentDimension = 2
    public var dispersion = 10.0
    public var binWidth = 0.1
    /// Mean of the neuron baselines d_i and standard deviation of d_i and of the loadings (paper: 0, 0.5).
    public var baselineMean = 0.0
    public var parameterScale = 0.5

    public init() {}

    public struct Result: Sendable {
        public let counts: SpikeCounts
        public let neuronLabels: [Int]
        public let states: [Int]
        /// T × D stacked latents, D = clusters·(p + 1).
        public let latents: [Double]
        public let baselines: [Double]
        /// N × p.
        public let loadings: [Double]
        public let dispersions: [Double]
        public let latentDimension: Int
    }

    public func validate() throws {
        try ParameterError.check(neurons >= 2, "neurons", expected: "≥ 2", found: neurons)
        try ParameterError.check(clusters >= 1 && clusters <= neurons, "clusters", expected: "1…neurons", found: clusters)
        try ParameterError.check(bins >= 10, "bins", expected: "≥ 10", found: bins)
        try ParameterError.check(latentDimension >= 1 && latentDimension <= 10, "latentDimension", expected: "1…10", found: latentDimension)
        try ParameterError.check(dispersion > 0 && dispersion.isFinite, "dispersion", expected: "a finite number > 0", found: dispersion)
        try ParameterError.check(binWidth > 0 && binWidth.isFinite, "binWidth", expected: "a finite number > 0", found: binWidth)
    }

    public func simulate(seed: UInt64) throws -> Result {
        try validate()
        var g = SeededGenerator(seed: seed)
        let p = latentDimension, b = p + 1, k = clusters, d = k * b
        let labels = (0..<neurons).map { $0 * k / neurons }
        var baselines = (0..<neurons).map { _ in baselineMean + parameterScale * g.standardNormal() }
        var loadings = (0..<(neurons * p)).map { _ in parameterScale * g.standardNormal() }
        // Regime 1 dynamics: a slowly expanding rotation in each cluster block.
        var a1 = [Double](repeating: 0, count: d * d)
        let angle = Double.pi / 20
        for j in 0..<k {
            var base = Matrix<Double>(rows: b, columns: b)
            for i in 0..<b { base[i, i] = 1 }
            if b >= 2 {
                base[0, 0] = Double.cos(angle); base[0, 1] = -Double.sin(angle)
                base[1, 0] = Double.sin(angle); base[1, 1] = Double.cos(angle)
            }
            let q = randomOrthogonal(b, &g)
            let block = (q * base).multiplied(by: q, transposingOther: true)
            for r in 0..<b { for c in 0..<b { a1[(j * b + r) * d + j * b + c] = 1.01 * block[r, c] } }
        }
        // Regimes: alternate, durations 1 + Poisson(λ_s).
        let lambdas = [g.gamma(shape: 100, scale: 0.5), g.gamma(shape: 100, scale: 0.5)]
        var regime = g.uniformInt(below: 2)
        var states = [Int]()
        states.reserveCapacity(2 * bins)
        while states.count < 2 * bins {
            let length = 1 + g.poisson(mean: lambdas[regime])
            for _ in 0..<length where states.count < 2 * bins { states.append(regime) }
            regime = 1 - regime
        }
        var x = [Double](repeating: 0, count: d)
        var next = x
        var latents = [Double](repeating: 0, count: bins * d)
        for t in 0..<(2 * bins) {
            for i in 0..<d {
                var v = 0.1 * g.standardNormal()
                if states[t] == 0 { v += 0.01 * x[i] } else { for j in 0..<d { v += a1[i * d + j] * x[j] } }
                next[i] = v
            }
            swap(&x, &next)
            if t >= bins { for i in 0..<d { latents[(t - bins) * d + i] = x[i] } }
        }
        let truthStates = Array(states[bins...])
        // Identifiability projection of the truth: centre, then rotate each factor block.
        for u in 0..<d {
            var mean = 0.0
            for t in 0..<bins { mean += latents[t * d + u] }
            mean /= Double(bins)
            for t in 0..<bins { latents[t * d + u] -= mean }
            let j = u / b, row = u % b
            for i in 0..<neurons where labels[i] == j {
                baselines[i] += row == 0 ? mean : loadings[i * p + row - 1] * mean
            }
        }
        for j in 0..<k {
            var rows = Matrix<Double>(rows: p, columns: bins)
            for q in 0..<p { for t in 0..<bins { rows[q, t] = latents[t * d + j * b + 1 + q] } }
            let svd = try SingularValueDecomposition(rows.transposed())   // Xᵀ = U S Vᵀ
            let v = svd.vt.transposed()
            let rotated = svd.vt * rows                                     // Vᵀ X = S Uᵀ
            for q in 0..<p { for t in 0..<bins { latents[t * d + j * b + 1 + q] = rotated[q, t] } }
            for i in 0..<neurons where labels[i] == j {
                var c = [Double](repeating: 0, count: p)
                for q in 0..<p { for s in 0..<p { c[q] += v[s, q] * loadings[i * p + s] } }
                for q in 0..<p { loadings[i * p + q] = c[q] }
            }
        }
        // Counts: NB(r, mean e^η) as a gamma–Poisson mixture.
        var counts = [Double](repeating: 0, count: neurons * bins)
        for i in 0..<neurons {
            let base = labels[i] * b
            for t in 0..<bins {
                var eta = baselines[i] + latents[t * d + base]
                for q in 0..<p { eta += loadings[i * p + q] * latents[t * d + base + 1 + q] }
                let rate = g.gamma(shape: dispersion, scale: Double.exp(eta) / dispersion)
                counts[i * bins + t] = Double(g.poisson(mean: rate))
            }
        }
        let units = (0..<neurons).map { SpikeUnit(id: $0, region: "cluster \(labels[$0])") }
        return Result(
            counts: try SpikeCounts(counts: counts, units: units, binWidth: binWidth),
            neuronLabels: labels, states: truthStates, latents: latents, baselines: baselines, loadings: loadings,
            dispersions: [Double](repeating: dispersion, count: neurons), latentDimension: p)
    }

    private func randomOrthogonal(_ n: Int, _ g: inout SeededGenerator) -> Matrix<Double> {
        // Gram–Schmidt on a Gaussian matrix (the Q of its QR decomposition).
        var q = Matrix<Double>(rows: n, columns: n)
        var columns = [[Double]]()
        for _ in 0..<n {
            var v = (0..<n).map { _ in g.standardNormal() }
            for u in columns {
                let proj = zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }
                for i in 0..<n { v[i] -= proj * u[i] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            columns.append(v.map { $0 / norm })
        }
        for (c, u) in columns.enumerated() { for r in 0..<n { q[r, c] = u[r] } }
        return q
    }
}
