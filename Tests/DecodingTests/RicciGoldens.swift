import Foundation
import TestSupport

/// Decoded `Goldens/ricci.json` (written by scripts/goldens/ricci.py).
struct RicciGoldens: Decodable {
    struct Graph: Decodable {
        let name: String
        let alpha: Double
        let method: String
        let nodes: Int
        let edges: [[Int]]
        let lengths: [Double]
        let curvature: [Double]
        let nodeCurvature: [Double]
    }
    struct Flow: Decodable {
        let name: String
        let alpha: Double
        let step: Double
        let iterations: Int
        let delta: Double
        let nodes: Int
        let edges: [[Int]]
        let lengths: [Double]
        let flowedLengths: [Double]
        let curvature: [Double]
    }
    struct Transport: Decodable {
        let supply: [Double]
        let demand: [Double]
        let cost: [Double]
        let exact: Double
        let sinkhorn: Double
    }
    struct Eigenmap: Decodable {
        let nodes: Int
        let edges: [[Int]]
        let affinities: [Double]
        let eigenvalues: [Double]
        let eigenvectors: [[Double]]
    }
    let versions: [String: String]
    let graphs: [Graph]
    let sinkhorn: [Graph]
    let flows: [Flow]
    let transport: [Transport]
    let eigenmap: Eigenmap

    static func load() throws -> RicciGoldens {
        try Goldens.load(RicciGoldens.self, named: "ricci", in: Bundle.module)
    }
}
