/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay, with
/// PyTorch's update rule: g ← g + λp; b ← μb + (1 − τ)g (b = g on the first step); p ← p − η·(g + μb if
/// Nesterov, else b).
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let momentum: Float
    public let dampening: Float
    public let weightDecay: Float
    public let nesterov: Bool
    /// Momentum buffers (empty until the parameter's first step).
    public private(set) var velocity: [[Float]]

    public init(
        parameters: [Tensor], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
        weightDecay: Float = 0, nesterov: Bool = false
    ) {
        precondition(learningRate >= 0 && momentum >= 0 && weightDecay >= 0, "SGD: negative hyperparameter")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov needs momentum and no dampening")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        velocity = Array(repeating: [], count: parameters.count)
    }

    public func step() {
        let (lr, mu, tau, wd) = (learningRate, momentum, dampening, weightDecay)
        for (k, parameter) in parameters.enumerated() where parameter.gradStorage != nil {
            var buffer = velocity[k]
            velocity[k] = []  // hand the buffer over uniquely while we mutate it
            let first = buffer.isEmpty && mu != 0
            if first { buffer = [Float](repeating: 0, count: parameter.count) }
            _ = parameter.withValuesAndGradient { p, g, n in
                buffer.withUnsafeMutableBufferPointer { b in
                    for i in 0..<n {
                        var d = g[i] + wd * p[i]
                        if mu != 0 {
                            b[i] = first ? d : mu * b[i] + (1 - tau) * d
                            d = nesterov ? d + mu * b[i] : b[i]
                        }
                        p[i] -= lr * d
                    }
                }
            }
            velocity[k] = buffer
        }
    }

    func setState(velocity: [[Float]], learningRate: Float) {
        self.velocity = velocity
        self.learningRate = learningRate
    }
}
