import CKernels
import RealModule

/// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), with PyTorch's update rule:
///
///     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
///     p ← p − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
///
/// Weight decay is either coupled L2 (`.l2`: g ← g + λp, Adam) or decoupled (`.decoupled`: p ← p(1 − ηλ)
/// before the step, AdamW). Parameters listed in `excludedFromDecay` (typically biases, norms,
/// embeddings) get no decay.
public final class Adam: Optimizer {
    public enum WeightDecay: Sendable, Equatable {
        case none
        case l2(Float)
        case decoupled(Float)
    }

    public let parameters: [Tensor]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: WeightDecay
    /// Per parameter: whether weight decay applies.
    public let decays: [Bool]
    /// Number of steps taken per parameter (bias correction), and the moment estimates.
    public private(set) var steps: [Int]
    public private(set) var firstMoments: [[Float]]
    public private(set) var secondMoments: [[Float]]

    public init(
        parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: WeightDecay = .none, excludedFromDecay: [Tensor] = []
    ) {
        precondition(learningRate >= 0 && epsilon >= 0, "Adam: negative hyperparameter")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas must be in [0, 1)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        let excluded = Set(excludedFromDecay.map(ObjectIdentifier.init))
        decays = parameters.map { !excluded.contains(ObjectIdentifier($0)) }
        steps = Array(repeating: 0, count: parameters.count)
        firstMoments = Array(repeating: [], count: parameters.count)
        secondMoments = Array(repeating: [], count: parameters.count)
    }

    /// AdamW with PyTorch's defaults (λ = 0.01).
    public static func adamW(
        parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0.01, excludedFromDecay: [Tensor] = []
    ) -> Adam {
        Adam(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
             weightDecay: .decoupled(weightDecay), excludedFromDecay: excludedFromDecay)
    }

    public func step() {
        for (k, parameter) in parameters.enumerated() where parameter.gradStorage != nil {
            var m = firstMoments[k], v = secondMoments[k]
            firstMoments[k] = []; secondMoments[k] = []  // unique ownership while mutating
            if m.isEmpty {
                m = [Float](repeating: 0, count: parameter.count)
                v = [Float](repeating: 0, count: parameter.count)
            }
            steps[k] += 1
            let t = steps[k]
            let (b1, b2, eps, lr) = (beta1, beta2, epsilon, learningRate)
            let correction1 = Float(1 - Double.pow(Double(b1), Double(t)))  // in Double, like PyTorch
            let correction2 = Float(1 - Double.pow(Double(b2), Double(t)))
            let stepSize = lr / correction1
            let invSqrtCorrection2 = 1 / correction2.squareRoot()
            var l2: Float = 0, decoupled: Float = 0
            if decays[k] {
                switch weightDecay {
                case .none: break
                case .l2(let lambda): l2 = lambda
                case .decoupled(let lambda): decoupled = lambda
                }
            }
            _ = parameter.withValuesAndGradient { p, g, n in
                m.withUnsafeMutableBufferPointer { mb in
                    v.withUnsafeMutableBufferPointer { vb in
                        let shrink = 1 - lr * decoupled
                        // g' = g + l2·p; m, v updated; p ← p·shrink − stepSize·m/(√v·invSqrtCorrection2 + ε).
                        ck_nn_adam(p, g, mb.baseAddress!, vb.baseAddress!, n, b1, b2, l2, shrink, stepSize,
                                   invSqrtCorrection2, eps)
                    }
                }
            }
            firstMoments[k] = m
            secondMoments[k] = v
        }
    }

    func setState(first: [[Float]], second: [[Float]], steps: [Int], learningRate: Float) {
        firstMoments = first
        secondMoments = second
        self.steps = steps
        self.learningRate = learningRate
    }
}
