import Foundation
import Testing
@testable import Recording

/// Deterministic fuzzing of the video position-tracking reader: 10,000 mutants of a small valid file
/// (header text and records) must each read or throw a `RecordingError` — no crash, no hang (the run
/// is timed), and never more samples than the bytes after the header can hold.
@Suite struct PositionTrackingMutationTests {
    @Test func tenThousandMutantsReadOrThrow() throws {
        var records: [(UInt32, UInt16, Int16)] = []
        for i in 0..<24 {
            let t = UInt32(1000 + 33 * i)
            records.append((t, UInt16(100 + i), Int16(-i)))
        }
        let original = [UInt8](CovariateReaderTests.positionBytes(records: records))
        var g = SeededGenerator(seed: 0x5EED_4B)
        var read = 0, thrown = 0
        let start = Date()
        for _ in 0..<10_000 {
            let mutant = NPYMutationTests.mutate(original, &g)
            do {
                let f = try PositionTrackingFile.read(Data(mutant), name: "mutant")
                let recordSize = f.fields.reduce(0) { $0 + PositionTrackingFile.makeField($1.name, $1.type)!.size }
                #expect(f.series.count * recordSize <= mutant.count)
                #expect(f.series.values.count == f.series.count * f.series.columnCount)
                read += 1
            } catch is RecordingError {
                thrown += 1
            }
        }
        #expect(read + thrown == 10_000)
        #expect(read > 100 && thrown > 100, "mutants should exercise both paths (read \(read), thrown \(thrown))")
        #expect(Date().timeIntervalSince(start) < 60)
    }
}
