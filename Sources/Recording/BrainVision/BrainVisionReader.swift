import Foundation

/// Reads BrainVision recordings: a `.vhdr` text header, a `.vmrk` marker file and a binary `.eeg`
/// data file (INT_16, INT_32 or IEEE_FLOAT_32; multiplexed or vectorized).
///
/// `init` reads the header and the markers (both small text files) and checks the data file's
/// size; `read(channels:timeRange:)` then reads only the bytes holding the requested time range
/// (multiplexed: whole sample frames, in chunks; vectorized: one contiguous run per requested
/// channel) and decodes only the requested channels. A stored value `v` becomes
/// `v × resolution × unit factor` volts (µV → 1e-6, mV → 1e-3, …), computed in Double and stored
/// as Float; channels in non-electrical units (°C, n/a, …) are kept in their unit (factor 1) and
/// have kind `.misc`, as in MNE's `read_raw_brainvision`.
///
/// Markers become annotations the MNE way: label `"Stimulus/S  1"`, onset `(position − 1)/rate`,
/// duration `size/rate`; a leading "New Segment" marker gives the start time and is not an
/// annotation. The raw markers stay available in `markers`.
public struct BrainVisionReader: Sendable {
    public let header: BrainVisionHeader
    public let headerURL: URL
    public let dataURL: URL
    /// The marker file read, or nil when the header names none.
    public let markerURL: URL?
    public let markers: [BrainVisionMarker]
    /// Channels with MNE-compatible unique names, kinds and the file's unit labels.
    public let channels: [Channel]
    /// Samples per channel (from the data file's size, checked against `DataPoints` when given).
    public let sampleCount: Int
    public let startTime: Date?
    /// All markers as annotations (see the type's documentation).
    public let annotations: Annotations
    /// Stored value → SI factor of each channel (resolution × unit factor).
    let scales: [Double]

    public var samplingRate: Double { header.samplingRate }
    public var channelNames: [String] { channels.map(\.name) }
    public var duration: Double { Double(sampleCount) / samplingRate }
    var fileName: String { headerURL.lastPathComponent }

    /// Bytes read per chunk of multiplexed frames.
    static let chunkBytes = 1 << 22

    /// Opens the `.vhdr` at `url`; a `.vmrk` or `.eeg` given instead is an error naming the header.
    public init(url: URL) throws {
        let name = url.lastPathComponent
        let ext = url.pathExtension.lowercased()
        let headerName = url.deletingPathExtension().lastPathComponent + ".vhdr"
        switch ext {
        case "vmrk":
            throw RecordingError.notTheEntryFile(
                file: name, role: "a BrainVision marker file", open: ".vhdr header (\(headerName))")
        case "eeg":
            throw RecordingError.notTheEntryFile(
                file: name, role: "a BrainVision data file", open: ".vhdr header (\(headerName))")
        default:
            break
        }
        let bytes: [UInt8]
        do {
            bytes = try readFileBytes(url)
        } catch {
            throw RecordingError.invalidField(file: name, field: "file", expected: "a readable file", found: error.localizedDescription)
        }
        let header = try BrainVisionHeader(bytes: bytes, file: name)
        self.header = header
        headerURL = url
        let folder = url.deletingLastPathComponent()
        dataURL = folder.appendingPathComponent(header.dataFile)
        guard FileManager.default.fileExists(atPath: dataURL.path) else {
            throw RecordingError.missingFile(file: name, field: "DataFile", path: dataURL.path)
        }
        var markerURL = header.markerFile.map { folder.appendingPathComponent($0) }
        if let named = markerURL, !FileManager.default.fileExists(atPath: named.path) {
            // A stale MarkerFile after a rename (common in BIDS): the header's sibling, if present.
            let sibling = url.deletingPathExtension().appendingPathExtension("vmrk")
            guard FileManager.default.fileExists(atPath: sibling.path) else {
                throw RecordingError.missingFile(file: name, field: "MarkerFile", path: named.path)
            }
            markerURL = sibling
        }
        self.markerURL = markerURL
        markers = try markerURL.map { try BrainVisionMarkerFile.parse(bytes: readFileBytes($0), file: $0.lastPathComponent) } ?? []
        startTime = BrainVisionMarkerFile.startTime(markers)
        annotations = try BrainVisionMarkerFile.annotations(markers, samplingRate: header.samplingRate)

        let names = uniqueChannelNames(header.channels.map(\.name))
        let electrical: Set<String> = ["V", "mV", "µV", "μV", "uV", "nV"]
        channels = zip(header.channels, names).map { channel, name in
            Channel(name: name, kind: electrical.contains(channel.unit) ? ChannelKind(inferringFrom: name) : .misc,
                    originalUnit: channel.unit)
        }
        scales = header.channels.map { $0.resolution * (electrical.contains($0.unit) ? Channel.siScale(of: $0.unit) ?? 1 : 1) }

        let dataName = dataURL.lastPathComponent
        let size: Int
        do {
            size = (try FileManager.default.attributesOfItem(atPath: dataURL.path)[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw RecordingError.invalidField(file: dataName, field: "file", expected: "a readable file", found: error.localizedDescription)
        }
        let frame = header.channels.count * header.binaryFormat.bytesPerSample
        if header.orientation == .vectorized, let declared = header.declaredDataPoints {
            let (needed, overflow) = declared.multipliedReportingOverflow(by: frame)
            guard !overflow, needed <= size else {
                throw RecordingError.truncated(
                    file: dataName, field: "DataPoints = \(declared) samples × \(header.channels.count) channels",
                    expectedBytes: overflow ? Int.max : needed, foundBytes: size)
            }
            sampleCount = declared
        } else {
            guard size % frame == 0 else {
                throw RecordingError.truncated(
                    file: dataName, field: "the last sample (\(header.channels.count) channels × \(header.binaryFormat.bytesPerSample) bytes)",
                    expectedBytes: (size / frame + 1) * frame, foundBytes: size)
            }
            sampleCount = size / frame
            if let declared = header.declaredDataPoints, declared > sampleCount {
                throw RecordingError.truncated(
                    file: dataName, field: "DataPoints = \(declared) samples × \(header.channels.count) channels",
                    expectedBytes: declared.multipliedReportingOverflow(by: frame).partialValue, foundBytes: size)
            }
        }
    }

    /// The sample indices `timeRange` selects (the rule of `TimeSeries.slice(seconds:)`).
    func sampleRange(_ timeRange: Range<Double>?) throws -> Range<Int> {
        guard let range = timeRange else { return 0 ..< sampleCount }
        guard range.lowerBound.isFinite, range.upperBound.isFinite, range.lowerBound >= 0 else {
            throw RecordingError.invalidValue(
                type: "BrainVisionReader.read", field: "timeRange", expected: "a finite range of seconds ≥ 0", found: "\(range)")
        }
        let lower = Int(min(Double(sampleCount), (range.lowerBound * samplingRate).rounded(.up)))
        let upper = max(lower, Int(min(Double(sampleCount), (range.upperBound * samplingRate).rounded(.up))))
        return lower ..< upper
    }

    /// Reads the named channels (all when nil) over `timeRange` seconds from the first sample
    /// (everything when nil), with the annotations that overlap it.
    public func read(channels names: [String]? = nil, timeRange: Range<Double>? = nil) throws -> TimeSeries {
        let indices = try (names ?? channelNames).map { name in
            guard let i = channels.firstIndex(where: { $0.name == name }) else {
                throw RecordingError.unknownChannel(file: fileName, name: name, available: channelNames)
            }
            return i
        }
        guard !indices.isEmpty else {
            throw RecordingError.invalidValue(type: "BrainVisionReader.read", field: "channels", expected: "at least one channel", found: "none")
        }
        let samples = try sampleRange(timeRange)
        let n = samples.count
        var output = [Float](repeating: 0, count: indices.count * n)
        let width = header.binaryFormat.bytesPerSample
        let format = header.binaryFormat
        let source = EDFReader.Source.file(dataURL)
        let dataName = dataURL.lastPathComponent
        switch header.orientation {
        case .vectorized:
            var buffer = [UInt8](repeating: 0, count: n * width)
            for (row, c) in indices.enumerated() where n > 0 {
                let offset = (c * sampleCount + samples.lowerBound) * width
                try buffer.withUnsafeMutableBytes { try EDFReader.read(source, offset: offset, into: $0, file: dataName) }
                output.withUnsafeMutableBufferPointer { out in
                    buffer.withUnsafeBytes { raw in
                        Self.decode(raw.baseAddress!, stride: width, count: n, format: format, scale: scales[c],
                                    into: out.baseAddress! + row * n)
                    }
                }
            }
        case .multiplexed:
            let frame = header.channels.count * width
            let perChunk = max(1, min(n, Self.chunkBytes / frame))
            var buffer = [UInt8](repeating: 0, count: n == 0 ? 0 : perChunk * frame)
            var done = 0
            while done < n {
                let count = min(perChunk, n - done)
                let offset = (samples.lowerBound + done) * frame
                try buffer.withUnsafeMutableBytes { raw in
                    try EDFReader.read(source, offset: offset, into: UnsafeMutableRawBufferPointer(rebasing: raw[0 ..< count * frame]), file: dataName)
                }
                output.withUnsafeMutableBufferPointer { out in
                    buffer.withUnsafeBytes { raw in
                        for (row, c) in indices.enumerated() {
                            Self.decode(raw.baseAddress! + c * width, stride: frame, count: count, format: format, scale: scales[c],
                                        into: out.baseAddress! + row * n + done)
                        }
                    }
                }
                done += count
            }
        }
        let window = Double(samples.lowerBound) / samplingRate ..< Double(samples.upperBound) / samplingRate
        return try TimeSeries(
            samples: output, channels: indices.map { channels[$0] }, samplingRate: samplingRate,
            startTime: startTime.map { $0.addingTimeInterval(window.lowerBound) },
            annotations: timeRange == nil ? annotations : annotations.shifted(toWindow: window))
    }

    /// Decodes `count` little-endian values `stride` bytes apart, times `scale`, into `out`.
    static func decode(
        _ source: UnsafeRawPointer, stride: Int, count: Int, format: BrainVisionBinaryFormat, scale: Double,
        into out: UnsafeMutablePointer<Float>
    ) {
        switch format {
        case .int16:
            for k in 0 ..< count {
                let raw = Int16(littleEndian: source.loadUnaligned(fromByteOffset: k &* stride, as: Int16.self))
                out[k] = Float(Double(raw) * scale)
            }
        case .int32:
            for k in 0 ..< count {
                let raw = Int32(littleEndian: source.loadUnaligned(fromByteOffset: k &* stride, as: Int32.self))
                out[k] = Float(Double(raw) * scale)
            }
        case .float32:
            for k in 0 ..< count {
                let bits = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: k &* stride, as: UInt32.self))
                out[k] = Float(Double(Float(bitPattern: bits)) * scale)
            }
        }
    }
}
