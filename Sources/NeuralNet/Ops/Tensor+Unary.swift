import CKernels
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
    /// loops, so each op compiles to a plain (vectorisable) buffer loop, cut into fixed chunks that run
    /// on `KernelThreads.count` threads.
    @inline(__always)
    func unary(_ f: (Float) -> Float, derivative: @escaping (_ x: Float, _ y: Float) -> Float) -> Tensor {
        let out = Tensor.uninitializedStorage(count) { z in
            storage.withUnsafeBufferPointer { xb in
                let x = xb.baseAddress!
                Parallel.forEachRange(xb.count, grain: Tensor.elementwiseGrain) { range in
                    for i in range { z[i] = f(x[i]) }
                }
            }
        }
        let result = Tensor(shape: shape, storage: out)
        if Tensor.shouldRecord(self) {
            let xData = storage
            result.record([self]) { g in
                self.accumulateGrad(overwritingFirst: { ga, overwrite in
                    xData.withUnsafeBufferPointer { xb in
                        out.withUnsafeBufferPointer { yb in
                            let x = xb.baseAddress!, y = yb.baseAddress!, gp = g.baseAddress!
                            Parallel.forEachRange(g.count, grain: Tensor.elementwiseGrain) { range in
                                if overwrite {
                                    for i in range { ga[i] = gp[i] * derivative(x[i], y[i]) }
                                } else {
                                    for i in range { ga[i] += gp[i] * derivative(x[i], y[i]) }
                                }
                            }
                        }
                    }
                })
            }
        }
        return result
    }

    /// Elements per chunk of an elementwise kernel (fixed, so results do not depend on the thread count).
    static var elementwiseGrain: Int { Parallel.partition.grain }

    public func exp() -> Tensor { unary({ FastMath.exp($0) }, derivative: { _, y in y }) }
    public func log() -> Tensor { unary({ Float.log($0) }, derivative: { x, _ in 1 / x }) }
    public func sqrt() -> Tensor { unary({ $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }
    /// `self` raised to a constant power.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 { return unary({ $0 * $0 }, derivative: { x, _ in 2 * x }) }
        return unary({ Float.pow($0, exponent) }, derivative: { x, _ in exponent * Float.pow(x, exponent - 1) })
    }
    public func square() -> Tensor { pow(2) }
    public func abs() -> Tensor { unary({ Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }) }
    public func tanh() -> Tensor { unary({ FastMath.tanh($0) }, derivative: { _, y in 1 - y * y }) }
    public func sigmoid() -> Tensor { unary({ FastMath.logistic($0) }, derivative: { _, y in y * (1 - y) }) }
    /// max(x, 0); the subgradient at 0 is 0, as in PyTorch.
    public func relu() -> Tensor { unary({ $0 > 0 ? $0 : 0 }, derivative: { x, _ in x > 0 ? 1 : 0 }) }
    /// x·σ(x) (a.k.a. swish).
    public func silu() -> Tensor {
        unary({ $0 * FastMath.logistic($0) }, derivative: { x, _ in
            let s = FastMath.logistic(x)
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
            return unary({ x in 0.5 * x * (1 + FastMath.tanh(c * (x + k * x * x * x))) }, derivative: { x, _ in
                let t = FastMath.tanh(c * (x + k * x * x * x))
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x * x)
            })
        }
    }

    /// x·Φ(x) in one pass that also stores the derivative Φ(x) + x·φ(x) for the backward pass, which is
    /// then a single multiply: erf was the most expensive part of a transformer's MLP outside the
    /// matmuls. The kernels are CKernels' `ck_nn_gelu` / `ck_nn_mul` (AVX2/FMA when the CPU has it; the
    /// same erfc-based Φ and φ as `FastMath`).
    func exactGELU() -> Tensor {
        let record = Tensor.shouldRecord(self)
        let n = count
        var slope: [Float] = []
        let out = Tensor.uninitializedStorage(n) { z in
            storage.withUnsafeBufferPointer { xb in
                let x = xb.baseAddress!
                if record {
                    slope = Tensor.uninitializedStorage(n) { d in
                        Parallel.forEachRange(n, grain: Tensor.elementwiseGrain) { range in
                            ck_nn_gelu(x + range.lowerBound, z + range.lowerBound, d + range.lowerBound, range.count)
                        }
                    }
                } else {
                    Parallel.forEachRange(n, grain: Tensor.elementwiseGrain) { range in
                        ck_nn_gelu(x + range.lowerBound, z + range.lowerBound, nil, range.count)
                    }
                }
            }
        }
        let result = Tensor(shape: shape, storage: out)
        if record {
            let saved = SavedBuffer(slope)
            slope = []
            result.record([self]) { g in
                self.accumulateGrad(overwritingFirst: { ga, overwrite in
                    saved.withUnsafeBufferPointer { db in
                        let d = db.baseAddress!, gp = g.baseAddress!
                        Parallel.forEachRange(n, grain: Tensor.elementwiseGrain) { range in
                            let i = range.lowerBound
                            ck_nn_mul(gp + i, d + i, ga + i, range.count, overwrite ? 0 : 1)
                        }
                    }
                })
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
