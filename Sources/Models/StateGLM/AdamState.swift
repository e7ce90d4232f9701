import RealModule

/// Adam (Kingma & Ba 2015) over a flat parameter vector; its moments persist across M-steps as in the
/// reference, where one optimiser lives through the whole fit.
struct AdamState {
    var learningRate: Double
    var beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
    var m: [Double], v: [Double]
    var t = 0

    init(count: Int, learningRate: Double) {
        self.learningRate = learningRate
        m = [Double](repeating: 0, count: count)
        v = [Double](repeating: 0, count: count)
    }

    mutating func step(_ x: inout [Double], gradient g: [Double]) {
        t += 1
        let c1 = 1 - Double.pow(beta1, Double(t)), c2 = 1 - Double.pow(beta2, Double(t))
        let (b1, b2, lr, eps) = (beta1, beta2, learningRate, epsilon)
        for i in 0..<x.count {
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
            x[i] -= lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
        }
    }
}
