import Foundation
import Testing
import TestSupport
@testable import NeuroCore

@Suite struct MonitoringTests {
    @Test func parameterErrorNamesParameterExpectationAndValue() throws {
        let error = ParameterError("rank", expected: "an integer ≥ 1", found: 0)
        #expect(error.description == "rank: expected an integer ≥ 1, found 0")
        #expect(throws: error) { try ParameterError.check(false, "rank", expected: "an integer ≥ 1", found: 0) }
        try ParameterError.check(true, "rank", expected: "an integer ≥ 1", found: 3)
    }

    @Test func progressFractionIsClampedAndOptional() {
        #expect(FitProgress(stage: "em", iteration: 5, total: 10).fraction == 0.5)
        #expect(FitProgress(stage: "em", iteration: 15, total: 10).fraction == 1)
        #expect(FitProgress(stage: "em", iteration: 5).fraction == nil)
    }

    @Test func recordingMonitorKeepsEventsAndAsksToStop() {
        let monitor = RecordingMonitor(stopAfter: 2)
        monitor.report(FitProgress(stage: "a", iteration: 1, objective: -3))
        #expect(!monitor.shouldStop)
        monitor.report(FitProgress(stage: "a", iteration: 2, objective: -2))
        #expect(monitor.shouldStop)
        #expect(monitor.recorded.map(\.objective) == [-3, -2])
    }

    @Test func closureMonitorForwardsAndStopsOnRequest() {
        let seen = RecordingMonitor()
        let monitor = ClosureMonitor { seen.report($0) }
        monitor.report(FitProgress(stage: "b", iteration: 1))
        #expect(seen.recorded.count == 1)
        #expect(!monitor.shouldStop)
        monitor.requestStop()
        #expect(monitor.shouldStop)
        #expect(!SilentMonitor().shouldStop)
    }
}

@Suite struct AtomicFileTests {
    @Test func writesCompleteFile() throws {
        let folder = try TemporaryDirectory()
        let target = folder.file("out.bin")
        try AtomicFile.write(Data([1, 2, 3]), to: target)
        #expect(try Data(contentsOf: target) == Data([1, 2, 3]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["out.bin"])
    }

    @Test func failedWriteLeavesOldFileAndNoTemporary() throws {
        struct Interrupted: Error {}
        let folder = try TemporaryDirectory()
        let target = folder.file("out.bin")
        try AtomicFile.write(Data([9]), to: target)
        #expect(throws: Interrupted.self) {
            try AtomicFile.write(to: target) { temporary in
                try Data(repeating: 7, count: 1000).write(to: temporary)
                throw Interrupted()
            }
        }
        #expect(try Data(contentsOf: target) == Data([9]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["out.bin"])
    }

    @Test func missingFolderIsATypedError() {
        #expect(throws: FileWriteError.self) {
            try AtomicFile.write(Data([1]), to: URL(fileURLWithPath: "/nonexistent-folder/out.bin"))
        }
    }
}
