import RealModule

/// How GELU is computed. PyTorch's default (`approximate='none'`) is the exact form, so it is ours too.
public enum GELUApproximation: Sendable {
    /// x·Φ(x) with Φ(x) = ½(1 + erf(x/√2)).
    case exact
    /// ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (Hendrycks & Gimpel 2016), PyTorch's `approximate='tanh'`.
    case tanh
}

extension Tensor {
    /// Elementwise `y = f(x)` with backward `dx += g · dfdx(x, y)`. The closures are inlined into the
    /// loops, so each op compiles to a plain buffer loop.
    @inline(__always)
    func unary(_ f: (Float) -> Float, derivative: @escaping (_ x: Float, _ y: Float) -> Float) -> Tensor {
        let out = Tensor.uninitializedStorage(count) { z in
            storage.withUnsafeBufferPointer { x in for i in 0..<x.count { z[i] = f(x[i]) } }
        }
        let result = Tensor(shape: shape, storage: out)
        if Tensor.shouldRecord(self) {
            let xData = storage
            result.record([self]) { g in
                self.accumulateGrad { ga in
                    xData.withUnsafeBufferPointer { x in
                        out.withUnsafeBufferPointer { y in
                            for i in 0..<g.count { ga[i] += g[i] * derivative(x[i], y[i]) }
                        }
                    }
                }
            }
        }
        return result
    }

    public func exp() -> Tensor { unary({ Float.exp($0) }, derivative: { _, y in y }) }
    public func log() -> Tensor { unary({ Float.log($0) }, derivative: { x, _ in 1 / x }) }
    public func sqrt() -> Tensor { unary({ $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }
    /// `self` raised to a constant power.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 { return unary({ $0 * $0 }, derivative: { x, _ in 2 * x }) }
        return unary({ Float.pow($0, exponent) }, derivative: { x, _ in exponent * Float.pow(x, exponent - 1) })
    }
    public func square() -> Tensor { pow(2) }
    public func abs() -> Tensor { unary({ Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }) }
    public func tanh() -> Tensor { unary({ Float.tanh($0) }, derivative: { _, y in 1 - y * y }) }
    public func sigmoid() -> Tensor { unary(Tensor.logistic, derivative: { _, y in y * (1 - y) }) }
    /// max(x, 0); the subgradient at 0 is 0, as in PyTorch.
    public func relu() -> Tensor { unary({ $0 > 0 ? $0 : 0 }, derivative: { x, _ in x > 0 ? 1 : 0 }) }
    /// x·σ(x) (a.k.a. swish).
    public func silu() -> Tensor {
        unary({ $0 * Tensor.logistic($0) }, derivative: { x, _ in
            let s = Tensor.logistic(x)
            return s * (1 + x * (1 - s))
        })
    }

    public func gelu(_ approximation: GELUApproximation = .exact) -> Tensor {
        switch approximation {
        case .exact:
            return exactGELU()
        case .tanh:
            let c: Float = 0.79788456080286536  // √(2/π)
            let k: Float = 0.044715
            return unary({ x in 0.5 * x * (1 + Float.tanh(c * (x + k * x * x * x))) }, derivative: { x, _ in
                let t = Float.tanh(c * (x + k * x * x * x))
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x * x)
            })
        }
    }

    /// x·Φ(x) with Φ saved for the backward pass, dy/dx = Φ(x) + x·φ(x): erf is the expensive part
    /// of a transformer's MLP outside the matmuls, so it is evaluated once per element, not twice.
    func exactGELU() -> Tensor {
        let invSqrt2: Float = 0.70710678118654752
        let invSqrt2Pi: Float = 0.39894228040143268
        let record = Tensor.shouldRecord(self)
        var phi = [Float](repeating: 0, count: record ? count : 0)
        let out = Tensor.uninitializedStorage(count) { z in
            storage.withUnsafeBufferPointer { x in
                if record {
                    phi.withUnsafeMutableBufferPointer { p in
                        for i in 0..<x.count {
                            let cdf = 0.5 * (1 + Float.erf(x[i] * invSqrt2))
                            p[i] = cdf
                            z[i] = x[i] * cdf
                        }
                    }
                } else {
                    for i in 0..<x.count { z[i] = x[i] * (0.5 * (1 + Float.erf(x[i] * invSqrt2))) }  // same rounding as above
                }
            }
        }
        let result = Tensor(shape: shape, storage: out)
        if record {
            let xData = storage
            result.record([self]) { g in
                self.accumulateGrad { ga in
                    xData.withUnsafeBufferPointer { x in
                        phi.withUnsafeBufferPointer { p in
                            for i in 0..<g.count {
                                ga[i] += g[i] * (p[i] + x[i] * invSqrt2Pi * Float.exp(-0.5 * x[i] * x[i]))
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// σ(x) = 1 / (1 + e⁻ˣ), evaluated without overflow for large |x|.
    @inline(__always)
    static func logistic(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Float.exp(-x)) }
        let e = Float.exp(x)
        return e / (1 + e)
    }
}
