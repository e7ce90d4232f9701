/// Updates parameters in place from their accumulated gradients.
///
/// Optimisers are classes because they own per-parameter state (momentum, moments) that must persist
/// between steps and, later, be checkpointed. Parameters without a gradient are skipped, as in PyTorch.
public protocol Optimizer: AnyObject {
    var parameters: [Tensor] { get }
    var learningRate: Float { get set }
    /// Applies one update using the current gradients.
    func step()
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

extension Tensor {
    /// Runs `body` on the parameter values and gradient together (no allocation; the graph must already
    /// have been released by `backward()` so the storage is uniquely owned).
    @inline(__always)
    func withValuesAndGradient(_ body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void) -> Bool {
        guard let grad = gradStorage else { return false }
        grad.withUnsafeBufferPointer { g in
            storage.withUnsafeMutableBufferPointer { p in body(p.baseAddress!, g.baseAddress!, p.count) }
        }
        return true
    }
}
