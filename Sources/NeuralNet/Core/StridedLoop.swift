/// Index plans for elementwise loops over two operands that broadcast against an output.
///
/// Operands are contiguous row-major; an operand's stride is 0 along axes where it is broadcast (size
/// 1 or missing). Adjacent axes that are contiguous for every operand are merged, so a same-shape op
/// becomes one flat loop and `[N, D] + [D]` becomes N runs of D; the innermost run is a tight loop with
/// the strides hoisted (0 or 1 in practice), and the outer counter only moves once per run.
struct StridedPlan {
    /// Collapsed extents, outermost first (at least one axis).
    let extents: [Int]
    let stridesA: [Int]
    let stridesB: [Int]
    let count: Int

    /// Plan for iterating `out` (contiguous) with operands of shapes `a` and `b` broadcast to it.
    init(out: TensorShape, a: TensorShape, b: TensorShape) {
        self.init(extents: out.dimensions, stridesA: Self.broadcastStrides(a, to: out), stridesB: Self.broadcastStrides(b, to: out))
    }

    /// Plan for a reduction: iterate `input` (contiguous, operand A) with operand B = the reduced
    /// output, whose stride is 0 along reduced axes. `reduced` has the input's rank with 1s on reduced axes.
    init(input: TensorShape, reduced: TensorShape) {
        self.init(extents: input.dimensions, stridesA: input.strides, stridesB: Self.broadcastStrides(reduced, to: input))
    }

    init(extents rawExtents: [Int], stridesA rawA: [Int], stridesB rawB: [Int]) {
        var extents: [Int] = []
        var sa: [Int] = []
        var sb: [Int] = []
        for axis in 0..<rawExtents.count where rawExtents[axis] != 1 {
            let n = rawExtents[axis]
            if let last = extents.last, sa.last! == rawA[axis] * n, sb.last! == rawB[axis] * n {
                // Merge with the previous (outer) axis: both operands step through it contiguously.
                extents[extents.count - 1] = last * n
                sa[sa.count - 1] = rawA[axis]
                sb[sb.count - 1] = rawB[axis]
            } else {
                extents.append(n)
                sa.append(rawA[axis])
                sb.append(rawB[axis])
            }
        }
        if extents.isEmpty { extents = [1]; sa = [0]; sb = [0] }
        self.extents = extents
        self.stridesA = sa
        self.stridesB = sb
        self.count = extents.reduce(1, *)
    }

    /// Strides of `shape` when broadcast (right-aligned) to `target`: 0 on broadcast axes.
    static func broadcastStrides(_ shape: TensorShape, to target: TensorShape) -> [Int] {
        let own = shape.strides
        var result = [Int](repeating: 0, count: target.rank)
        let shift = target.rank - shape.rank
        precondition(shift >= 0, "broadcast: \(shape) does not fit \(target)")
        for axis in 0..<shape.rank where shape.dimensions[axis] != 1 {
            precondition(shape.dimensions[axis] == target.dimensions[axis + shift], "broadcast: \(shape) does not fit \(target)")
            result[axis + shift] = own[axis]
        }
        return result
    }

    /// Calls `body(o, a, b)` for every output offset `o` in order with the matching operand offsets.
    @inline(__always)
    func forEach(_ body: (_ o: Int, _ a: Int, _ b: Int) -> Void) {
        let rank = extents.count
        let inner = extents[rank - 1]
        let ia = stridesA[rank - 1]
        let ib = stridesB[rank - 1]
        let runs = count / Swift.max(inner, 1)
        if runs == 0 { return }
        var counters = [Int](repeating: 0, count: rank)
        var baseA = 0
        var baseB = 0
        var o = 0
        for _ in 0..<runs {
            if ia == 1 && ib == 1 {
                for j in 0..<inner { body(o &+ j, baseA &+ j, baseB &+ j) }
            } else if ia == 1 && ib == 0 {
                for j in 0..<inner { body(o &+ j, baseA &+ j, baseB) }
            } else if ia == 0 && ib == 1 {
                for j in 0..<inner { body(o &+ j, baseA, baseB &+ j) }
            } else {
                var pa = baseA
                var pb = baseB
                for j in 0..<inner { body(o &+ j, pa, pb); pa &+= ia; pb &+= ib }
            }
            o &+= inner
            var axis = rank - 2
            while axis >= 0 {
                counters[axis] &+= 1
                baseA &+= stridesA[axis]
                baseB &+= stridesB[axis]
                if counters[axis] < extents[axis] { break }
                baseA &-= stridesA[axis] &* extents[axis]
                baseB &-= stridesB[axis] &* extents[axis]
                counters[axis] = 0
                axis -= 1
            }
        }
    }
}
