import Foundation

/// Reads EDF, EDF+C, EDF+D, BDF and BDF+ files lazily.
///
/// `init` reads and validates only the header; `read(channels:timeRange:)` reads only the data
/// records that hold the requested time range (whole records, since a record interleaves all
/// signals: from a read-only memory map of a file, or `pread` chunks when it cannot be mapped)
/// and decodes only the requested channels. Samples are converted
/// digital → physical (`(d − dmin)·(pmax − pmin)/(dmax − dmin) + pmin`, computed in Double as
/// `d·gain + offset` like MNE) → SI (the unit's factor, e.g. 1e-6 for "uV"; unknown units are kept
/// as they are, like MNE) and stored as Float.
///
/// Differences from MNE's `read_raw_edf`/`read_raw_bdf` (defaults), all deliberate:
/// - channels of different sampling rates are never resampled silently: `read` throws
///   `mixedSamplingRates` when they are requested together (MNE upsamples them to the highest rate);
///   `read(channels:timeRange:resamplingTo:)` resamples them explicitly;
/// - stimulus channels ("Status", "Trigger") are scaled like every other channel (MNE leaves EDF
///   stimulus channels in the file's unit and masks BDF ones to their 17 low bits);
/// - channel-specific annotations (`label@@channel`) keep their full label.
/// Channel names are de-duplicated like MNE (`name-0`, `name-1`, ...); annotation signals are
/// not channels. EDF+D records are concatenated like MNE does; their true onsets are in
/// `recordOnsets()`, and annotation onsets are file times relative to the first record's onset.
public struct EDFReader: Sendable {
    /// Where the bytes come from: a file (read with `pread`) or memory (tests, mutation fuzzing).
    enum Source: Sendable {
        case file(URL)
        case memory(Data)
    }

    public let header: EDFHeader
    /// The file's name in error messages.
    public let fileName: String
    public let fileSize: Int
    /// The data channels (not annotation signals), with MNE-compatible unique names.
    public let channels: [Channel]
    /// `signalIndices[c]` is the header signal that `channels[c]` reads.
    let signalIndices: [Int]
    let source: Source

    /// Bytes read per chunk of whole records (at least one record).
    static let chunkBytes = 1 << 22

    /// Opens `url` and parses its header; no samples are read.
    public init(url: URL) throws {
        let name = url.lastPathComponent
        var status = stat()
        guard stat(url.path, &status) == 0 else {
            throw RecordingError.invalidField(file: name, field: "file", expected: "a readable file", found: String(cString: strerror(errno)))
        }
        let size = Int(status.st_size)
        try self.init(source: .file(url), fileSize: size, fileName: name)
    }

    /// Parses an EDF/BDF file held in memory.
    public init(data: Data, fileName: String = "memory.edf") throws {
        try self.init(source: .memory(data), fileSize: data.count, fileName: fileName)
    }

    init(source: Source, fileSize: Int, fileName: String) throws {
        self.source = source
        self.fileSize = fileSize
        self.fileName = fileName
        let fixed = try Self.readBytes(source, offset: 0, count: min(fileSize, EDFHeader.fixedBytes), file: fileName)
        let count = try EDFHeader.signalCount(fixed: fixed, fileSize: fileSize, file: fileName)
        let headerBytes = EDFHeader.fixedBytes + count * EDFHeader.bytesPerSignalHeader  // ≤ fileSize, checked
        let bytes = try Self.readBytes(source, offset: 0, count: headerBytes, file: fileName)
        let parsed = try EDFHeader.parse(bytes, fileSize: fileSize, file: fileName)
        let indices = parsed.dataSignalIndices
        header = parsed
        signalIndices = indices
        let names = uniqueChannelNames(indices.map { parsed.signals[$0].label })
        channels = zip(indices, names).map { index, name in
            let signal = parsed.signals[index]
            return Channel(name: name, kind: ChannelKind(inferringFrom: signal.label), originalUnit: signal.physicalDimension)
        }
    }

    // MARK: Metadata

    public var channelNames: [String] { channels.map(\.name) }

    /// The sampling rate of each channel in Hz (EDF allows one per signal).
    public var samplingRates: [Double] { signalIndices.map { header.samplingRate(ofSignal: $0) } }

    /// Total samples of each channel (records × samples per record).
    public var sampleCounts: [Int] { signalIndices.map { header.recordCount * header.signals[$0].samplesPerRecord } }

    /// The digital/physical ranges of a channel (in its original unit), for writers.
    public func scaling(ofChannel name: String) throws -> EDFScaling {
        header.signals[signalIndices[try channelIndex(name)]].scaling
    }

    /// Channel names grouped by sampling rate, highest rate first.
    public var channelsByRate: [(rate: Double, channels: [String])] {
        var groups = [Double: [String]]()
        for (name, rate) in zip(channelNames, samplingRates) { groups[rate, default: []].append(name) }
        return groups.sorted { $0.key > $1.key }.map { ($0.key, $0.value) }
    }

    func channelIndex(_ name: String) throws -> Int {
        guard let i = channels.firstIndex(where: { $0.name == name }) else {
            throw RecordingError.unknownChannel(file: fileName, name: name, available: channelNames)
        }
        return i
    }

    // MARK: Planning

    /// What a `read` will touch: the channels, the sample range and the records holding it.
    struct ReadPlan {
        let channelIndices: [Int]
        let samplingRate: Double
        let samplesPerRecord: Int
        let samples: Range<Int>
        let records: Range<Int>
        /// Bytes of the output Floats.
        var outputBytes: Int { channelIndices.count * samples.count * MemoryLayout<Float>.size }
    }

    func plan(channels names: [String]?, timeRange: Range<Double>?) throws -> ReadPlan {
        let indices = try (names ?? channelNames).map(channelIndex)
        guard let first = indices.first else {
            throw RecordingError.invalidValue(type: "EDFReader.read", field: "channels", expected: "at least one channel", found: "none")
        }
        let perRecord = header.signals[signalIndices[first]].samplesPerRecord
        let samples = try sampleRange(timeRange, rate: header.samplingRate(ofSignal: signalIndices[first]), total: header.recordCount * perRecord)
        return try plan(channelIndices: indices, samples: samples)
    }

    /// The samples whose times lie in `timeRange` (all when nil) on a grid of `rate` Hz with `total`
    /// samples — the same rule as `TimeSeries.slice(seconds:)`.
    func sampleRange(_ timeRange: Range<Double>?, rate: Double, total: Int) throws -> Range<Int> {
        guard let range = timeRange else { return 0 ..< total }
        guard range.lowerBound.isFinite, range.upperBound.isFinite, range.lowerBound >= 0 else {
            throw RecordingError.invalidValue(
                type: "EDFReader.read", field: "timeRange", expected: "a finite range of seconds ≥ 0", found: "\(range)")
        }
        // Clamp in Double first so that huge times cannot overflow the conversion to Int.
        let lower = Int(min(Double(total), (range.lowerBound * rate).rounded(.up)))
        let upper = max(lower, Int(min(Double(total), (range.upperBound * rate).rounded(.up))))
        return lower ..< upper
    }

    /// A plan for channels of one sampling rate over `samples` (within the recording).
    func plan(channelIndices indices: [Int], samples: Range<Int>) throws -> ReadPlan {
        let first = indices[0]
        let perRecord = header.signals[signalIndices[first]].samplesPerRecord
        let mixed = indices.filter { header.signals[signalIndices[$0]].samplesPerRecord != perRecord }
        if !mixed.isEmpty {
            let shown = [first] + mixed
            throw RecordingError.mixedSamplingRates(
                file: fileName, channels: shown.map { channels[$0].name },
                rates: shown.map { header.samplingRate(ofSignal: signalIndices[$0]) })
        }
        let rate = header.samplingRate(ofSignal: signalIndices[first])
        precondition(samples.lowerBound >= 0 && samples.upperBound <= header.recordCount * perRecord, "samples outside the recording")
        let records = samples.isEmpty
            ? 0 ..< 0 : samples.lowerBound / perRecord ..< (samples.upperBound + perRecord - 1) / perRecord
        return ReadPlan(channelIndices: indices, samplingRate: rate, samplesPerRecord: perRecord, samples: samples, records: records)
    }

    /// The largest number of bytes `read(channels:timeRange:)` would allocate for samples and its
    /// record buffer, derived only from the validated header (so at most a small multiple of the
    /// file size: tests assert it on mutated headers).
    public func plannedAllocationBytes(channels names: [String]? = nil, timeRange: Range<Double>? = nil) throws -> Int {
        let plan = try plan(channels: names, timeRange: timeRange)
        return plan.outputBytes + chunkRecordCount(plan.records.count) * header.recordBytes
    }

    func chunkRecordCount(_ records: Int) -> Int {
        min(records, max(1, Self.chunkBytes / max(1, header.recordBytes)))
    }

    // MARK: Reading samples

    /// Reads the named channels (all when nil; they must share one sampling rate) over `timeRange`
    /// seconds from the first sample (whole recording when nil), with the annotations that overlap it.
    public func read(channels names: [String]? = nil, timeRange: Range<Double>? = nil) throws -> TimeSeries {
        let plan = try plan(channels: names, timeRange: timeRange)
        // Annotations come from every record; when the samples need every record too, one pass
        // over the file decodes both.
        let all: Annotations
        let output: [Float]
        if plan.records == 0 ..< header.recordCount {
            var scan: AnnotationScan? = AnnotationScan(self)
            output = try samples(plan, scan: &scan)
            all = try scan!.result().annotations
        } else {
            output = try samples(plan)
            all = try annotations()
        }
        let window = Double(plan.samples.lowerBound) / plan.samplingRate ..< Double(plan.samples.upperBound) / plan.samplingRate
        let annotations = timeRange == nil ? all : all.shifted(toWindow: window)
        return try TimeSeries(
            samples: output, channels: plan.channelIndices.map { channels[$0] }, samplingRate: plan.samplingRate,
            startTime: header.startTime.map { $0.addingTimeInterval(window.lowerBound) }, annotations: annotations)
    }

    /// The channel-major samples (volts) of `plan`, decoded straight from the record buffer.
    func samples(_ plan: ReadPlan) throws -> [Float] {
        var none: AnnotationScan?
        return try samples(plan, scan: &none)
    }

    /// The samples of `plan`; when `scan` is given, the annotation signals of each record are
    /// parsed into it on the way.
    func samples(_ plan: ReadPlan, scan: inout AnnotationScan?) throws -> [Float] {
        let n = plan.samples.count
        let perRecord = plan.samplesPerRecord
        // Not zeroed first: every element is written exactly once below (each record's part of
        // each row), and Float needs no initialisation to be safely overwritten.
        let count = plan.channelIndices.count * n
        var output = [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        let bytesPerSample = header.format.bytesPerSample
        // Byte offset of each signal inside a record.
        var signalOffsets = [Int](repeating: 0, count: header.signals.count)
        var running = 0
        for (i, s) in header.signals.enumerated() { signalOffsets[i] = running; running += s.samplesPerRecord * bytesPerSample }
        let decoders: [(offset: Int, gain: Double, base: Double, si: Double)] = plan.channelIndices.map { c in
            let signalIndex = signalIndices[c]
            let s = header.signals[signalIndex]
            return (signalOffsets[signalIndex], s.scaling.gain, s.scaling.offset, channels[c].scaleToSI ?? 1)
        }
        try forEachRecord(in: plan.records) { record, bytes in
            // The part of this record inside the requested samples.
            let recordStart = record * perRecord
            let from = max(plan.samples.lowerBound, recordStart) - recordStart
            let to = min(plan.samples.upperBound, recordStart + perRecord) - recordStart
            let destination = recordStart + from - plan.samples.lowerBound
            if scan != nil, scan!.active { try scan!.consume(record: record, bytes: bytes) }
            output.withUnsafeMutableBufferPointer { out in
                for (row, d) in decoders.enumerated() {
                    let base = out.baseAddress! + row * n + destination
                    let src = bytes.baseAddress! + d.offset
                    if bytesPerSample == 2 {
                        var k = from
                        while k < to {
                            let raw = Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 &* k, as: Int16.self))
                            base[k &- from] = Float((Double(raw) * d.gain + d.base) * d.si)
                            k &+= 1
                        }
                    } else {
                        for k in from ..< to {
                            let p = src + 3 &* k
                            let u = UInt32(p.load(as: UInt8.self)) | UInt32(p.load(fromByteOffset: 1, as: UInt8.self)) << 8
                                | UInt32(p.load(fromByteOffset: 2, as: UInt8.self)) << 16
                            let raw = Int32(bitPattern: u << 8) >> 8  // sign-extend 24 → 32 bits
                            base[k &- from] = Float((Double(raw) * d.gain + d.base) * d.si)
                        }
                    }
                }
            }
        }
        return output
    }

    /// The raw digital samples of header signal `index` (annotation signals included), for exact
    /// round trips and inspection.
    public func digitalSamples(ofSignal index: Int) throws -> [Int32] {
        precondition(header.signals.indices.contains(index), "signal index out of range")
        let perRecord = header.signals[index].samplesPerRecord
        let offset = header.signals[..<index].reduce(0) { $0 + $1.samplesPerRecord } * header.format.bytesPerSample
        var out = [Int32]()
        out.reserveCapacity(perRecord * header.recordCount)
        let bdf = header.format == .bdf
        try forEachRecord(in: 0 ..< header.recordCount) { _, bytes in
            for k in 0 ..< perRecord {
                if bdf {
                    let p = offset + 3 * k
                    let u = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16
                    out.append(Int32(bitPattern: u << 8) >> 8)
                } else {
                    let p = offset + 2 * k
                    out.append(Int32(Int16(bitPattern: UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8)))
                }
            }
        }
        return out
    }

    // MARK: Annotations

    /// The onset of each data record in seconds from the first record's onset: `r × duration` for
    /// EDF/EDF+C, the time-keeping TAL's onset for EDF+D.
    public func recordOnsets() throws -> [Double] {
        try scanAnnotations().recordOnsets
    }

    /// All annotations of all annotation signals, onsets relative to the first record's onset.
    public func annotations() throws -> Annotations {
        try scanAnnotations().annotations
    }

    func scanAnnotations() throws -> (annotations: Annotations, recordOnsets: [Double]) {
        var scan = AnnotationScan(self)
        if scan.active { try forEachRecord(in: 0 ..< header.recordCount) { try scan.consume(record: $0, bytes: $1) } }
        return try scan.result()
    }

    /// Collects the annotations and record onsets from records fed in order (by `scanAnnotations`
    /// or by a full `read`, which decodes samples in the same pass).
    struct AnnotationScan {
        let reader: EDFReader
        let tal: [Int]
        /// Byte range of each annotation signal inside a record.
        let ranges: [Range<Int>]
        var onsets: [Double]
        var found = [Annotation]()
        var origin: Double?
        /// False when there is nothing to scan (no annotation signal or no record).
        var active: Bool { !tal.isEmpty && reader.header.recordCount > 0 }

        init(_ reader: EDFReader) {
            self.reader = reader
            let header = reader.header
            onsets = (0 ..< header.recordCount).map { Double($0) * header.recordDuration }
            tal = header.annotationSignalIndices
            let bytesPerSample = header.format.bytesPerSample
            var offsets = [Int]()
            var running = 0
            for s in header.signals { offsets.append(running); running += s.samplesPerRecord * bytesPerSample }
            ranges = tal.map { offsets[$0] ..< offsets[$0] + header.signals[$0].samplesPerRecord * bytesPerSample }
        }

        mutating func consume(record: Int, bytes: UnsafeRawBufferPointer) throws {
            for (position, range) in ranges.enumerated() {
                let lists = try parseTimeStampedAnnotationLists(
                    UnsafeRawBufferPointer(rebasing: bytes[range]), file: reader.fileName, record: record)
                for (k, list) in lists.enumerated() {
                    var labels = list.labels[...]
                    if position == 0, k == 0, labels.first == "" {
                        // The record's time-keeping TAL.
                        labels = labels.dropFirst()
                        if origin == nil { origin = list.onset }
                        onsets[record] = list.onset - origin!
                    } else if position == 0, k == 0, reader.header.continuity == .discontinuous {
                        throw RecordingError.invalidAnnotation(
                            file: reader.fileName, record: record,
                            expected: "a time-keeping TAL (\"+onset\\x14\\x14\") first, as EDF+D requires",
                            found: "\"\(list.labels.first ?? "")\"")
                    }
                    for label in labels where !label.isEmpty {
                        found.append(Annotation(onset: list.onset, duration: list.duration ?? 0, label: label))
                    }
                }
            }
        }

        func result() throws -> (annotations: Annotations, recordOnsets: [Double]) {
            guard active else { return (.empty, onsets) }
            let shift = origin ?? 0
            let annotations = try Annotations(found.map {
                Annotation(onset: $0.onset - shift, duration: $0.duration, label: $0.label)
            })
            return (annotations, onsets)
        }
    }

    // MARK: Record access

    /// Calls `body` with each record of `records` in order, reading chunks of whole records.
    func forEachRecord(in records: Range<Int>, _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        guard !records.isEmpty else { return }
        let recordBytes = header.recordBytes
        if case .file(let url) = source, try forEachMappedRecord(url, in: records, body) { return }
        let perChunk = chunkRecordCount(records.count)
        // Filled by `read` before use, so not zeroed first.
        var buffer = [UInt8](unsafeUninitializedCapacity: perChunk * recordBytes) { _, initialized in initialized = perChunk * recordBytes }
        var record = records.lowerBound
        while record < records.upperBound {
            let count = min(perChunk, records.upperBound - record)
            let offset = header.headerBytes + record * recordBytes
            try buffer.withUnsafeMutableBytes { raw in
                let target = UnsafeMutableRawBufferPointer(rebasing: raw[0 ..< count * recordBytes])
                try Self.read(source, offset: offset, into: target, file: fileName)
                for r in 0 ..< count {
                    try body(record + r, UnsafeRawBufferPointer(rebasing: target[r * recordBytes ..< (r + 1) * recordBytes]))
                }
            }
            record += count
        }
    }

    /// Calls `body` with each record of `records` straight from a read-only memory map of the
    /// file (no copy into a buffer: the decoder reads the page cache). Returns false when the
    /// file cannot be mapped, so that the caller falls back to `pread`.
    func forEachMappedRecord(_ url: URL, in records: Range<Int>, _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let recordBytes = header.recordBytes
        let offset = header.headerBytes + records.lowerBound * recordBytes
        let length = records.count * recordBytes
        // The file may have shrunk since the header was read: touching a mapped page past its end
        // would raise SIGBUS, so check the size now (a file truncated while being read is the
        // caller's race, as with any reader).
        var status = stat()
        guard fstat(fd, &status) == 0 else { return false }
        guard Int(status.st_size) >= offset + length else {
            throw RecordingError.truncated(file: fileName, field: "data", expectedBytes: offset + length, foundBytes: Int(status.st_size))
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let aligned = offset / page * page
        let mapped = length + (offset - aligned)
        guard let base = mmap(nil, mapped, PROT_READ, MAP_PRIVATE, fd, off_t(aligned)), base != MAP_FAILED else { return false }
        defer { munmap(base, mapped) }
        _ = madvise(base, mapped, MADV_SEQUENTIAL)
        let first = UnsafeRawPointer(base) + (offset - aligned)
        for r in records {
            try body(r, UnsafeRawBufferPointer(start: first + (r - records.lowerBound) * recordBytes, count: recordBytes))
        }
        return true
    }

    static func readBytes(_ source: Source, offset: Int, count: Int, file: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { try read(source, offset: offset, into: $0, file: file) }
        return bytes
    }

    static func read(_ source: Source, offset: Int, into target: UnsafeMutableRawBufferPointer, file: String) throws {
        switch source {
        case .memory(let data):
            guard offset + target.count <= data.count else {
                throw RecordingError.truncated(file: file, field: "data", expectedBytes: offset + target.count, foundBytes: data.count)
            }
            data.withUnsafeBytes { all in
                target.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[offset ..< offset + target.count]))
            }
        case .file(let url):
            let fd = open(url.path, O_RDONLY)
            guard fd >= 0 else {
                throw RecordingError.invalidField(
                    file: file, field: "file", expected: "a readable file", found: String(cString: strerror(errno)))
            }
            defer { close(fd) }
            var done = 0
            while done < target.count {
                let got = pread(fd, target.baseAddress! + done, target.count - done, off_t(offset + done))
                if got < 0, errno == EINTR { continue }
                guard got > 0 else {
                    throw RecordingError.truncated(
                        file: file, field: "data", expectedBytes: offset + target.count, foundBytes: offset + done)
                }
                done += got
            }
        }
    }
}

/// Makes channel names unique the way MNE's `_unique_channel_names` does: every occurrence of a
/// repeated name gets `-0`, `-1`, ... (or `-a`, `-b`, ... when that name is taken).
func uniqueChannelNames(_ names: [String]) -> [String] {
    var counts = [String: Int]()
    for name in names { counts[name, default: 0] += 1 }
    var result = names
    var taken = Set(names)
    let letters = "abcdefghijklmnopqrstuvwxyz".map(String.init)
    for stem in Set(names) where counts[stem]! > 1 {
        let positions = names.indices.filter { names[$0] == stem }
        for (k, position) in positions.enumerated() {
            for suffix in ["\(k)"] + letters {
                let candidate = "\(stem)-\(suffix)"
                if !taken.contains(candidate) {
                    result[position] = candidate
                    taken.insert(candidate)
                    break
                }
            }
        }
    }
    return result
}
