import Foundation
import Testing
@testable import Decoding

@Suite struct RiemannianErrorTests {
    @Test func singularMatrixIsDiagnosedWithItsRank() throws {
        let singular = Matrix<Double>([[1, 1, 0], [1, 1, 0], [0, 0, 2]])
        do {
            try SPD.validate(singular, context: "trial 3")
            Issue.record("validate accepted a singular matrix")
        } catch let error as RiemannianError {
            guard case .notPositiveDefinite(let context, _, let rank, let size) = error else {
                Issue.record("wrong error \(error)"); return
            }
            #expect(context == "trial 3" && rank == 2 && size == 3)
            #expect(error.description.contains("OAS"))
        }
        #expect(throws: RiemannianError.self) { try SPD.log(singular) }
        #expect(throws: RiemannianError.self) { try SPD.distance(singular, Matrix.identity(3)) }
        #expect(throws: RiemannianError.self) { try TangentSpace(reference: singular) }
    }

    @Test func shapeAndSymmetryErrors() {
        #expect(throws: RiemannianError.notSquare(context: "m", rows: 2, columns: 3)) {
            try SPD.validate(Matrix(rows: 2, columns: 3), context: "m")
        }
        #expect(throws: RiemannianError.self) { try SPD.validate(Matrix<Double>([[2, 1], [0, 2]])) }
        #expect(throws: RiemannianError.sizeMismatch(context: "mean", expected: 2, found: 3)) {
            try SPD.mean([Matrix.identity(2), Matrix.identity(3)])
        }
        #expect(throws: RiemannianError.empty(context: "mean")) { try SPD.mean([]) }
        #expect(throws: ParameterError.self) { try SPD.mean([Matrix.identity(2)], weights: [1, 2]) }
        #expect(throws: ParameterError.self) { try SPD.shrunk(Matrix.identity(2), intensity: 1.5) }
        #expect(throws: ParameterError.self) { try TangentSpace(reference: Matrix.identity(2)).matrix([1, 2]) }
    }

    @Test func classifiersNeedTwoClassesAndMatchingLabels() throws {
        let m = [Matrix<Double>.identity(2), Matrix.identity(2) * 2]
        #expect(throws: RiemannianError.tooFewClasses(context: "MDM", found: ["a"])) {
            try MinimumDistanceToMean().fit(covariances: m, labels: ["a", "a"])
        }
        #expect(throws: ParameterError.self) { try TangentSpaceLogisticRegression().fit(covariances: m, labels: ["a"]) }
        #expect(throws: ParameterError.self) {
            try L2LogisticRegression(inverseRegularization: 0).fit(Matrix(rows: 2, columns: 1), labels: [0, 1], classCount: 2)
        }
        #expect(throws: ParameterError.self) {
            try L2LogisticRegression().fit(Matrix(rows: 2, columns: 1), labels: [0, 2], classCount: 2)
        }
        let three = try CovarianceScenario(effect: .none, channels: 3, samples: 32, trialsPerClass: 2).simulate(seed: 1)
        let relabelled = try Epochs(data: three.data, channels: three.channels, labels: ["a", "b", "c", "a"], samplingRate: 128, tmin: 0)
        #expect(throws: ParameterError.self) { try CSPLDA().fit(relabelled, seed: 0, monitor: SilentMonitor()) }
        #expect(throws: ParameterError.self) { try LeaveOneGroupOut().splits([1, 1, 1]) }
        #expect(throws: ParameterError.self) {
            try CrossValidation(scheme: .leaveOneGroupOut).splits(labels: ["a", "b"], groups: nil, seed: 0)
        }
    }
}
