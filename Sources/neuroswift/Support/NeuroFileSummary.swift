import Foundation
import NeuroCore
import Recording

/// `info` text for the spike / calcium / imaging formats: NWB, NIfTI, NPY/NPZ, MAT (v5 and v7.3), position
/// tracking, and Phy and suite2p folders. Each describer reads headers (or the small arrays it
/// counts) rather than whole datasets where the format allows.
enum NeuroFileSummary {
    /// The description of `url` when it is one of these formats, else nil (the caller falls back to
    /// the recording summary or the HDF5 tree).
    static func describe(_ url: URL, format: NeuroFormat) throws -> String {
        switch format {
        case .nwb: return try nwb(url)
        case .nifti: return try nifti(url)
        case .npy: return try npy(url)
        case .npz: return try npz(url)
        case .mat: return try mat(url)
        case .positionTracking: return try position(url)
        case .phy: return try phy(url)
        case .suite2p: return try suite2p(url)
        }
    }

    static func shape(_ s: [Int]) -> String { "(" + s.map(String.init).joined(separator: ", ") + ")" }

    // MARK: NWB

    static func nwb(_ url: URL) throws -> String {
        let nwb = try NWBFile.open(url)
        defer { try? nwb.close() }
        var lines = ["\(url.lastPathComponent): NWB \(nwb.nwbVersion)"]
        if nwb.file.root.contains("/units") {
            let units = try nwb.units()
            lines.append("units: \(units.unitCount), \(units.spikeCount) spikes")
            var table = TextTable(["unit", "spikes", "first (s)", "last (s)", "quality", "region"], alignments: [.right, .right, .right, .right, .left, .left])
            for (i, u) in units.units.enumerated().prefix(20) {
                let t = units.times[i]
                table.append([
                    "\(u.id)", "\(t.count)", t.first.map { RecordingSummary.number($0) } ?? "", t.last.map { RecordingSummary.number($0) } ?? "",
                    u.quality ?? "", u.region ?? "",
                ])
            }
            lines.append(table.render())
            if units.unitCount > 20 { lines.append("… \(units.unitCount - 20) more units") }
        } else {
            lines.append("units: none")
        }
        if nwb.file.root.contains("/general/extracellular_ephys/electrodes") {
            let e = try nwb.electrodes()
            let locations = Array(Set(e.locations.filter { !$0.isEmpty })).sorted()
            lines.append("electrodes: \(e.count)" + (locations.isEmpty ? "" : " in " + locations.prefix(8).joined(separator: ", ")))
        }
        for name in try nwb.intervalTableNames() {
            let t = try nwb.intervals(name)
            let span = t.count > 0 ? ", \(RecordingSummary.number(t.startTimes.min()!))–\(RecordingSummary.number(t.stopTimes.max()!)) s" : ""
            lines.append("intervals/\(name): \(t.count)\(span)")
        }
        let series = try nwb.seriesList()
        if !series.isEmpty {
            lines.append("series: \(series.count)")
            var table = TextTable(["path", "type", "shape", "unit", "timing"], alignments: [.left, .left, .left, .left, .left])
            for s in series {
                table.append([s.path, s.neurodataType, shape(s.shape), s.unit, s.rate.map { "\(RecordingSummary.number($0)) Hz" } ?? "timestamps"])
            }
            lines.append(table.render())
        }
        return lines.joined(separator: "\n")
    }

    // MARK: NIfTI

    static func nifti(_ url: URL) throws -> String {
        let image = try NIfTIFile.read(url)
        let h = image.header
        var lines = ["\(url.lastPathComponent): NIfTI-\(h.version)" + (h.isSingleFile ? "" : " (.hdr/.img pair)")]
        lines.append("dimensions: " + h.dimensions.map(String.init).joined(separator: " × "))
        lines.append("datatype: \(h.datatype)" + (h.isBigEndian ? ", big-endian" : ""))
        let space = h.units.space == .unknown ? "" : " \(h.units.space)"
        lines.append("voxel size: " + h.pixdim.dropFirst().prefix(3).map { RecordingSummary.number($0) }.joined(separator: " × ") + space)
        if h.dimensions.count >= 4 {
            let unit = h.units.time == .unknown ? "" : " \(h.units.time)"
            lines.append("TR: \(RecordingSummary.number(h.pixdim.count > 4 ? h.pixdim[4] : 0))\(unit)")
        }
        if let s = h.scaling { lines.append("scaling: slope \(RecordingSummary.number(s.slope)), intercept \(RecordingSummary.number(s.intercept))") }
        lines.append("qform code \(h.qformCode), sform code \(h.sformCode)")
        let a = try h.bestAffine(file: url.lastPathComponent)
        lines.append("affine:")
        for r in 0..<4 {
            lines.append("  " + (0..<4).map { String(format: "%10.4f", a[r * 4 + $0]) }.joined(separator: " "))
        }
        if !h.descrip.isEmpty { lines.append("description: \(h.descrip)") }
        if !image.extensions.isEmpty { lines.append("extensions: \(image.extensions.count)") }
        return lines.joined(separator: "\n")
    }

    // MARK: NPY / NPZ

    static func npy(_ url: URL) throws -> String {
        let h = try NPYFile.header(of: url)
        return "\(url.lastPathComponent): NPY v\(h.majorVersion).\(h.minorVersion)\ndtype: \(h.descr) (\(h.elementType.rawValue))\nshape: \(shape(h.shape))\norder: \(h.fortranOrder ? "Fortran" : "C")"
    }

    static func npz(_ url: URL) throws -> String {
        let z = try NPZFile(url: url)
        var table = TextTable(["array", "dtype", "shape"], alignments: [.left, .left, .left])
        for n in z.names { if let a = z[n] { table.append([n, a.elementType.rawValue, shape(a.shape)]) } }
        return "\(url.lastPathComponent): NPZ, \(z.names.count) arrays\n" + table.render()
    }

    // MARK: MAT

    static func mat(_ url: URL) throws -> String {
        let m = try MATFile(url: url)
        let version = m.isHDF5 ? "MAT v7.3 (HDF5)" : "MAT v5" + (m.isBigEndian ? " (big-endian)" : "")
        var lines = ["\(url.lastPathComponent): \(version), \(m.names.count) variables"]
        for n in m.names { if let v = m[n] { describe(v, name: n, depth: 0, into: &lines) } }
        return lines.joined(separator: "\n")
    }

    /// One line per value, struct fields and (the first few) cell elements indented below.
    static func describe(_ v: MATValue, name: String, depth: Int, into lines: inout [String]) {
        let indent = String(repeating: "  ", count: depth)
        let dims = v.shape.map(String.init).joined(separator: "×")
        var line = "\(indent)\(name)  \(v.kindName)  \(dims)"
        if case .char(let c) = v, c.rows.count == 1 { line += "  \"\(c.rows[0].prefix(40))\"" }
        if case .sparse(let s) = v { line += "  \(s.nonZeroCount) non-zeros" }
        lines.append(line)
        guard depth < 6, lines.count < 400 else { return }
        switch v {
        case .structure(let s):
            if s.count == 1 {
                for f in s.fieldNames { if let fv = s.value(field: f) { describe(fv, name: "." + f, depth: depth + 1, into: &lines) } }
            } else {
                lines.append("\(indent)  fields: " + s.fieldNames.joined(separator: ", "))
            }
        case .cell(let c):
            for (i, e) in c.elements.enumerated().prefix(8) { describe(e, name: "{\(i + 1)}", depth: depth + 1, into: &lines) }
            if c.elements.count > 8 { lines.append("\(indent)  … \(c.elements.count - 8) more elements") }
        default: break
        }
    }

    // MARK: Position tracking and folders

    static func position(_ url: URL) throws -> String {
        let p = try PositionTrackingFile.read(url)
        let s = p.series
        var lines = ["\(url.lastPathComponent): video position tracking, \(s.count) samples, clock \(RecordingSummary.number(p.clockRate)) Hz"]
        lines.append("fields: " + p.fields.map { "\($0.name) \($0.type)" }.joined(separator: ", "))
        if s.count > 0 {
            lines.append("time: \(RecordingSummary.number(s.timestamps[0]))–\(RecordingSummary.number(s.timestamps[s.count - 1])) s")
        }
        return lines.joined(separator: "\n")
    }

    static func phy(_ url: URL) throws -> String {
        let trains = try PhyFolder.read(url)
        var lines = ["\(url.lastPathComponent): Phy/Kilosort folder, \(trains.unitCount) clusters, \(trains.spikeCount) spikes"]
        if let span = trains.timeSpan { lines.append("time: \(RecordingSummary.number(span.lowerBound))–\(RecordingSummary.number(span.upperBound)) s") }
        var byQuality: [String: Int] = [:]
        for u in trains.units { byQuality[u.quality ?? "unlabelled", default: 0] += 1 }
        lines.append("clusters: " + byQuality.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    static func suite2p(_ url: URL) throws -> String {
        var lines = ["\(url.lastPathComponent): suite2p plane folder"]
        var table = TextTable(["file", "dtype", "shape"], alignments: [.left, .left, .left])
        for n in ["F.npy", "Fneu.npy", "spks.npy", "iscell.npy"] {
            let f = url.appendingPathComponent(n)
            guard FileManager.default.fileExists(atPath: f.path) else { continue }
            let h = try NPYFile.header(of: f)
            table.append([n, h.descr, shape(h.shape)])
        }
        lines.append(table.render())
        let iscell = url.appendingPathComponent("iscell.npy")
        if FileManager.default.fileExists(atPath: iscell.path) {
            let a = try NPYFile.read(iscell)
            if a.rank == 2, a.shape[1] >= 1 {
                let cells = stride(from: 0, to: a.count, by: a.shape[1]).filter { a.element(atLinear: $0) != 0 }.count
                lines.append("cells: \(cells) of \(a.shape[0]) ROIs")
            }
        }
        for skipped in ["stat.npy", "ops.npy"] where FileManager.default.fileExists(atPath: url.appendingPathComponent(skipped).path) {
            lines.append("\(skipped): a Python pickle, not read")
        }
        return lines.joined(separator: "\n")
    }
}
