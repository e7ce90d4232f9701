import CHDF5
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import NeuroCore

@Suite struct HDF5ErrorTests {
    /// A real HDF5 file of about 160 kB, for damaging.
    static func writeSample(_ url: URL) throws {
        let file = try HDF5File.create(at: url)
        try file.root.createDataset("signal", shape: [20_000], values: (0..<20_000).map { Double($0) })
        try file.root.createGroup("g").setAttribute("unit", "V")
        try file.close()
    }

    @Test func missingFileThrowsFileNotFound() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("absent.h5")
        #expect {
            try HDF5File.open(at: url)
        } throws: { error in
            guard case HDF5Error.fileNotFound(url.path) = error else { return false }
            return "\(error)" == "\(url.path): no such file"
        }
    }

    @Test func textFileNamedH5ThrowsNotHDF5() throws {
        let folder = try TemporaryDirectory()
        let text = folder.file("notes.h5")
        try "channel,value\n1,2\n".write(to: text, atomically: true, encoding: .utf8)
        let empty = folder.file("empty.h5")
        try Data().write(to: empty)
        for url in [text, empty] {
            #expect {
                try HDF5File.open(at: url, mode: .readWrite)
            } throws: { error in
                guard case HDF5Error.notHDF5(url.path) = error else { return false }
                return "\(error)" == "\(url.path): not an HDF5 file"
            }
        }
    }

    @Test func truncatedCopyThrowsCannotOpenWithHDF5sReason() throws {
        let folder = try TemporaryDirectory()
        let original = folder.file("original.h5")
        try Self.writeSample(original)
        let bytes = try Data(contentsOf: original)
        #expect(bytes.count > 160_000)
        let truncated = folder.file("truncated.h5")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        #expect {
            try HDF5File.open(at: truncated)
        } throws: { error in
            guard case HDF5Error.cannotOpen(truncated.path, let message) = error else { return false }
            // HDF5 compares the end-of-file address in the superblock with the real size.
            return message.contains("truncated file") && "\(error)".hasPrefix(truncated.path)
        }
        // The intact original still opens.
        #expect(try HDF5File.open(at: original).root.dataset("signal").shape == [20_000])
    }

    @Test func failedOpensPrintNothingEvenOnAFreshThread() throws {
        let folder = try TemporaryDirectory()
        let text = folder.file("text.h5")
        try "not hdf5".write(to: text, atomically: true, encoding: .utf8)
        let original = folder.file("original.h5")
        try Self.writeSample(original)
        let truncated = folder.file("truncated.h5")
        try Data(contentsOf: original).prefix(4_000).write(to: truncated)
        let missingFolder = folder.url.appendingPathComponent("no-such-folder/new.h5")

        // A thread HDF5 has never seen starts with automatic printing on; the wrapper must turn it off.
        let (printingBefore, printingAfter, errors, stderr) = try onFreshThreadCapturingStderr {
            let before = automaticPrintingIsOn()
            var errors = [HDF5Error]()
            for attempt in [
                { _ = try HDF5File.open(at: folder.file("missing.h5")) },
                { _ = try HDF5File.open(at: text) },
                { _ = try HDF5File.open(at: truncated) },
                { _ = try HDF5File.create(at: missingFolder) },
                { _ = try HDF5File.open(at: original).root.dataset("nope") },
            ] as [() throws -> Void] {
                do { try attempt() } catch let error as HDF5Error { errors.append(error) } catch {}
            }
            return (before, automaticPrintingIsOn(), errors)
        }
        #expect(printingBefore)
        #expect(!printingAfter)
        #expect(errors.count == 5)
        // Other tests' progress lines may land in the captured stream; HDF5's own reports start
        // with "HDF5-DIAG".
        #expect(!stderr.contains("HDF5-DIAG"), "HDF5 printed: \(stderr)")

        // Control: the same capture does see HDF5's report from a raw call on a fresh thread.
        let missing = folder.file("missing.h5").path
        let (_, _, _, control) = try onFreshThreadCapturingStderr {
            let id = H5Fopen(missing, chdf5_acc_rdonly(), h5Default)
            return (true, true, id < 0)
        }
        #expect(control.contains("HDF5-DIAG"))
        if case .cannotCreate(missingFolder.path, let message) = errors[3] {
            #expect(message.contains("unable to"))
        } else {
            Issue.record("expected cannotCreate, got \(errors[3])")
        }
    }

    @Test func objectErrorsNameTheFileAndTheObject() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("objects.h5")
        try Self.writeSample(url)
        let file = try HDF5File.open(at: url)
        #expect {
            try file.root.dataset("acquisition/missing")
        } throws: { error in
            guard case HDF5Error.objectNotFound(url.path, "/acquisition/missing") = error else { return false }
            return "\(error)" == "\(url.path): no object at /acquisition/missing"
        }
        #expect {
            try file.root.dataset("g")
        } throws: { error in
            guard case HDF5Error.wrongKind(url.path, "/g", "dataset", "group") = error else { return false }
            return "\(error)" == "\(url.path): /g is a group, not a dataset"
        }
        #expect {
            try file.root.group("signal")
        } throws: { error in
            guard case HDF5Error.wrongKind(url.path, "/signal", "group", "dataset") = error else { return false }
            return true
        }
        #expect {
            try file.root.dataset("signal").read(as: Int32.self)
        } throws: { error in
            guard case HDF5Error.typeMismatch(url.path, "/signal", .float64, "Int32") = error else { return false }
            return "\(error)".contains("/signal stores float64")
        }
        #expect {
            try file.root.createGroup("new")
        } throws: { error in
            guard case HDF5Error.readOnly(url.path, "/new", "create group") = error else { return false }
            return "\(error)".contains("read-only")
        }
        #expect(throws: HDF5Error.self) { try file.root.setAttribute("x", 1) }
        #expect {
            try HDF5Group(file: file, path: "/signal").children()
        } throws: { error in
            guard case HDF5Error.wrongKind(url.path, "/signal", "group", "dataset") = error else { return false }
            return true
        }
        #expect(try file.root.group("g").children() == [])
    }

    @Test func invalidCreationArgumentsThrowBeforeWriting() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("invalid.h5")
        let file = try HDF5File.create(at: url)
        #expect {
            try file.root.createDataset("x", shape: [2, 3], values: [1.0, 2.0])
        } throws: { error in
            guard case HDF5Error.invalidArgument(url.path, "/x", "create dataset", let reason) = error else { return false }
            return reason == "2 values do not fill shape [2, 3] (6 elements)"
        }
        #expect(throws: HDF5Error.self) { try file.root.createDataset("x", shape: [4], values: [Int8](repeating: 0, count: 4), chunks: [5]) }
        #expect(throws: HDF5Error.self) { try file.root.createDataset("x", shape: [4], values: [Int8](repeating: 0, count: 4), chunks: [2, 2]) }
        #expect(throws: HDF5Error.self) { try file.root.createDataset("x", shape: [4], values: [Int8](repeating: 0, count: 4), deflate: 10) }
        #expect(throws: HDF5Error.self) { try file.root.createDataset("x", shape: [-1], values: [Int8]()) }
        #expect(!file.root.contains("x"))
        try file.root.createDataset("x", shape: [1], values: [1.0])
        #expect {
            try file.root.createDataset("x", shape: [1], values: [1.0])
        } throws: { error in
            guard case HDF5Error.alreadyExists(url.path, "/x") = error else { return false }
            return true
        }
    }

    @Test func closedFilesThrowFileClosed() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("closed.h5")
        try Self.writeSample(url)
        let file = try HDF5File.open(at: url)
        let dataset = try file.root.dataset("signal")
        #expect(file.isOpen)
        try file.close()
        try file.close()
        #expect(!file.isOpen)
        #expect {
            try dataset.readDoubles()
        } throws: { error in
            guard case HDF5Error.fileClosed(url.path, "read") = error else { return false }
            return "\(error)".contains("closed")
        }
        #expect(!file.root.contains("signal"))
        #expect(throws: HDF5Error.self) { try file.tree() }
    }

    @Test func datasetValuesKeepTheirFileOpen() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("lifetime.h5")
        try Self.writeSample(url)
        // The file object is not referenced after this line except through the dataset value.
        let dataset = try HDF5File.open(at: url).root.dataset("signal")
        #expect(try dataset.readDoubles(rows: 19_998..<20_000) == [19_998, 19_999])
        #expect(dataset.file.isOpen)
    }

    @Test func concurrentUseOnManyThreadsStaysSilentAndCorrect() async throws {
        let folder = try TemporaryDirectory()
        let text = folder.file("text.h5")
        try "x".write(to: text, atomically: true, encoding: .utf8)
        let sums = try await withThrowingTaskGroup(of: Double.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let url = folder.file("task\(index).h5")
                    let file = try HDF5File.create(at: url)
                    try file.root.createDataset("v", shape: [100], values: (0..<100).map { Double($0 * index) }, chunks: [10], deflate: 1)
                    try file.close()
                    #expect(throws: HDF5Error.self) { try HDF5File.open(at: text) }
                    return try HDF5File.open(at: url).root.dataset("v").readDoubles().reduce(0, +)
                }
            }
            var sums = [Double]()
            for try await sum in group { sums.append(sum) }
            return sums.sorted()
        }
        #expect(sums == (0..<8).map { Double(4_950 * $0) })
    }
}

/// Whether HDF5 would print error stacks on the calling thread.
private func automaticPrintingIsOn() -> Bool {
    var function: H5E_auto2_t? = nil
    var data: UnsafeMutableRawPointer? = nil
    _ = H5Eget_auto2(chdf5_e_default(), &function, &data)
    return function != nil
}

/// Runs `body` on a new thread while file descriptor 2 goes to a temporary file; returns the
/// body's result and what was written to stderr meanwhile (by anyone: the fd is process-wide).
private func onFreshThreadCapturingStderr<R: Sendable>(
    _ body: @escaping @Sendable () -> (Bool, Bool, R)
) throws -> (Bool, Bool, R, String) {
    let capture = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: capture.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: capture) }
    let handle = try FileHandle(forWritingTo: capture)
    fflush(nil)
    let saved = dup(2)
    dup2(handle.fileDescriptor, 2)
    let result = Mutex<(Bool, Bool, R)?>(nil)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        let value = body()
        result.withLock { $0 = value }
        done.signal()
    }
    thread.start()
    done.wait()
    fflush(nil)
    dup2(saved, 2)
    close(saved)
    try handle.close()
    let text = try String(contentsOf: capture, encoding: .utf8)
    // Give back what other tests printed meanwhile (the runner's progress lines), minus HDF5's reports.
    let others = text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
        let trimmed = line.drop { $0 == " " }
        return !(line.hasPrefix("HDF5-DIAG") || trimmed.hasPrefix("#0") || trimmed.hasPrefix("major:") || trimmed.hasPrefix("minor:"))
    }
    let forwarded = others.joined(separator: "\n")
    if !forwarded.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
        FileHandle.standardError.write(Data(forwarded.utf8))
    }
    let (before, after, value) = result.withLock { $0! }
    return (before, after, value, text)
}
