import Foundation
import NeuroCore
import TestSupport

/// Inputs and expected outputs written by `scripts/goldens/metrics.py` (numpy, scipy, scikit-learn).
struct MetricsGoldens: Decodable {
    struct Versions: Decodable {
        let python: String
        let numpy: String
        let scipy: String
        let scikitLearn: String
        enum CodingKeys: String, CodingKey {
            case python, numpy, scipy
            case scikitLearn = "scikit-learn"
        }
    }
    struct Clustering: Decodable {
        let name: String
        let truth: [Int]
        let predicted: [Int]
        let ari: Double
        let nmi: Double
        let mi: Double
    }
    struct ROC: Decodable {
        let name: String
        let labels: [Int]
        let scores: [Double]
        let auc: Double
    }
    struct OneVsRest: Decodable {
        let name: String
        let labels: [Int]
        let scores: [[Double]]
        let auc: Double
    }
    struct Classification: Decodable {
        let name: String
        let truth: [Int]
        let predicted: [Int]
        let labels: [Int]?
        let accuracy: Double
        let balancedAccuracy: Double
        let adjustedBalancedAccuracy: Double?
        let confusion: [[Int]]
    }
    struct StringConfusion: Decodable {
        let truth: [String]
        let predicted: [String]
        let labels: [String]
        let confusion: [[Int]]
        let balancedAccuracy: Double
    }
    struct Assignment: Decodable {
        let name: String
        /// null marks a forbidden pair: +∞ when minimising, −∞ when maximising.
        let cost: [[Double?]]
        let maximize: Bool
        let rows: [Int]
        let columns: [Int]
        let totalCost: Double

        var costMatrix: Matrix<Double> {
            let forbidden = maximize ? -Double.infinity : .infinity
            return Matrix(cost.map { $0.map { $0 ?? forbidden } })
        }
    }
    struct Descriptive: Decodable {
        let name: String
        let x: [Double]
        let mean: Double
        let variance: Double
        let sampleVariance: Double
        let standardDeviation: Double
        /// From an exactly rounded mean and variance (rational arithmetic in the script).
        let zScores: [Double]
        /// scipy's `zscore`, whose float mean is an ulp off for offset data.
        let zScoresScipy: [Double]
    }
    struct Pearson: Decodable {
        let name: String
        let x: [Double]
        let y: [Double]
        let r: Double
    }
    struct Covariance: Decodable {
        let name: String
        let data: [[Double]]
        let covariance: [[Double]]
        let correlation: [[Double]]
    }
    struct LogSumExp: Decodable {
        let name: String
        let x: [Double]
        let value: Double
        let logSoftmax: [Double]
    }

    let versions: Versions
    let clustering: [Clustering]
    let roc: [ROC]
    let rocOneVsRest: [OneVsRest]
    let classification: [Classification]
    let stringConfusion: StringConfusion
    let assignment: [Assignment]
    let descriptive: [Descriptive]
    let pearson: [Pearson]
    let covariance: [Covariance]
    let logSumExp: [LogSumExp]

    static func load() throws -> MetricsGoldens {
        try Goldens.load(MetricsGoldens.self, named: "metrics", in: Bundle.module)
    }
}

/// |a − b| ≤ tolerance · max(1, |b|): absolute near zero, relative for large values (costs of 10⁶,
/// log-sum-exps near ±1000), so one tolerance serves every golden.
func isClose(_ a: Double, _ b: Double, tolerance: Double = 1e-12) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
}

func allClose(_ a: [Double], _ b: [Double], tolerance: Double = 1e-12) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { isClose($0, $1, tolerance: tolerance) }
}
