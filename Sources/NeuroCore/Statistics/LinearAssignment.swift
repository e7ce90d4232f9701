/// An optimal solution of the linear sum assignment problem: pair each row of an n × m cost matrix
/// with a distinct column (min(n, m) pairs) so that the summed cost is minimal — or maximal with
/// `maximize: true`. The result has the shape of `scipy.optimize.linear_sum_assignment`'s: row
/// indices in increasing order and the column assigned to each.
///
/// Solved by shortest augmenting paths with row and column potentials (the Hungarian method in
/// Jonker–Volgenant form): each of the min(n, m) rows is added by a Dijkstra search over reduced
/// costs, so the whole solve is O(n²m) for n ≤ m (the matrix is transposed when n > m).
///
/// Infinite costs mark forbidden pairs (+∞ when minimising, −∞ when maximising), as in scipy.
public struct LinearAssignment: Sendable, Equatable {
    /// Assigned rows, increasing.
    public let rows: [Int]
    /// `columns[k]` is the column assigned to `rows[k]`.
    public let columns: [Int]
    /// Σₖ cost[rows[k], columns[k]] in the original matrix.
    public let totalCost: Double

    /// The assigned (row, column) pairs, by increasing row.
    public var pairs: [(row: Int, column: Int)] { zip(rows, columns).map { ($0, $1) } }

    /// Solves the assignment problem for `cost` (rows × columns, either orientation; an empty matrix
    /// gives an empty assignment).
    /// - Throws: `StatisticsError.invalidValue` for a NaN, or an infinity of the unbounded sign
    ///   (−∞ when minimising, +∞ when maximising); `StatisticsError.infeasibleAssignment` when the
    ///   forbidden entries leave no complete assignment.
    public init(cost: Matrix<Double>, maximize: Bool = false) throws {
        let transposed = cost.rows > cost.columns
        var work = transposed ? cost.transposed() : cost
        let what = maximize ? "linear assignment (maximising)" : "linear assignment"
        let allowed = maximize ? "a number or −∞ (forbidden pair)" : "a number or +∞ (forbidden pair)"
        for (k, value) in work.elements.enumerated() where value.isNaN || value == (maximize ? .infinity : -.infinity) {
            // Report the index in the caller's matrix, not the transposed one.
            let (i, j) = k.quotientAndRemainder(dividingBy: work.columns)
            let original = transposed ? j &* cost.columns &+ i : k
            throw StatisticsError.invalidValue(what: what, index: original, expected: allowed, found: value)
        }
        if maximize { work = -work }
        let columnOfRow: [Int]
        do {
            columnOfRow = try Self.solve(work)
        } catch StatisticsError.infeasibleAssignment {
            throw StatisticsError.infeasibleAssignment(rows: cost.rows, columns: cost.columns)
        }
        var pairs = columnOfRow.enumerated().map { transposed ? ($1, $0) : ($0, $1) }
        pairs.sort { $0.0 < $1.0 }
        rows = pairs.map { $0.0 }
        columns = pairs.map { $0.1 }
        totalCost = pairs.reduce(0) { $0 + cost[$1.0, $1.1] }
    }

    /// Minimises over a matrix with n ≤ m whose entries are finite or +∞ (forbidden); returns the
    /// column assigned to each row.
    ///
    /// Internally rows and columns are 1-based with a virtual row and column 0: `rowOfColumn[j]` is
    /// the row holding column j (0 = free), `u` and `v` are dual potentials with
    /// cost[i][j] − u[i] − v[j] ≥ 0 on every allowed pair and = 0 on the matched ones.
    static func solve(_ cost: Matrix<Double>) throws -> [Int] {
        let n = cost.rows, m = cost.columns
        precondition(n <= m, "LinearAssignment.solve expects rows ≤ columns")
        guard n > 0 else { return [] }
        // Workspaces as raw buffers: the inner loop runs O(n²m) times and should not bounds-check.
        let u = UnsafeMutableBufferPointer<Double>.allocate(capacity: n &+ 1)
        let v = UnsafeMutableBufferPointer<Double>.allocate(capacity: m &+ 1)
        let minReduced = UnsafeMutableBufferPointer<Double>.allocate(capacity: m &+ 1)
        let rowOfColumn = UnsafeMutableBufferPointer<Int>.allocate(capacity: m &+ 1)
        let way = UnsafeMutableBufferPointer<Int>.allocate(capacity: m &+ 1)
        let used = UnsafeMutableBufferPointer<Bool>.allocate(capacity: m &+ 1)
        defer {
            for buffer in [u, v, minReduced] { buffer.deallocate() }
            rowOfColumn.deallocate()
            way.deallocate()
            used.deallocate()
        }
        u.initialize(repeating: 0)
        v.initialize(repeating: 0)
        rowOfColumn.initialize(repeating: 0)
        way.initialize(repeating: 0)
        minReduced.initialize(repeating: .infinity)
        used.initialize(repeating: false)
        try cost.withUnsafeBufferPointer { c in
            for i in 1...n {
                // Grow a shortest-path tree from row i until it reaches a free column.
                rowOfColumn[0] = i
                var j0 = 0
                for j in 0...m {
                    minReduced[j] = .infinity
                    used[j] = false
                }
                repeat {
                    used[j0] = true
                    let i0 = rowOfColumn[j0]
                    let rowBase = (i0 &- 1) &* m &- 1
                    let ui0 = u[i0]
                    var delta = Double.infinity
                    var j1 = 0
                    for j in 1...m where !used[j] {
                        let entry = c[rowBase &+ j]
                        if entry < .infinity {
                            let reduced = entry - ui0 - v[j]
                            if reduced < minReduced[j] {
                                minReduced[j] = reduced
                                way[j] = j0
                            }
                        }
                        if minReduced[j] < delta {
                            delta = minReduced[j]
                            j1 = j
                        }
                    }
                    // Every column reachable from row i is matched and no allowed edge leaves the tree.
                    guard delta < .infinity else { throw StatisticsError.infeasibleAssignment(rows: n, columns: m) }
                    for j in 0...m {
                        if used[j] {
                            u[rowOfColumn[j]] += delta
                            v[j] -= delta
                        } else {
                            minReduced[j] -= delta
                        }
                    }
                    j0 = j1
                } while rowOfColumn[j0] != 0
                // Augment: shift the matching back along the path to the root.
                repeat {
                    let previous = way[j0]
                    rowOfColumn[j0] = rowOfColumn[previous]
                    j0 = previous
                } while j0 != 0
            }
        }
        var columnOfRow = [Int](repeating: -1, count: n)
        for j in 1...m where rowOfColumn[j] != 0 { columnOfRow[rowOfColumn[j] &- 1] = j &- 1 }
        return columnOfRow
    }
}
