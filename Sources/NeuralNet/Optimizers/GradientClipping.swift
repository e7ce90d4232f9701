/// Rescales all gradients together so that their global L2 norm is at most `maxNorm` (PyTorch's
/// `clip_grad_norm_`: factor maxNorm/(norm + 1e-6), applied only when below 1). Returns the norm
/// before clipping, computed in Double so that large models do not lose precision.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    precondition(maxNorm > 0, "clipGradientNorm: maxNorm must be positive")
    var squares: Double = 0
    for p in parameters {
        guard let g = p.gradStorage else { continue }
        for v in g { squares += Double(v) * Double(v) }
    }
    let norm = Float(squares.squareRoot())
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 {
        for p in parameters where p.gradStorage != nil {
            p.gradStorage!.withUnsafeMutableBufferPointer { g in for i in g.indices { g[i] *= factor } }
        }
    }
    return norm
}
