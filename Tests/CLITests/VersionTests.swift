import Foundation
import Testing
import TestSupport

@Suite struct VersionTests {
    @Test func versionPrintsTheLibraryVersion() throws {
        let result = try NeuroSwiftBinary.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }
}
