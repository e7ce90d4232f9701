import Dispatch

/// The two passes over the tensor that each CP iteration needs, as hand-written SIMD kernels on the
/// (T·W) × P unfolding X₍₀₁₎ (rows = (time, animal), columns = pairs):
///
/// - `rowsTimesFactor`: Y = X₍₀₁₎ · C, the shared half of the time and animal MTTKRPs;
/// - `transposeTimesKhatriRao`: M₂ = X₍₀₁₎ᵀ · (A ⊙ B), the pair-mode MTTKRP, with each row of A ⊙ B
///   made on the fly from A[t] ∘ B[w] (no Khatri–Rao buffer at all).
///
/// Why not BLAS `gemm`: with R ≈ 4 columns the products are matrix–skinny-matrix, where OpenBLAS
/// spends its time packing the big operand; these kernels read X once, four rows at a time (four
/// independent accumulators, each factor value loaded once per four rows), and were 1.2–1.6× faster
/// than `dgemm` here. Rank is padded to whole SIMD4 chunks (`chunks` = ⌈R/4⌉) with zero columns.
///
/// Single precision (`Float` tensor): products are summed in Float over short runs (64 pairs for Y,
/// 32 rows for M₂) and the runs in Double, so the error stays at a few Float ulps of each run
/// (≈ 1e-7 relative) instead of growing with P or T·W; factors and all solver algebra stay in Double.
/// This halves memory traffic and doubles the SIMD width, ≈ 2× per pass.
enum CPKernels {
    typealias D4 = SIMD4<Double>
    typealias F4 = SIMD4<Float>

    @inline(__always) static func widen(_ f: F4) -> D4 { D4(Double(f[0]), Double(f[1]), Double(f[2]), Double(f[3])) }

    // MARK: Y = X · C

    /// y[row·chunks + j] = Σ_p x[row·pairs + p] · c[p·chunks + j] for `rows`.
    static func rowsTimesFactor(
        x: UnsafePointer<Double>, pairs: Int, c: UnsafePointer<D4>, chunks: Int, y: UnsafeMutablePointer<D4>, rows: Range<Int>
    ) {
        var row = rows.lowerBound
        while row &+ 4 <= rows.upperBound {
            let x0 = x + row &* pairs, x1 = x0 + pairs, x2 = x1 + pairs, x3 = x2 + pairs
            for j in 0..<chunks {
                var a0 = D4(), a1 = D4(), a2 = D4(), a3 = D4()
                var cp = c + j
                for p in 0..<pairs {
                    let cv = cp.pointee
                    a0 += D4(repeating: x0[p]) * cv; a1 += D4(repeating: x1[p]) * cv
                    a2 += D4(repeating: x2[p]) * cv; a3 += D4(repeating: x3[p]) * cv
                    cp += chunks
                }
                y[row &* chunks &+ j] = a0; y[(row &+ 1) &* chunks &+ j] = a1
                y[(row &+ 2) &* chunks &+ j] = a2; y[(row &+ 3) &* chunks &+ j] = a3
            }
            row &+= 4
        }
        while row < rows.upperBound {
            let x0 = x + row &* pairs
            for j in 0..<chunks {
                var a0 = D4()
                for p in 0..<pairs { a0 += D4(repeating: x0[p]) * c[p &* chunks &+ j] }
                y[row &* chunks &+ j] = a0
            }
            row &+= 1
        }
    }

    /// As above with a Float tensor and Float copy of C, Float sums over runs of 64 pairs.
    static func rowsTimesFactor(
        x: UnsafePointer<Float>, pairs: Int, c: UnsafePointer<F4>, chunks: Int, y: UnsafeMutablePointer<D4>, rows: Range<Int>
    ) {
        let run = 64
        var row = rows.lowerBound
        while row &+ 4 <= rows.upperBound {
            let x0 = x + row &* pairs, x1 = x0 + pairs, x2 = x1 + pairs, x3 = x2 + pairs
            for j in 0..<chunks {
                var d0 = D4(), d1 = D4(), d2 = D4(), d3 = D4()
                var p0 = 0
                while p0 < pairs {
                    let end = min(pairs, p0 &+ run)
                    var a0 = F4(), a1 = F4(), a2 = F4(), a3 = F4()
                    var cp = c + (p0 &* chunks &+ j)
                    for p in p0..<end {
                        let cv = cp.pointee
                        a0 += F4(repeating: x0[p]) * cv; a1 += F4(repeating: x1[p]) * cv
                        a2 += F4(repeating: x2[p]) * cv; a3 += F4(repeating: x3[p]) * cv
                        cp += chunks
                    }
                    d0 += widen(a0); d1 += widen(a1); d2 += widen(a2); d3 += widen(a3)
                    p0 = end
                }
                y[row &* chunks &+ j] = d0; y[(row &+ 1) &* chunks &+ j] = d1
                y[(row &+ 2) &* chunks &+ j] = d2; y[(row &+ 3) &* chunks &+ j] = d3
            }
            row &+= 4
        }
        while row < rows.upperBound {
            let x0 = x + row &* pairs
            for j in 0..<chunks {
                var d0 = D4()
                for p in 0..<pairs { d0 += D4(repeating: Double(x0[p])) * widen(c[p &* chunks &+ j]) }
                y[row &* chunks &+ j] = d0
            }
            row &+= 1
        }
    }

    // MARK: M₂ = Xᵀ · (A ⊙ B)

    /// m[p·chunks + j] += Σ_{row ∈ rows} x[row·pairs + p] · (a[t] ∘ b[w])[j], row = t·animals + w.
    static func transposeTimesKhatriRao(
        x: UnsafePointer<Double>, pairs: Int, animals: Int, a: UnsafePointer<D4>, b: UnsafePointer<D4>, chunks: Int,
        m: UnsafeMutablePointer<D4>, rows: Range<Int>
    ) {
        @inline(__always) func kr(_ row: Int, _ j: Int) -> D4 {
            a[(row / animals) &* chunks &+ j] * b[(row % animals) &* chunks &+ j]
        }
        var row = rows.lowerBound
        while row &+ 4 <= rows.upperBound {
            let x0 = x + row &* pairs, x1 = x0 + pairs, x2 = x1 + pairs, x3 = x2 + pairs
            for j in 0..<chunks {
                let k0 = kr(row, j), k1 = kr(row &+ 1, j), k2 = kr(row &+ 2, j), k3 = kr(row &+ 3, j)
                var mp = m + j
                for p in 0..<pairs {
                    var v = mp.pointee
                    v += D4(repeating: x0[p]) * k0; v += D4(repeating: x1[p]) * k1
                    v += D4(repeating: x2[p]) * k2; v += D4(repeating: x3[p]) * k3
                    mp.pointee = v
                    mp += chunks
                }
            }
            row &+= 4
        }
        while row < rows.upperBound {
            let x0 = x + row &* pairs
            for j in 0..<chunks {
                let k0 = kr(row, j)
                for p in 0..<pairs { m[p &* chunks &+ j] += D4(repeating: x0[p]) * k0 }
            }
            row &+= 1
        }
    }

    /// As above with a Float tensor: Float sums over runs of 32 rows in `scratch` (pairs × chunks),
    /// flushed into the Double `m` after each run.
    static func transposeTimesKhatriRao(
        x: UnsafePointer<Float>, pairs: Int, animals: Int, a: UnsafePointer<D4>, b: UnsafePointer<D4>, chunks: Int,
        m: UnsafeMutablePointer<D4>, scratch: UnsafeMutablePointer<F4>, rows: Range<Int>
    ) {
        @inline(__always) func kr(_ row: Int, _ j: Int) -> F4 {
            let v = a[(row / animals) &* chunks &+ j] * b[(row % animals) &* chunks &+ j]
            return F4(Float(v[0]), Float(v[1]), Float(v[2]), Float(v[3]))
        }
        let run = 32
        let width = pairs &* chunks
        var start = rows.lowerBound
        while start < rows.upperBound {
            let end = min(rows.upperBound, start &+ run)
            for k in 0..<width { scratch[k] = F4() }
            var row = start
            while row &+ 4 <= end {
                let x0 = x + row &* pairs, x1 = x0 + pairs, x2 = x1 + pairs, x3 = x2 + pairs
                for j in 0..<chunks {
                    let k0 = kr(row, j), k1 = kr(row &+ 1, j), k2 = kr(row &+ 2, j), k3 = kr(row &+ 3, j)
                    var sp = scratch + j
                    for p in 0..<pairs {
                        var v = sp.pointee
                        v += F4(repeating: x0[p]) * k0; v += F4(repeating: x1[p]) * k1
                        v += F4(repeating: x2[p]) * k2; v += F4(repeating: x3[p]) * k3
                        sp.pointee = v
                        sp += chunks
                    }
                }
                row &+= 4
            }
            while row < end {
                let x0 = x + row &* pairs
                for j in 0..<chunks {
                    let k0 = kr(row, j)
                    for p in 0..<pairs { scratch[p &* chunks &+ j] += F4(repeating: x0[p]) * k0 }
                }
                row &+= 1
            }
            for k in 0..<width { m[k] += widen(scratch[k]) }
            start = end
        }
    }

    // MARK: Splitting rows over threads

    /// Row ranges (multiples of 4 except the last) for `parts` workers.
    static func split(rows: Int, parts: Int) -> [Range<Int>] {
        guard parts > 1 else { return [0..<rows] }
        let quads = (rows + 3) / 4
        return (0..<parts).map { k in
            let lo = min(rows, (quads * k / parts) * 4), hi = min(rows, (quads * (k + 1) / parts) * 4)
            return lo..<hi
        }
    }
}

/// A raw pointer that may cross into `concurrentPerform` workers: each worker writes a disjoint
/// range (or its own slice), and the caller reads only after all have finished.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    init(_ base: UnsafePointer<T>) { self.base = UnsafeMutablePointer(mutating: base) }
}
