import Foundation
import Testing
@testable import NeuroCore

@Suite struct CPUFeaturesTests {
    /// The run-time check must agree with the kernel's own report of its flags: a wrong "yes"
    /// would execute illegal instructions, a wrong "no" would silently lose the fast kernels.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/cpuinfo"), "needs /proc/cpuinfo"))
    func avx2FMAMatchesProcCpuinfo() throws {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        guard let flagsLine = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else {
            Issue.record("no flags line in /proc/cpuinfo"); return
        }
        let flags = Set(flagsLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }).map(String.init))
        #expect(CPUFeatures.hasAVX2FMA == (flags.contains("avx2") && flags.contains("fma")))
    }
}
