import Foundation
import Testing
import TestSupport
@testable import Recording

/// One corruption of the fixture file and the error it must give.
struct EDFCorruption: Sendable, CustomTestStringConvertible {
    let name: String
    let mutate: @Sendable (inout [UInt8]) -> Void
    let matches: @Sendable (RecordingError) -> Bool
    var testDescription: String { name }
}

/// Column offsets of the fixture header (3 data signals + 1 annotation signal).
enum FixtureLayout {
    static let signals = 4
    static func column(_ name: String) -> Int {
        let widths: [(String, Int)] = [
            ("label", 16), ("transducer", 80), ("unit", 8), ("pmin", 8), ("pmax", 8), ("dmin", 8), ("dmax", 8),
            ("prefilter", 80), ("samples", 8), ("reserved", 32),
        ]
        var offset = 256
        for (n, w) in widths {
            if n == name { return offset }
            offset += w * signals
        }
        fatalError("unknown column \(name)")
    }
    static let headerBytes = 256 * (1 + signals)
    /// First byte of record 0's annotation signal (after 3 × 8 samples of 2 bytes).
    static let firstTAL = headerBytes + 3 * 8 * 2

    static func set(_ bytes: inout [UInt8], at offset: Int, width: Int, _ text: String) {
        let t = Array(text.utf8)
        for i in 0 ..< width { bytes[offset + i] = i < t.count ? t[i] : 0x20 }
    }
}

private func field(_ error: RecordingError, contains text: String) -> Bool {
    switch error {
    case .invalidField(_, let field, _, _), .truncated(_, let field, _, _): return field.contains(text)
    default: return false
    }
}

private func isTAL(_ error: RecordingError) -> Bool {
    if case .invalidAnnotation = error { return true }
    return false
}

private func isTruncated(_ error: RecordingError) -> Bool {
    if case .truncated = error { return true }
    return false
}

let corruptions: [EDFCorruption] = {
    typealias L = FixtureLayout
    func setField(_ offset: Int, _ width: Int, _ text: String) -> @Sendable (inout [UInt8]) -> Void {
        { L.set(&$0, at: offset, width: width, text) }
    }
    return [
        EDFCorruption(name: "truncated fixed header", mutate: { $0 = Array($0[..<100]) },
                      matches: { field($0, contains: "fixed header") }),
        EDFCorruption(name: "truncated signal headers", mutate: { $0 = Array($0[..<700]) },
                      matches: { field($0, contains: "header of 4 signals") }),
        EDFCorruption(name: "truncated data", mutate: { $0.removeLast(10) },
                      matches: { isTruncated($0) && field($0, contains: "data records") }),
        EDFCorruption(name: "more records declared than present", mutate: setField(236, 8, "5"),
                      matches: { field($0, contains: "5 data records") }),
        EDFCorruption(name: "absurd record count", mutate: setField(236, 8, "99999999"),
                      matches: { isTruncated($0) }),
        EDFCorruption(name: "negative record count", mutate: setField(236, 8, "-2"),
                      matches: { field($0, contains: "number of data records") }),
        EDFCorruption(name: "zero signals", mutate: setField(252, 4, "0"),
                      matches: { field($0, contains: "number of signals") }),
        EDFCorruption(name: "negative signals", mutate: setField(252, 4, "-5"),
                      matches: { field($0, contains: "number of signals") }),
        EDFCorruption(name: "absurd signal count 9999", mutate: setField(252, 4, "9999"),
                      matches: { isTruncated($0) && field($0, contains: "9999 signals") }),
        EDFCorruption(name: "non-numeric signal count", mutate: setField(252, 4, "ab"),
                      matches: { field($0, contains: "number of signals") }),
        EDFCorruption(name: "wrong header byte count", mutate: setField(184, 8, "1024"),
                      matches: { field($0, contains: "number of bytes in header") }),
        EDFCorruption(name: "bad version", mutate: setField(0, 8, "1"),
                      matches: { field($0, contains: "version") }),
        EDFCorruption(name: "impossible start date", mutate: setField(168, 8, "32.13.99"),
                      matches: { field($0, contains: "start date") }),
        EDFCorruption(name: "record duration 0", mutate: setField(244, 8, "0"),
                      matches: { field($0, contains: "duration of a data record") }),
        EDFCorruption(name: "negative record duration", mutate: setField(244, 8, "-1"),
                      matches: { field($0, contains: "duration of a data record") }),
        EDFCorruption(name: "digital min = max", mutate: setField(L.column("dmax"), 8, "-32768"),
                      matches: { field($0, contains: "digital minimum/maximum of signal 0") }),
        EDFCorruption(name: "physical min = max", mutate: { b in
            let low = String(decoding: b[L.column("pmin") ..< L.column("pmin") + 8], as: UTF8.self)
            L.set(&b, at: L.column("pmax"), width: 8, low.trimmingCharacters(in: .whitespaces))
        }, matches: { field($0, contains: "physical minimum/maximum of signal 0") }),
        EDFCorruption(name: "digital maximum beyond 16 bits", mutate: setField(L.column("dmax") + 8, 8, "40000"),
                      matches: { field($0, contains: "digital maximum of signal 1") }),
        EDFCorruption(name: "non-numeric physical minimum", mutate: setField(L.column("pmin") + 16, 8, "abc"),
                      matches: { field($0, contains: "physical minimum of signal 2") }),
        EDFCorruption(name: "non-ASCII label", mutate: { $0[256 + 2] = 0xC3 },
                      matches: { field($0, contains: "label of signal 0") }),
        EDFCorruption(name: "zero samples per record", mutate: setField(L.column("samples"), 8, "0"),
                      matches: { field($0, contains: "number of samples per record of signal 0") }),
        EDFCorruption(name: "absurd samples per record", mutate: setField(L.column("samples") + 8, 8, "99999999"),
                      matches: { field($0, contains: "number of samples per record of signal 1") }),
        EDFCorruption(name: "EDF+C without annotation signal", mutate: setField(256 + 48, 16, "EDF Annotationz"),
                      matches: { field($0, contains: "signals") }),
        EDFCorruption(name: "TAL without sign", mutate: { $0[L.firstTAL] = UInt8(ascii: "x") },
                      matches: isTAL),
        EDFCorruption(name: "TAL onset with two points", mutate: setField(L.firstTAL, 4, "+0.."),
                      matches: isTAL),
        EDFCorruption(name: "unterminated TAL", mutate: { b in
            for i in L.firstTAL ..< L.headerBytes + (b.count - L.headerBytes) / 4 { b[i] = UInt8(ascii: "a") }
            b[L.firstTAL] = UInt8(ascii: "+"); b[L.firstTAL + 1] = UInt8(ascii: "1"); b[L.firstTAL + 2] = 0x14
        }, matches: isTAL),
        EDFCorruption(name: "invalid UTF-8 in a TAL label", mutate: { b in
            // "+0\x14\x14\x00+0.5\x151.25\x14T1\x14": corrupt the 'T' of "T1".
            b[L.firstTAL + 15] = 0xFF
        }, matches: isTAL),
    ]
}()

@Suite struct EDFBadInputTests {
    @Test func fixtureIsValid() throws {
        let reader = try EDFReader(data: EDFFixture.bytes())
        #expect(reader.header.headerBytes == FixtureLayout.headerBytes)
        #expect(try reader.annotations().count == 3)
    }

    @Test(arguments: corruptions)
    func corruptionGivesSpecificError(_ corruption: EDFCorruption) throws {
        var bytes = [UInt8](try EDFFixture.bytes())
        corruption.mutate(&bytes)
        do {
            let reader = try EDFReader(data: Data(bytes), fileName: "fixture.edf")
            _ = try reader.read()
            _ = try reader.annotations()
            Issue.record("\(corruption.name): no error")
        } catch let error as RecordingError {
            #expect(corruption.matches(error), "\(corruption.name): \(error)")
            #expect(error.description.hasPrefix("fixture.edf: "))
        }
    }

    @Test func bdf24BitExtremesDecode() throws {
        // One plain BDF signal, gain 1 and offset 0, unit "" (kept as is): physical == digital.
        var h = [UInt8]()
        func put(_ s: String, _ w: Int) { h += Array(s.utf8) + [UInt8](repeating: 0x20, count: w - s.utf8.count) }
        h += [0xFF] + Array("BIOSEMI".utf8)
        put("X", 80); put("X", 80); put("01.02.03", 8); put("04.05.06", 8); put("512", 8); put("24BIT", 44)
        put("1", 8); put("1", 8); put("1", 4)
        put("Status", 16); put("", 80); put("", 8); put("-8388608", 8); put("8388607", 8)
        put("-8388608", 8); put("8388607", 8); put("", 80); put("4", 8); put("", 32)
        let values: [Int32] = [-8_388_608, 8_388_607, -1, 0]
        for v in values { let u = UInt32(bitPattern: v); h += [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF)] }
        let reader = try EDFReader(data: Data(h), fileName: "extremes.bdf")
        #expect(reader.header.format == .bdf && reader.header.continuity == .plain)
        #expect(reader.header.startTime == ISO8601DateFormatter().date(from: "2003-02-01T04:05:06Z"))
        #expect(try reader.digitalSamples(ofSignal: 0) == values)
        #expect(try reader.read().samples == values.map(Float.init))
    }

    @Test func yearConvention() throws {
        // 2-digit years: 85–99 → 19xx, 00–84 → 20xx (without an EDF+ Startdate field).
        for (yy, year) in [("85", 1985), ("99", 1999), ("00", 2000), ("84", 2084)] {
            var bytes = [UInt8](try EDFFixture.bytes())
            FixtureLayout.set(&bytes, at: 88, width: 80, "X")
            FixtureLayout.set(&bytes, at: 168, width: 8, "01.01.\(yy)")
            let start = try #require(try EDFReader(data: Data(bytes)).header.startTime)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            #expect(calendar.component(.year, from: start) == year)
        }
    }

    @Test func unknownRecordCountIsComputedFromFileSize() throws {
        var bytes = [UInt8](try EDFFixture.bytes())
        FixtureLayout.set(&bytes, at: 236, width: 8, "-1")
        bytes += [1, 2, 3]  // a partial record at the end is ignored
        let reader = try EDFReader(data: Data(bytes))
        #expect(reader.header.declaredRecordCount == -1 && reader.header.recordCount == 4)
        #expect(try reader.read() == EDFReader(data: EDFFixture.bytes()).read())
    }

    /// 10,000 seeded mutations of the fixture's header (and first TAL): no crash, bounded time, and
    /// planned allocations never beyond what the file size justifies.
    @Test func mutatedHeadersNeverCrashOrOverAllocate() throws {
        let original = [UInt8](try EDFFixture.bytes())
        var random = SeededGenerator(seed: 20_240_601)
        let interesting = Array("0123456789 +-.,eE".utf8) + [0, 0x14, 0x15, 0xFF]
        let clock = ContinuousClock()
        let start = clock.now
        var opened = 0, rejected = 0
        for _ in 0 ..< 10_000 {
            var bytes = original
            let edits = 1 + Int(random.next() % 4)
            for _ in 0 ..< edits {
                let region = Int(random.next() % 10)
                let position = region < 8
                    ? Int(random.next() % UInt64(FixtureLayout.headerBytes))
                    : FixtureLayout.firstTAL + Int(random.next() % 40)
                bytes[position] = random.next() % 2 == 0
                    ? interesting[Int(random.next() % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: random.next())
            }
            if random.next() % 50 == 0 { bytes.removeLast(Int(random.next() % 200)) }
            do {
                let reader = try EDFReader(data: Data(bytes), fileName: "mutant.edf")
                for name in reader.channelNames {
                    let planned = try reader.plannedAllocationBytes(channels: [name])
                    #expect(planned <= 3 * bytes.count, "planned \(planned) bytes for a \(bytes.count)-byte file")
                }
                _ = try reader.annotations()
                _ = try reader.read(channels: reader.channelsByRate.first?.channels)
                opened += 1
            } catch is RecordingError {
                rejected += 1
            }
        }
        #expect(opened + rejected == 10_000)
        #expect(opened > 100 && rejected > 1000, "opened \(opened), rejected \(rejected)")
        #expect(clock.now - start < .seconds(60))
    }
}
