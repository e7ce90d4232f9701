import Foundation
import Testing
import TestSupport
@testable import NeuroCore

@Suite struct SHA256Tests {
    /// FIPS 180-4 / NIST example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func nistVectors(message: String, digest: String) {
        #expect(SHA256.hex(Data(message.utf8)) == digest)
    }

    @Test func millionAsAcrossChunkBoundaries() throws {
        let data = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(data) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Fed in odd-sized pieces, the digest is the same.
        var hasher = SHA256()
        var offset = 0
        for size in [1, 63, 64, 65, 1000, 7] {
            hasher.update(data[offset..<(offset + size)])
            offset += size
        }
        hasher.update(data[offset...].map { $0 })
        #expect(hasher.finalize().map { String(format: "%02x", $0) }.joined() == SHA256.hex(data))
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func eegmmidbFilesMatchPhysioNetChecksums() throws {
        let sums = try #require(SharedData.file("eeg/eegmmidb-S001/SHA256SUMS.txt"))
        let lines = try String(contentsOf: sums, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 12)
        for line in lines {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            let url = sums.deletingLastPathComponent().appendingPathComponent(String(parts[0]))
            #expect(try SHA256.hex(fileAt: url) == String(parts[1]), "\(parts[0])")
        }
    }
}
