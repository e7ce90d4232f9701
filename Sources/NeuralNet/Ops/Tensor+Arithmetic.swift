// Broadcasting elementwise arithmetic. Gradients of broadcast operands are summed back over the
// broadcast axes by accumulating through the same strided plan (a stride of 0 revisits the element).

extension Tensor {
    /// Shape both operands broadcast to; traps on incompatible shapes (a programmer error).
    static func broadcastShape(_ a: Tensor, _ b: Tensor, _ op: String) -> TensorShape {
        guard let shape = a.shape.broadcast(with: b.shape) else {
            preconditionFailure("\(op): shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        return shape
    }

    /// Forward loop `out[o] = f(a[ia], b[ib])`.
    @inline(__always)
    static func binaryForward(
        _ a: Tensor, _ b: Tensor, out shape: TensorShape, plan: StridedPlan, _ f: (Float, Float) -> Float
    ) -> [Float] {
        Tensor.uninitializedStorage(shape.count) { z in
            a.storage.withUnsafeBufferPointer { pa in
                b.storage.withUnsafeBufferPointer { pb in
                    let x = pa.baseAddress!, y = pb.baseAddress!
                    if a.count == shape.count && b.count == shape.count {
                        Parallel.forEachRange(shape.count, grain: Tensor.elementwiseGrain) { range in
                            for i in range { z[i] = f(x[i], y[i]) }
                        }
                    } else {
                        plan.forEach { o, i, j in z[o] = f(x[i], y[j]) }
                    }
                }
            }
        }
    }

    static func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = broadcastShape(a, b, "add")
        let plan = StridedPlan(out: shape, a: a.shape, b: b.shape)
        let result = Tensor(shape: shape, storage: binaryForward(a, b, out: shape, plan: plan, { $0 + $1 }))
        if shouldRecord(a, b) {
            // An operand of the output's size is not broadcast: its gradient is g itself.
            func addA(_ g: UnsafeBufferPointer<Float>) {
                if a.count == shape.count { a.accumulateGrad(adding: g) } else {
                    a.accumulateGrad { ga in plan.forEach { o, i, _ in ga[i] += g[o] } }
                }
            }
            func addB(_ g: UnsafeBufferPointer<Float>) {
                if b.count == shape.count { b.accumulateGrad(adding: g) } else {
                    b.accumulateGrad { gb in plan.forEach { o, _, j in gb[j] += g[o] } }
                }
            }
            if a.count == shape.count && a.requiresGrad {
                // A residual connection: a takes over the output's gradient buffer when it has none yet.
                result.record([a, b], handOff: a, rest: { g in addB(g) }) { g in addA(g); addB(g) }
            } else if b.count == shape.count && b.requiresGrad {
                result.record([a, b], handOff: b, rest: { g in addA(g) }) { g in addA(g); addB(g) }
            } else {
                result.record([a, b]) { g in addA(g); addB(g) }
            }
        }
        return result
    }

    static func subtract(_ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = broadcastShape(a, b, "subtract")
        let plan = StridedPlan(out: shape, a: a.shape, b: b.shape)
        let result = Tensor(shape: shape, storage: binaryForward(a, b, out: shape, plan: plan, { $0 - $1 }))
        if shouldRecord(a, b) {
            result.record([a, b]) { g in
                let gp = g.baseAddress!
                a.accumulateGrad { ga in plan.forEach { o, i, _ in ga[i] += gp[o] } }
                b.accumulateGrad { gb in plan.forEach { o, _, j in gb[j] -= gp[o] } }
            }
        }
        return result
    }

    static func multiply(_ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = broadcastShape(a, b, "multiply")
        let plan = StridedPlan(out: shape, a: a.shape, b: b.shape)
        let result = Tensor(shape: shape, storage: binaryForward(a, b, out: shape, plan: plan, { $0 * $1 }))
        if shouldRecord(a, b) {
            let aData = a.storage, bData = b.storage
            result.record([a, b]) { g in
                let gp = g.baseAddress!
                a.accumulateGrad { ga in
                    bData.withUnsafeBufferPointer { y in plan.forEach { o, i, j in ga[i] += gp[o] * y[j] } }
                }
                b.accumulateGrad { gb in
                    aData.withUnsafeBufferPointer { x in plan.forEach { o, i, j in gb[j] += gp[o] * x[i] } }
                }
            }
        }
        return result
    }

    static func divide(_ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = broadcastShape(a, b, "divide")
        let plan = StridedPlan(out: shape, a: a.shape, b: b.shape)
        let result = Tensor(shape: shape, storage: binaryForward(a, b, out: shape, plan: plan, { $0 / $1 }))
        if shouldRecord(a, b) {
            let aData = a.storage, bData = b.storage
            result.record([a, b]) { g in
                let gp = g.baseAddress!
                a.accumulateGrad { ga in
                    bData.withUnsafeBufferPointer { y in plan.forEach { o, i, j in ga[i] += gp[o] / y[j] } }
                }
                b.accumulateGrad { gb in
                    aData.withUnsafeBufferPointer { x in
                        bData.withUnsafeBufferPointer { y in
                            plan.forEach { o, i, j in gb[j] -= gp[o] * x[i] / (y[j] * y[j]) }
                        }
                    }
                }
            }
        }
        return result
    }

    /// `scale * self + shift` elementwise: the single kernel behind all tensor–scalar arithmetic.
    public func affine(scale: Float, shift: Float) -> Tensor {
        let out = Tensor.uninitializedStorage(count) { z in
            storage.withUnsafeBufferPointer { x in for i in 0..<x.count { z[i] = scale * x[i] + shift } }
        }
        let result = Tensor(shape: shape, storage: out)
        if Tensor.shouldRecord(self) {
            result.record([self]) { g in
                self.accumulateGrad(overwritingFirst: { ga, overwrite in
                    if overwrite {
                        for i in 0..<g.count { ga[i] = scale * g[i] }
                    } else {
                        for i in 0..<g.count { ga[i] += scale * g[i] }
                    }
                })
            }
        }
        return result
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { add(a, b) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { subtract(a, b) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { multiply(a, b) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { divide(a, b) }
    public static prefix func - (a: Tensor) -> Tensor { a.affine(scale: -1, shift: 0) }

    public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func + (s: Float, a: Tensor) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
    public static func - (s: Float, a: Tensor) -> Tensor { a.affine(scale: -1, shift: s) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s, shift: 0) }
    public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s, shift: 0) }
    public static func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s, shift: 0) }
    /// `s / a` elementwise.
    public static func / (s: Float, a: Tensor) -> Tensor { a.pow(-1).affine(scale: s, shift: 0) }
}
