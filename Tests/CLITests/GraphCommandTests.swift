import Foundation
import Testing
import TestSupport

@Suite struct GraphCommandTests {
    @Test func curvatureOfTheBarbellBridge() throws {
        let folder = try TemporaryDirectory()
        let file = folder.file("barbell.txt")
        var lines = ["# two K5 joined by the edge 4–5"]
        for offset in [0, 5] { for i in 0..<5 { for j in (i + 1)..<5 { lines.append("\(offset + i) \(offset + j)") } } }
        lines.append("4 5 1")
        try Data(lines.joined(separator: "\n").utf8).write(to: file)
        let result = try NeuroSwiftBinary.run(["graph", "curvature", file.path])
        #expect(result.status == 0)
        let rows = result.stdout.split(separator: "\n")
        #expect(rows.first == "i,j,length,curvature")
        let bridge = rows.first { $0.hasPrefix("4,5,") }.map { Double($0.split(separator: ",")[3])! }
        #expect(bridge.map { abs($0 + 0.6) < 1e-9 } == true)  // GraphRicciCurvature: −0.6 at α = 0.5

        let flowed = try NeuroSwiftBinary.run(["graph", "curvature", file.path, "--flow", "3", "--step", "0.1"])
        let lengths = flowed.stdout.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[2])! }
        #expect(abs(lengths.reduce(0, +) - 21) < 1e-9)  // renormalised to |E|
    }

    @Test func badEdgeListFailsWithTheLine() throws {
        let folder = try TemporaryDirectory()
        let file = folder.file("bad.txt")
        try Data("0 1\n1 x\n".utf8).write(to: file)
        let result = try NeuroSwiftBinary.run(["graph", "curvature", file.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("bad.txt:2"))
    }
}
