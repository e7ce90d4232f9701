/// Indexing of the unordered neuron pairs i < j that form the pair mode of the affinity tensor.
///
/// Pairs are numbered row by row through the strict upper triangle — (0,1), (0,2), …, (0,N−1),
/// (1,2), … — as numpy's `triu_indices(N, 1)` orders them, so factors written to disk can be
/// reshaped by the same call in Python.
public struct NeuronPairs: Sendable, Hashable {
    public let neuronCount: Int

    public init(neuronCount: Int) {
        precondition(neuronCount >= 0, "neuronCount must be ≥ 0")
        self.neuronCount = neuronCount
    }

    /// N(N−1)/2.
    public var count: Int { neuronCount * (neuronCount - 1) / 2 }

    /// Index of the pair {i, j}, i ≠ j (order of the two does not matter).
    @inlinable public func index(_ i: Int, _ j: Int) -> Int {
        let (a, b) = i < j ? (i, j) : (j, i)
        return a &* (2 &* neuronCount &- a &- 1) / 2 &+ (b &- a &- 1)
    }

    /// The two neurons (i < j) of pair `p`.
    public func neurons(of p: Int) -> (Int, Int) {
        var i = 0
        var start = 0
        while start + (neuronCount - i - 1) <= p {
            start += neuronCount - i - 1
            i += 1
        }
        return (i, i + 1 + (p - start))
    }

    /// The symmetric N × N matrix (zero diagonal) whose upper triangle is `pairValues`.
    public func matrix(from pairValues: [Double]) -> Matrix<Double> {
        precondition(pairValues.count == count, "pairValues must have N(N−1)/2 entries")
        var m = Matrix<Double>(rows: neuronCount, columns: neuronCount)
        var p = 0
        for i in 0..<neuronCount {
            for j in (i + 1)..<max(i + 1, neuronCount) {
                m[i, j] = pairValues[p]
                m[j, i] = pairValues[p]
                p += 1
            }
        }
        return m
    }
}

extension NeuronPairs {
    /// Weighted degree (strength) of every neuron in the affinity graph given by `pairValues`.
    public func strengths(_ pairValues: [Double]) -> [Double] {
        precondition(pairValues.count == count, "pairValues must have N(N−1)/2 entries")
        var s = [Double](repeating: 0, count: neuronCount)
        var p = 0
        for i in 0..<neuronCount {
            for j in (i + 1)..<max(i + 1, neuronCount) {
                s[i] += pairValues[p]
                s[j] += pairValues[p]
                p += 1
            }
        }
        return s
    }

    /// The `k` neurons of largest strength, in decreasing order of strength.
    public func topNeurons(_ pairValues: [Double], count k: Int) -> [Int] {
        let s = strengths(pairValues)
        return Array(s.indices.sorted { s[$0] > s[$1] || (s[$0] == s[$1] && $0 < $1) }.prefix(k))
    }
}
