import Foundation
import Recording

/// What `neuroswift info` prints for a recording, gathered from a reader's metadata (no samples
/// are decoded, except for CSV, whose reader parses the text to know its rate).
struct RecordingSummary {
    struct ChannelRow { let name: String; let kind: String; let unit: String; let rate: Double; let samples: Int }
    let file: String
    let format: RecordingFormat
    let channels: [ChannelRow]
    let duration: Double
    let startTime: Date?
    let annotations: Annotations
    var notes: [String] = []

    init(url: URL) throws {
        file = url.lastPathComponent
        format = try RecordingFile.format(of: url)
        let reader = try RecordingFile.reader(for: url)
        func rows(_ channels: [Channel], rate: Double, samples: Int) -> [ChannelRow] {
            channels.map { ChannelRow(name: $0.name, kind: $0.kind.rawValue, unit: $0.originalUnit, rate: rate, samples: samples) }
        }
        switch reader {
        case let edf as EDFReader:
            channels = zip(edf.channels, zip(edf.samplingRates, edf.sampleCounts)).map {
                ChannelRow(name: $0.name, kind: $0.kind.rawValue, unit: $0.originalUnit, rate: $1.0, samples: $1.1)
            }
            duration = Double(edf.header.recordCount) * edf.header.recordDuration
            startTime = edf.header.startTime
            annotations = try edf.annotations()
            notes.append("\(edf.header.recordCount) records of \(edf.header.recordDuration) s, \(edf.header.continuity.rawValue)")
        case let bv as BrainVisionReader:
            channels = rows(bv.channels, rate: bv.samplingRate, samples: bv.sampleCount)
            duration = bv.duration
            startTime = bv.startTime
            annotations = bv.annotations
            notes.append("\(bv.header.binaryFormat.rawValue), \(bv.header.orientation.rawValue.lowercased()), data in \(bv.dataURL.lastPathComponent)")
        case let set as EEGLABReader:
            channels = rows(set.channels, rate: set.samplingRate, samples: set.sampleCount)
            duration = set.duration
            startTime = nil
            annotations = set.annotations
            notes.append("data " + (set.dataURL.map { "in \($0.lastPathComponent)" } ?? "embedded in the .set"))
        case let csv as CSVSignalReader:
            channels = rows(csv.channels, rate: csv.samplingRate, samples: csv.sampleCount)
            duration = csv.series.duration
            startTime = csv.series.startTime
            annotations = csv.annotations
            notes.append(String(format: "rate estimated from the median timestamp interval (%.6g s)", csv.medianInterval))
        case let h5 as TimeSeriesHDF5Reader:
            channels = rows(h5.channels, rate: h5.samplingRate, samples: h5.sampleCount)
            duration = Double(h5.sampleCount) / h5.samplingRate
            startTime = h5.startTime
            annotations = h5.annotations
        default:
            let series = try reader.read(channels: nil, timeRange: nil)
            channels = rows(series.channels, rate: series.samplingRate, samples: series.sampleCount)
            duration = series.duration
            startTime = series.startTime
            annotations = series.annotations
        }
    }

    func render() -> String {
        var lines = [String]()
        var head = "\(file): \(format.rawValue), \(channels.count) channels, \(Self.seconds(duration))"
        if let startTime {
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(identifier: "UTC")
            head += ", start \(formatter.string(from: startTime))"
        }
        lines.append(head)
        lines.append(contentsOf: notes.map { "  " + $0 })
        // Rates: one line per distinct rate.
        var byRate = [(rate: Double, count: Int, samples: Int)]()
        for c in channels {
            if let i = byRate.firstIndex(where: { $0.rate == c.rate }) { byRate[i].count += 1 } else { byRate.append((c.rate, 1, c.samples)) }
        }
        lines.append("")
        var rates = TextTable(["rate (Hz)", "channels", "samples"], alignments: [.right, .right, .right])
        for r in byRate.sorted(by: { $0.rate > $1.rate }) { rates.append([Self.number(r.rate), "\(r.count)", "\(r.samples)"]) }
        lines.append(rates.render())
        lines.append("")
        var table = TextTable(["channel", "kind", "unit", "rate (Hz)"], alignments: [.left, .left, .left, .right])
        for c in channels { table.append([c.name, c.kind, c.unit, Self.number(c.rate)]) }
        lines.append(table.render())
        lines.append("")
        if annotations.isEmpty {
            lines.append("annotations: none")
        } else {
            lines.append("annotations: \(annotations.count)")
            var notes = TextTable(["label", "count", "first onset (s)"], alignments: [.left, .right, .right])
            for label in annotations.labels {
                let items = annotations.withLabel(label)
                notes.append([label, "\(items.count)", Self.number(items.first!.onset)])
            }
            lines.append(notes.render())
        }
        return lines.joined(separator: "\n")
    }

    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e12 ? String(Int64(x)) : String(format: "%.6g", x)
    }

    static func seconds(_ x: Double) -> String {
        x < 120 ? "\(number((x * 1000).rounded() / 1000)) s" : String(format: "%.1f s (%.1f min)", x, x / 60)
    }
}
