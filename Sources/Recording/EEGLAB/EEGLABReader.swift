import Foundation

/// Reads continuous EEGLAB datasets: a `.set` MAT v5 file holding the `EEG` structure, with the
/// samples either embedded (`EEG.data` a numeric channels × samples array) or in a separate `.fdt`
/// file (`EEG.data` its name; float32, channels × samples in column-major order, i.e. one frame of
/// all channels per sample, like multiplexed BrainVision data).
///
/// Both layouts EEGLAB writes are accepted: a variable `EEG` holding the structure, or the
/// structure's fields saved as top-level variables (`pop_saveset` with `savemode` 'onefile' in
/// recent versions). EEGLAB stores microvolts; samples are converted to volts (× 1e-6, in Double,
/// then stored as Float), as MNE's `read_raw_eeglab` does.
///
/// Events become annotations the MNE way: label = `type` (a number as Python prints it: "1.0" for a
/// double, "1" for an integer class), onset = `(latency − 1) / srate` (latencies are 1-based sample positions,
/// possibly fractional), duration = `duration / srate` (0 when absent or empty); events with a NaN
/// latency are dropped. Channels are named by `chanlocs.labels`, or "EEG 000", "EEG 001", … when
/// `chanlocs` is empty (MNE's convention). Epoched datasets (`trials` > 1) are refused with an
/// explanation: they are not continuous recordings.
///
/// `.fdt` data are read lazily (only the frames of the requested time range); embedded data are
/// decoded with the `.set` file, which MAT v5 requires anyway.
public struct EEGLABReader: Sendable {
    public let url: URL
    public let channels: [Channel]
    public let samplingRate: Double
    public let sampleCount: Int
    public let annotations: Annotations
    /// The `.fdt` file, or nil when the samples are embedded in the `.set`.
    public let dataURL: URL?
    /// Embedded samples in volts, channel-major.
    let embedded: [Float]?

    public var channelNames: [String] { channels.map(\.name) }
    public var duration: Double { Double(sampleCount) / samplingRate }
    var fileName: String { url.lastPathComponent }

    /// EEGLAB's unit: microvolts.
    static let scaleToVolts = 1e-6

    public init(url: URL) throws {
        let name = url.lastPathComponent
        if url.pathExtension.lowercased() == "fdt" {
            throw RecordingError.notTheEntryFile(
                file: name, role: "an EEGLAB data file",
                open: ".set file (\(url.deletingPathExtension().lastPathComponent).set)")
        }
        let mat: MATFile
        do {
            mat = try MATFile(url: url)
        } catch ArrayFileError.matV73 {
            throw RecordingError.unsupported(
                file: name, feature: "a MATLAB v7.3 (HDF5) .set file",
                hint: "save it again from EEGLAB as MAT v7 (pop_saveset with 'version', '7')")
        }
        try self.init(mat: mat, url: url)
    }

    init(mat: MATFile, url: URL) throws {
        self.url = url
        let name = url.lastPathComponent
        // The structure's fields, from the `EEG` variable or from top-level variables.
        var fields: (String) -> MATValue? = { mat[$0] }
        if let eeg = mat["EEG"] {
            guard case .structure(let s) = eeg, s.count == 1 else {
                throw RecordingError.invalidField(file: name, field: "EEG", expected: "a 1×1 struct", found: "\(eeg.kindName) of shape \(eeg.shape)")
            }
            if let inner = s.value(field: "EEG"), case .structure(let t) = inner, t.count == 1 {
                fields = { t.value(field: $0) }
            } else {
                fields = { s.value(field: $0) }
            }
        }
        func number(_ field: String, default value: Double? = nil) throws -> Double {
            guard let v = fields(field) else {
                if let value { return value }
                throw RecordingError.invalidField(
                    file: name, field: "EEG.\(field)", expected: "a number", found: "nothing (the field is missing; is this an EEGLAB .set file?)")
            }
            guard let x = v.scalar else {
                throw RecordingError.invalidField(file: name, field: "EEG.\(field)", expected: "a number", found: "\(v.kindName) of shape \(v.shape)")
            }
            return x
        }
        func count(_ field: String, default value: Double? = nil, limit: Double) throws -> Int {
            let x = try number(field, default: value)
            guard x.isFinite, x >= 0, x <= limit, x == x.rounded() else {
                throw RecordingError.invalidField(file: name, field: "EEG.\(field)", expected: "a whole number between 0 and \(Int(limit))", found: "\(x)")
            }
            return Int(x)
        }
        let nbchan = try count("nbchan", limit: 65_536)
        guard nbchan > 0 else {
            throw RecordingError.invalidField(file: name, field: "EEG.nbchan", expected: "at least one channel", found: "0")
        }
        let pnts = try count("pnts", limit: 1e12)
        let trials = try count("trials", default: 1, limit: 1e9)
        let srate = try number("srate")
        guard srate.isFinite, srate > 0 else {
            throw RecordingError.invalidField(file: name, field: "EEG.srate", expected: "a positive sampling rate in Hz", found: "\(srate)")
        }
        guard trials <= 1 else {
            throw RecordingError.unsupported(
                file: name, feature: "an epoched dataset (\(trials) trials of \(pnts) samples)",
                hint: "only continuous EEGLAB recordings (trials = 1) are read")
        }
        samplingRate = srate
        sampleCount = pnts

        // Channel names.
        var labels = [String]()
        if let locs = fields("chanlocs"), case .structure(let s) = locs, s.count > 0 {
            guard s.count == nbchan else {
                throw RecordingError.invalidField(
                    file: name, field: "EEG.chanlocs", expected: "\(nbchan) entries (EEG.nbchan)", found: "\(s.count)")
            }
            guard let values = s.values(field: "labels") else {
                throw RecordingError.invalidField(file: name, field: "EEG.chanlocs.labels", expected: "channel labels", found: "no labels field")
            }
            labels = try values.enumerated().map { i, v in
                guard let text = v.string else {
                    throw RecordingError.invalidField(
                        file: name, field: "EEG.chanlocs(\(i + 1)).labels", expected: "text", found: v.kindName)
                }
                return text.trimmingCharacters(in: .whitespaces)
            }
        } else {
            labels = (0 ..< nbchan).map { String(format: "EEG %03d", $0) }
        }
        channels = uniqueChannelNames(labels).map { Channel(name: $0, kind: ChannelKind(inferringFrom: $0), originalUnit: "µV") }

        // Samples: embedded or in the .fdt file.
        guard let data = fields("data") else {
            throw RecordingError.invalidField(file: name, field: "EEG.data", expected: "samples or the name of an .fdt file", found: "nothing")
        }
        switch data {
        case .char:
            let dataName = (data.string ?? "").trimmingCharacters(in: .whitespaces)
            let folder = url.deletingLastPathComponent()
            var fdt = folder.appendingPathComponent(dataName)
            if dataName.isEmpty || !FileManager.default.fileExists(atPath: fdt.path) {
                // EEGLAB and MNE fall back to the .fdt named like the .set (renamed datasets).
                let sibling = url.deletingPathExtension().appendingPathExtension("fdt")
                guard FileManager.default.fileExists(atPath: sibling.path) else {
                    throw RecordingError.missingFile(file: name, field: "EEG.data", path: dataName.isEmpty ? sibling.path : fdt.path)
                }
                fdt = sibling
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: fdt.path)[.size] as? NSNumber)?.intValue ?? 0
            let (needed, overflow) = (nbchan * 4).multipliedReportingOverflow(by: pnts)
            guard !overflow, needed <= size else {
                throw RecordingError.truncated(
                    file: fdt.lastPathComponent, field: "\(nbchan) channels × \(pnts) float32 samples (EEG.nbchan × EEG.pnts)",
                    expectedBytes: overflow ? Int.max : needed, foundBytes: size)
            }
            dataURL = fdt
            embedded = nil
        case .numeric(let array):
            guard array.count == nbchan * pnts, array.shape.first == nbchan || nbchan == 1 else {
                throw RecordingError.invalidField(
                    file: name, field: "EEG.data", expected: "a \(nbchan) × \(pnts) array (EEG.nbchan × EEG.pnts)",
                    found: "shape \(array.shape)")
            }
            guard !array.elementType.isComplex else {
                throw RecordingError.invalidField(file: name, field: "EEG.data", expected: "real samples", found: "complex values")
            }
            // MATValue arrays are in C order with MATLAB's shape: channels × samples, channel-major.
            embedded = array.doubles.map { Float($0 * Self.scaleToVolts) }
            dataURL = nil
        default:
            throw RecordingError.invalidField(
                file: name, field: "EEG.data", expected: "samples or the name of an .fdt file", found: data.kindName)
        }
        annotations = try Self.events(fields("event"), samplingRate: srate, file: name)
    }

    static func events(_ value: MATValue?, samplingRate: Double, file: String) throws -> Annotations {
        guard let value, case .structure(let s) = value, s.count > 0 else { return .empty }
        guard let types = s.values(field: "type"), let latencies = s.values(field: "latency") else {
            throw RecordingError.invalidField(
                file: file, field: "EEG.event", expected: "type and latency fields", found: "fields \(s.fieldNames)")
        }
        let durations = s.values(field: "duration")
        var found = [Annotation]()
        for e in 0 ..< s.count {
            let label: String
            switch types[e] {
            case .char: label = types[e].string ?? ""
            case .numeric(let a) where a.count == 1:
                // As Python's `str` of the number MNE gets: "1.0" for a double, "1" for an integer class.
                switch a.elementType {
                case .float64: label = "\(a.element(atLinear: 0))"
                case .float32: label = "\(Float(a.element(atLinear: 0)))"
                default: label = a.int64s.map { "\($0[0])" } ?? "\(a.element(atLinear: 0))"
                }
            case let v:
                throw RecordingError.invalidField(file: file, field: "EEG.event(\(e + 1)).type", expected: "text or a number", found: v.kindName)
            }
            guard let latency = latencies[e].scalar else {
                throw RecordingError.invalidField(
                    file: file, field: "EEG.event(\(e + 1)).latency", expected: "a number of samples", found: "\(latencies[e].kindName) of shape \(latencies[e].shape)")
            }
            if latency.isNaN { continue }  // EEGLAB ignores such events; so does MNE
            guard latency.isFinite else {
                throw RecordingError.invalidField(file: file, field: "EEG.event(\(e + 1)).latency", expected: "a finite number of samples", found: "\(latency)")
            }
            var duration = 0.0
            if let d = durations?[e].scalar, d.isFinite {
                guard d >= 0 else {
                    throw RecordingError.invalidField(file: file, field: "EEG.event(\(e + 1)).duration", expected: "a non-negative number of samples", found: "\(d)")
                }
                duration = d / samplingRate
            }
            found.append(Annotation(onset: (latency - 1) / samplingRate, duration: duration, label: label))
        }
        return try Annotations(found)
    }

    /// Reads the named channels (all when nil) over `timeRange` seconds (everything when nil).
    public func read(channels names: [String]? = nil, timeRange: Range<Double>? = nil) throws -> TimeSeries {
        let indices = try (names ?? channelNames).map { name in
            guard let i = channels.firstIndex(where: { $0.name == name }) else {
                throw RecordingError.unknownChannel(file: fileName, name: name, available: channelNames)
            }
            return i
        }
        guard !indices.isEmpty else {
            throw RecordingError.invalidValue(type: "EEGLABReader.read", field: "channels", expected: "at least one channel", found: "none")
        }
        var samples = 0 ..< sampleCount
        if let range = timeRange {
            guard range.lowerBound.isFinite, range.upperBound.isFinite, range.lowerBound >= 0 else {
                throw RecordingError.invalidValue(
                    type: "EEGLABReader.read", field: "timeRange", expected: "a finite range of seconds ≥ 0", found: "\(range)")
            }
            let lower = Int(min(Double(sampleCount), (range.lowerBound * samplingRate).rounded(.up)))
            samples = lower ..< max(lower, Int(min(Double(sampleCount), (range.upperBound * samplingRate).rounded(.up))))
        }
        let n = samples.count
        var output = [Float](repeating: 0, count: indices.count * n)
        if let embedded {
            for (row, c) in indices.enumerated() {
                output.replaceSubrange(row * n ..< (row + 1) * n, with: embedded[c * sampleCount + samples.lowerBound ..< c * sampleCount + samples.upperBound])
            }
        } else if let dataURL, n > 0 {
            let frame = channels.count * 4
            let perChunk = max(1, min(n, BrainVisionReader.chunkBytes / frame))
            var buffer = [UInt8](repeating: 0, count: perChunk * frame)
            var done = 0
            while done < n {
                let count = min(perChunk, n - done)
                try buffer.withUnsafeMutableBytes { raw in
                    try EDFReader.read(.file(dataURL), offset: (samples.lowerBound + done) * frame,
                                       into: UnsafeMutableRawBufferPointer(rebasing: raw[0 ..< count * frame]), file: dataURL.lastPathComponent)
                }
                output.withUnsafeMutableBufferPointer { out in
                    buffer.withUnsafeBytes { raw in
                        for (row, c) in indices.enumerated() {
                            BrainVisionReader.decode(raw.baseAddress! + c * 4, stride: frame, count: count, format: .float32,
                                                     scale: Self.scaleToVolts, into: out.baseAddress! + row * n + done)
                        }
                    }
                }
                done += count
            }
        }
        let window = Double(samples.lowerBound) / samplingRate ..< Double(samples.upperBound) / samplingRate
        return try TimeSeries(
            samples: output, channels: indices.map { channels[$0] }, samplingRate: samplingRate,
            annotations: timeRange == nil ? annotations : annotations.shifted(toWindow: window))
    }
}
