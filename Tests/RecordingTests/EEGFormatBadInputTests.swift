import Foundation
import Testing
import TestSupport
@testable import Recording

/// Corruptions of BrainVision, EEGLAB and CSV inputs, each of which must give its own specific,
/// readable error (never a crash, never a generic message).
@Suite struct EEGFormatBadInputTests {
    struct Corruption: CustomStringConvertible, Sendable {
        let name: String
        /// What the error's description must contain.
        let message: String
        let make: @Sendable (TemporaryDirectory) throws -> URL
        var description: String { name }
    }

    /// Copies the int16 BrainVision fixture into `folder`, editing the header, markers or data.
    static func brainVision(
        _ folder: TemporaryDirectory, vhdr: (String) -> String = { $0 }, vmrk: (String) -> String = { $0 },
        eeg: (Data) -> Data = { $0 }, base: String = "int16_mux"
    ) throws -> URL {
        let source = { (ext: String) in try EEGFormatGoldens.fixture("BrainVision/\(base).\(ext)") }
        try Data(vhdr(try String(contentsOf: source("vhdr"), encoding: .utf8)).utf8).write(to: folder.file("\(base).vhdr"))
        try Data(vmrk(try String(contentsOf: source("vmrk"), encoding: .utf8)).utf8).write(to: folder.file("\(base).vmrk"))
        try eeg(try Data(contentsOf: source("eeg"))).write(to: folder.file("\(base).eeg"))
        return folder.file("\(base).vhdr")
    }

    static func replacing(_ old: String, _ new: String) -> (String) -> String {
        { text in
            precondition(text.contains(old), "fixture lacks \(old)")
            return text.replacingOccurrences(of: old, with: new)
        }
    }

    static func csv(_ text: String) -> @Sendable (TemporaryDirectory) throws -> URL {
        { folder in
            let url = folder.file("bad.csv")
            try Data(text.utf8).write(to: url)
            return url
        }
    }

    static let corruptions: [Corruption] = [
        // BrainVision headers.
        .init(name: "not a BrainVision header", message: "first line: expected a BrainVision Header File") {
            try brainVision($0, vhdr: replacing("Brain Vision Data Exchange Header File Version 1.0", "EEG export"))
        },
        .init(name: "ASCII data", message: "DataFormat=ASCII is not supported; only BINARY") {
            try brainVision($0, vhdr: replacing("DataFormat=BINARY", "DataFormat=ASCII"))
        },
        .init(name: "unknown binary format", message: "[Binary Infos] BinaryFormat: expected INT_16, INT_32 or IEEE_FLOAT_32, found \"INT_8\"") {
            try brainVision($0, vhdr: replacing("BinaryFormat=INT_16", "BinaryFormat=INT_8"))
        },
        .init(name: "unknown orientation", message: "DataOrientation: expected MULTIPLEXED or VECTORIZED") {
            try brainVision($0, vhdr: replacing("DataOrientation=MULTIPLEXED", "DataOrientation=SIDEWAYS"))
        },
        .init(name: "zero sampling interval", message: "SamplingInterval: expected a positive number of microseconds, found \"0\"") {
            try brainVision($0, vhdr: replacing("SamplingInterval=4000.0", "SamplingInterval=0"))
        },
        .init(name: "non-numeric sampling interval", message: "found \"4 ms\"") {
            try brainVision($0, vhdr: replacing("SamplingInterval=4000.0", "SamplingInterval=4 ms"))
        },
        .init(name: "zero channels", message: "NumberOfChannels: expected a channel count between 1 and 65536, found \"0\"") {
            try brainVision($0, vhdr: replacing("NumberOfChannels=3", "NumberOfChannels=0"))
        },
        .init(name: "more channels declared than listed", message: "[Channel Infos]: expected a line for each of the 4 channels, found no line for Ch4") {
            try brainVision($0, vhdr: replacing("NumberOfChannels=3", "NumberOfChannels=4"))
        },
        .init(name: "channel number beyond the count", message: "[Channel Infos] Ch9: expected a channel number ≤ NumberOfChannels (3)") {
            try brainVision($0, vhdr: replacing("Ch3=Pz", "Ch9=Pz"))
        },
        .init(name: "non-numeric resolution", message: "Ch1 resolution: expected a finite, non-zero number, found \"x\"") {
            try brainVision($0, vhdr: replacing("Ch1=O1,,0.1,", "Ch1=O1,,x,"))
        },
        .init(name: "missing DataFile", message: "[Common Infos] DataFile: expected a value, found nothing (missing)") {
            try brainVision($0, vhdr: replacing("DataFile=int16_mux.eeg", ""))
        },
        .init(name: "DataFile pointing to a missing file", message: "DataFile refers to") {
            try brainVision($0, vhdr: replacing("DataFile=int16_mux.eeg", "DataFile=elsewhere.eeg"))
        },
        .init(name: "setting outside a section", message: "expected a [Section] before the first setting") {
            try brainVision($0, vhdr: replacing("[Common Infos]", ""))
        },
        .init(name: "line without =", message: "expected key=value, found \"Codepage UTF-8\"") {
            try brainVision($0, vhdr: replacing("Codepage=UTF-8", "Codepage UTF-8"))
        },
        .init(name: "data cut inside a sample frame", message: "the file is truncated: expected 1206 bytes, found 1201") {
            try brainVision($0, eeg: { $0 + Data([1]) })
        },
        .init(name: "vectorized DataPoints beyond the file", message: "DataPoints = 1000 samples × 3 channels: the file is truncated: expected 12000 bytes, found 1920") {
            try brainVision($0, vhdr: replacing("DataPoints=160", "DataPoints=1000"), base: "int32_vec")
        },
        .init(name: "non-numeric marker position", message: "[Marker Infos] Mk1 position: expected a 1-based sample number, found \"six\"") {
            try brainVision($0, vmrk: replacing("Mk1=Stimulus,S  1,6,", "Mk1=Stimulus,S  1,six,"))
        },
        .init(name: "marker with too few fields", message: "expected at least type,description,position,size") {
            try brainVision($0, vmrk: replacing("Mk1=Stimulus,S  1,6,1,0", "Mk2=Stimulus"))
        },
        // EEGLAB.
        .init(name: "epoched EEGLAB dataset", message: "an epoched dataset (3 trials of 4 samples) is not supported") {
            _ = $0; return try EEGFormatGoldens.fixture("EEGLAB/bad/epoched.set")
        },
        .init(name: "EEGLAB zero rate", message: "EEG.srate: expected a positive sampling rate in Hz, found 0.0") {
            _ = $0; return try EEGFormatGoldens.fixture("EEGLAB/bad/zero_rate.set")
        },
        .init(name: "EEGLAB without nbchan", message: "EEG.nbchan: expected a number, found nothing") {
            _ = $0; return try EEGFormatGoldens.fixture("EEGLAB/bad/no_nbchan.set")
        },
        .init(name: "EEGLAB data shape", message: "EEG.data: expected a 2 × 4 array (EEG.nbchan × EEG.pnts), found shape [2, 3]") {
            _ = $0; return try EEGFormatGoldens.fixture("EEGLAB/bad/shape_mismatch.set")
        },
        .init(name: "EEGLAB chanlocs count", message: "EEG.chanlocs: expected 2 entries (EEG.nbchan), found 1") {
            _ = $0; return try EEGFormatGoldens.fixture("EEGLAB/bad/chanlocs_mismatch.set")
        },
        .init(name: "EEGLAB fractional pnts", message: "EEG.pnts: expected a whole number") {
            _ = $0; return try EEGFormatGoldens.fixture("EEGLAB/bad/fractional_pnts.set")
        },
        // CSV.
        .init(name: "CSV row with a missing field", message: "line 3: expected 4 fields (as the header), found 3",
              make: csv("timestamps,A,B,Marker\n0,1,2,0\n1,1,2\n2,1,2,0\n")),
        .init(name: "CSV row with an extra field", message: "line 2: expected 4 fields (as the header), found more",
              make: csv("timestamps,A,B,Marker\n0,1,2,0,9\n1,1,2,0\n")),
        .init(name: "CSV text in a signal column", message: "line 3, column 3 (B): expected a finite number, found \"n/a\"",
              make: csv("timestamps,A,B,Marker\n0,1,2,0\n1,1,n/a,0\n2,1,2,0\n")),
        .init(name: "CSV empty field", message: "line 2, column 2 (A): expected a finite number, found an empty field",
              make: csv("timestamps,A,B,Marker\n0,,2,0\n1,1,2,0\n")),
        .init(name: "CSV NaN", message: "line 2, column 2 (A): expected a finite number, found \"nan\"",
              make: csv("timestamps,A,B,Marker\n0,nan,2,0\n1,1,2,0\n")),
        .init(name: "CSV without a timestamps column", message: "line 1 (header): expected a \"timestamps\" column, found columns time, A",
              make: csv("time,A\n0,1\n1,2\n")),
        .init(name: "CSV decreasing timestamps", message: "line 4, column 1 (timestamps): expected a timestamp ≥ the previous one (2.0), found 1.5",
              make: csv("timestamps,A\n1,1\n2,1\n1.5,1\n")),
        .init(name: "CSV with one data row", message: "rows: expected at least 2 data rows (to estimate the sampling rate), found 1",
              make: csv("timestamps,A\n1,1\n")),
        .init(name: "CSV constant timestamps", message: "expected increasing timestamps (a positive median interval)",
              make: csv("timestamps,A\n1,1\n1,2\n1,3\n")),
        .init(name: "CSV empty file", message: "expected a header row of column names, found an empty file", make: csv("")),
    ]

    @Test(arguments: corruptions)
    func corruptionGivesItsOwnError(_ corruption: Corruption) throws {
        let folder = try TemporaryDirectory()
        let url = try corruption.make(folder)
        do {
            let series = try RecordingFile.open(url)
            Issue.record("\(corruption.name) opened: \(series.channelCount) channels")
        } catch let error as RecordingError {
            #expect(error.description.contains(corruption.message), "\(corruption.name): \(error.description)")
        }
    }

    @Test func tableIsLargeAndMessagesDistinct() {
        #expect(Self.corruptions.count >= 30)
        #expect(Set(Self.corruptions.map(\.message)).count == Self.corruptions.count)
    }
}
