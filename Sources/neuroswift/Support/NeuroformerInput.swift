import ArgumentParser
import Decoding
import Foundation

/// The spikes, optional stimulus and behaviour, and optional ground truth the Neuroformer commands read.
///
/// Spikes: a `simulate neuroformer` HDF5 file (counts, stimulus, behaviour and truth), a MatClust
/// `spikes.mat` (every non-empty `time` field is one unit, as in the nelpy linear-track data), an NWB
/// units table or a Phy folder; spike times are binned at `binWidth`. Behaviour: the simulation file's
/// `/behaviour`, a `.videoPositionTracking` file (its first position column), or a two-column CSV
/// (time in seconds, value), sampled at each bin (the last sample at or before the bin's end; NaN
/// where there is none within 0.5 s).
struct NeuroformerInput {
    var raster: SpikeRaster
    var stimulus: [Float]?
    var behaviour: [Double]?
    var truth: HubNetworkSimulation.Result?
    var description: String

    static func load(spikes path: String, binWidth: Double, behaviour behaviourPath: String?) throws -> NeuroformerInput {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw CLIError.missingFile(path: path) }
        var input: NeuroformerInput
        let ext = url.pathExtension.lowercased()
        if !isDirectory.boolValue && (ext == "h5" || ext == "hdf5") {
            let sim = try HubNetworkSimulation.Result(contentsOf: url)
            input = NeuroformerInput(raster: sim.raster, stimulus: sim.stimulus, behaviour: nil, truth: sim,
                                     description: "simulated hub network, \(sim.raster.neurons) neurons × \(sim.raster.bins) bins of \(sim.raster.binWidth) s")
        } else {
            let trains: SpikeTrains
            if isDirectory.boolValue {
                trains = try PhyFolder.read(url)
            } else if ext == "mat" {
                trains = try matClustUnits(url)
            } else if ext == "nwb" {
                let file = try NWBFile.open(url)
                defer { try? file.close() }
                trains = try file.units()
            } else {
                throw CLIError.unsupportedFormat(path: path, detail: "not a spike input (use a `simulate neuroformer` .h5, a MatClust spikes.mat, an NWB file or a Phy folder)")
            }
            guard let span = trains.timeSpan else { throw CLIError.unsupportedFormat(path: path, detail: "it holds no spikes") }
            let raster = try SpikeRaster(trains: trains, binWidth: binWidth, start: span.lowerBound, end: span.upperBound + binWidth)
            input = NeuroformerInput(raster: raster, stimulus: nil, behaviour: nil, truth: nil,
                                     description: "\(trains.unitCount) units, \(trains.spikeCount) spikes, \(raster.bins) bins of \(binWidth) s")
        }
        if let behaviourPath { input.behaviour = try behaviourValues(behaviourPath, spikes: input) }
        return input
    }

    /// Units of a MatClust `spikes` cell array: every non-empty `time` field, in file order.
    static func matClustUnits(_ url: URL) throws -> SpikeTrains {
        let mat = try MATFile(url: url)
        var lists: [[Double]] = []
        func walk(_ value: MATValue) {
            switch value {
            case .cell(let c): c.elements.forEach(walk)
            case .structure(let s):
                if let times = s.values(field: "time") {
                    for t in times { if let d = t.doubles, !d.isEmpty { lists.append(d.sorted()) } }
                } else {
                    for k in 0..<s.count { s.element(k).keys.sorted().forEach { walk(s.element(k)[$0]!) } }
                }
            default: break
            }
        }
        guard let root = mat["spikes"] else {
            throw CLIError.unsupportedFormat(path: url.path, detail: "no `spikes` variable (expected the MatClust layout of the nelpy data)")
        }
        walk(root)
        guard !lists.isEmpty else { throw CLIError.unsupportedFormat(path: url.path, detail: "no unit with spike times under `spikes`") }
        return try SpikeTrains(times: lists)
    }

    /// A 1-D track position from LED coordinates: the projection onto the principal axis of the valid
    /// samples (a linear track may run at an angle in the camera image), with NaN where the tracker is
    /// stuck (the same coordinates for 2 s or more: lost tracking reports a constant position, while a
    /// resting animal's LED still jitters by a pixel).
    static func trackPosition(x: [Double], y: [Double]?, times: [Double]) -> [Double] {
        guard x.count > 1 else { return x }
        let y = y ?? [Double](repeating: 0, count: x.count)
        var valid = [Bool](repeating: true, count: x.count)
        var runStart = 0
        for i in 1...x.count where i == x.count || x[i] != x[runStart] || y[i] != y[runStart] {
            if times[i - 1] - times[runStart] >= 2 { for k in runStart..<i { valid[k] = false } }
            runStart = i
        }
        let indices = x.indices.filter { valid[$0] }
        guard indices.count > 1 else { return x }
        let mx = indices.reduce(0) { $0 + x[$1] } / Double(indices.count), my = indices.reduce(0) { $0 + y[$1] } / Double(indices.count)
        var sxx = 0.0, sxy = 0.0, syy = 0.0
        for i in indices { sxx += (x[i] - mx) * (x[i] - mx); sxy += (x[i] - mx) * (y[i] - my); syy += (y[i] - my) * (y[i] - my) }
        // Leading eigenvector of the 2 × 2 covariance.
        let angle = 0.5 * atan2(2 * sxy, sxx - syy)
        let (ux, uy) = (cos(angle), sin(angle))
        return x.indices.map { valid[$0] ? (x[$0] - mx) * ux + (y[$0] - my) * uy : .nan }
    }

    static func behaviourValues(_ path: String, spikes input: NeuroformerInput) throws -> [Double] {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: url.path) else { throw CLIError.missingFile(path: path) }
        let ext = url.pathExtension.lowercased()
        if ext == "h5" || ext == "hdf5" {
            let sim = try HubNetworkSimulation.Result(contentsOf: url)
            guard sim.behaviour.count == input.raster.bins else {
                throw CLIError.unsupportedFormat(path: path, detail: "\(sim.behaviour.count) behaviour samples for \(input.raster.bins) bins")
            }
            return sim.behaviour
        }
        var times: [Double] = [], values: [Double] = []
        if ext == "videopositiontracking" {
            let series = try PositionTrackingFile.read(url).series
            times = series.timestamps
            values = trackPosition(x: Array(series.column(at: 0)), y: series.columnCount > 1 ? Array(series.column(at: 1)) : nil, times: times)
        } else {
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.split(whereSeparator: \.isNewline) {
                let fields = line.split(whereSeparator: { $0 == "," || $0 == "\t" || $0 == " " })
                guard fields.count >= 2, let t = Double(fields[0]), let v = Double(fields[1]) else { continue }
                times.append(t)
                values.append(v)
            }
            guard !times.isEmpty else { throw CLIError.unsupportedFormat(path: path, detail: "expected CSV rows of time,value") }
        }
        let r = input.raster
        var result = [Double](repeating: .nan, count: r.bins)
        var k = 0
        for b in 0..<r.bins {
            let end = r.start + Double(b + 1) * r.binWidth
            while k + 1 < times.count && times[k + 1] <= end { k += 1 }
            if times[k] <= end && end - times[k] <= 0.5 { result[b] = values[k] }
        }
        return result
    }
}

/// How windows are split into training and held-out sets.
enum NeuroformerSplit: String, ExpressibleByArgument, CaseIterable {
    /// The last `--test-fraction` of the recording.
    case time
    /// Every fourth lap of the (1-D track) behaviour, from `BehaviourDecodingBaselines.laps`.
    case laps

    /// Training and test bins masks (true = test) for `bins` bins.
    func testMask(bins: Int, behaviour: [Double]?, binWidth: Double, testFraction: Double) throws -> [Bool] {
        switch self {
        case .time:
            let cut = Int(Double(bins) * (1 - testFraction))
            return (0..<bins).map { $0 >= cut }
        case .laps:
            guard let behaviour else { throw ValidationError("--split laps needs --behaviour (a track position)") }
            let laps = BehaviourDecodingBaselines.laps(position: behaviour, binWidth: binWidth)
            return laps.map { $0 >= 0 && $0 % 4 == 3 }
        }
    }
}

/// Window indices of a dataset whose whole past+current span lies in training (or test) bins.
func splitWindows(_ data: NeuroformerDataset, testMask: [Bool]) -> (train: [Int], test: [Int]) {
    let c = data.configuration
    let span = c.pastBins + c.currentBins
    var train: [Int] = [], test: [Int] = []
    for (i, w) in data.windows.enumerated() {
        let bins = (w.endBin - span)..<w.endBin
        if bins.allSatisfy({ !testMask[$0] }) { train.append(i) } else if bins.allSatisfy({ testMask[$0] }) { test.append(i) }
    }
    return (train, test)
}

