/// One recorded operation: its inputs (kept alive until the backward pass) and a closure that takes
/// the gradient of the op's output and adds the input gradients into the inputs' buffers.
final class GradNode {
    let inputs: [Tensor]
    let backward: (UnsafeBufferPointer<Float>) -> Void
    /// An input whose gradient is exactly the output's (reshape, a same-shape operand of add). When it
    /// has no gradient buffer yet, `backward()` hands it the output's buffer itself — no copy — and runs
    /// `backwardAfterHandOff` for the other inputs instead of `backward`.
    let handOff: Tensor?
    let backwardAfterHandOff: ((UnsafeBufferPointer<Float>) -> Void)?

    init(
        inputs: [Tensor], backward: @escaping (UnsafeBufferPointer<Float>) -> Void, handOff: Tensor? = nil,
        backwardAfterHandOff: ((UnsafeBufferPointer<Float>) -> Void)? = nil
    ) {
        self.inputs = inputs
        self.backward = backward
        self.handOff = handOff
        self.backwardAfterHandOff = backwardAfterHandOff
    }
}

extension Tensor {
    /// Whether an op on these inputs must be recorded.
    @inline(__always)
    static func shouldRecord(_ a: Tensor) -> Bool { a.requiresGrad && GradMode.isEnabled }

    @inline(__always)
    static func shouldRecord(_ a: Tensor, _ b: Tensor) -> Bool {
        (a.requiresGrad || b.requiresGrad) && GradMode.isEnabled
    }

    static func shouldRecord(_ inputs: [Tensor]) -> Bool {
        inputs.contains { $0.requiresGrad } && GradMode.isEnabled
    }

    /// Attaches the op that produced `self`. Called by ops only when `shouldRecord` is true.
    func record(_ inputs: [Tensor], backward: @escaping (UnsafeBufferPointer<Float>) -> Void) {
        requiresGrad = true
        node = GradNode(inputs: inputs.filter { $0.requiresGrad }, backward: backward)
    }

    /// `record` for an op whose gradient with respect to `handOff` (same element count as `self`) is
    /// the output gradient unchanged; `rest` adds the other inputs' gradients.
    func record(
        _ inputs: [Tensor], handOff: Tensor, rest: @escaping (UnsafeBufferPointer<Float>) -> Void,
        backward: @escaping (UnsafeBufferPointer<Float>) -> Void
    ) {
        precondition(handOff.count == count, "record: hand-off input must have the output's size")
        requiresGrad = true
        node = GradNode(inputs: inputs.filter { $0.requiresGrad }, backward: backward,
                        handOff: handOff.requiresGrad ? handOff : nil, backwardAfterHandOff: rest)
    }

    /// Adds into this tensor's gradient buffer, creating it (zeroed) on first use. Does nothing when the
    /// tensor takes no gradient, so backward closures may call it unconditionally.
    @inline(__always)
    func accumulateGrad(_ body: (UnsafeMutablePointer<Float>) -> Void) {
        guard requiresGrad else { return }
        if gradStorage == nil { gradStorage = Tensor.zeroedStorage(count) }
        gradStorage!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    /// Like `accumulateGrad(_:)`, but on the first contribution the buffer is handed over uninitialised
    /// (`overwrite == true`) and `body` must write every element instead of adding: a gemm then runs
    /// with beta = 0 and an elementwise backward stores instead of loading, adding and storing, and no
    /// zero-filling pass is needed.
    @inline(__always)
    func accumulateGrad(overwritingFirst body: (_ grad: UnsafeMutablePointer<Float>, _ overwrite: Bool) -> Void) {
        guard requiresGrad else { return }
        if gradStorage == nil {
            gradStorage = Tensor.uninitializedStorage(count) { body($0, true) }
            return
        }
        gradStorage!.withUnsafeMutableBufferPointer { body($0.baseAddress!, false) }
    }

    /// Adds a gradient of this tensor's own size (a pass-through such as reshape or a same-shape add). The
    /// first contribution is copied instead of added to a zero-filled buffer: one pass instead of three.
    @inline(__always)
    func accumulateGrad(adding g: UnsafeBufferPointer<Float>) {
        guard requiresGrad else { return }
        precondition(g.count == count, "accumulateGrad: \(g.count) values for \(count) elements")
        if gradStorage == nil {
            gradStorage = Tensor.uninitializedStorage(count) { $0.initialize(from: g.baseAddress!, count: g.count) }
            return
        }
        gradStorage!.withUnsafeMutableBufferPointer { ga in
            let dst = ga.baseAddress!, src = g.baseAddress!
            for i in 0..<g.count { dst[i] += src[i] }
        }
    }

    /// Reverse-mode differentiation from a one-element tensor: adds d self / d leaf into every leaf's
    /// `grad` (accumulating across calls until `zeroGrad()`), then frees the graph.
    public func backward() {
        precondition(count == 1, "backward() needs a scalar; use backward(gradient:) for shape \(shape)")
        backward(gradient: [1])
    }

    /// Reverse-mode differentiation with an explicit output gradient of this tensor's shape.
    public func backward(gradient: [Float]) {
        precondition(gradient.count == count, "backward(gradient:) needs \(count) values")
        precondition(requiresGrad, "backward(): this tensor does not require grad")
        guard node != nil else {  // a leaf: its gradient is the seed
            accumulateGrad { g in for i in 0..<gradient.count { g[i] += gradient[i] } }
            return
        }
        let order = topologicalOrder()
        accumulateGrad { g in for i in 0..<gradient.count { g[i] += gradient[i] } }
        for tensor in order.reversed() {
            guard let node = tensor.node else { continue }
            if let g = tensor.gradStorage {
                if let target = node.handOff, target.gradStorage == nil, let rest = node.backwardAfterHandOff {
                    // The output's gradient buffer becomes the input's: once `g` goes out of scope the
                    // input owns it alone, and later contributions add in place.
                    tensor.gradStorage = nil
                    target.gradStorage = g
                    g.withUnsafeBufferPointer { rest($0) }
                } else {
                    g.withUnsafeBufferPointer { node.backward($0) }
                }
            }
            // Free the graph as we go: intermediate gradients and the closures' captured activations
            // (large buffers return to the pool for the next step).
            tensor.node = nil
            if let g = tensor.gradStorage {
                tensor.gradStorage = nil
                BufferPool.recycle(g)
            }
        }
    }

    /// Results reachable from `self`, each after all of its inputs (iterative DFS, post-order).
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (tensor, next) = stack.popLast() {
            guard let node = tensor.node else { continue }
            if next < node.inputs.count {
                stack.append((tensor, next + 1))
                let input = node.inputs[next]
                if input.node != nil, visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(tensor)
            }
        }
        return order
    }
}
