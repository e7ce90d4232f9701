import Foundation

extension CalciumTraces {
    /// ΔF/F with neuropil subtraction and a running-percentile baseline.
    ///
    /// For each neuron, with F its fluorescence and N its neuropil (zero when absent):
    /// 1. `Fc(t) = F(t) − r·N(t)` with `r = neuropilCoefficient` (0.7, the suite2p convention);
    /// 2. `B(t)` = the `percentile`-th percentile of `Fc` over frames `[t − h, t + h]` clipped to the
    ///    recording, where `w = max(1, round(baselineWindow · frameRate))` frames and `h = ⌊w/2⌋`
    ///    (so the window holds `2h + 1` frames away from the edges). The percentile interpolates
    ///    linearly between order statistics as numpy's default: position `p/100 · (m − 1)` in the
    ///    sorted `m` values;
    /// 3. `ΔF/F(t) = (Fc(t) − B(t)) / B(t)`.
    ///
    /// A baseline ≤ 0 makes the ratio meaningless, so it throws naming the neuron and frame (a
    /// smaller coefficient usually helps). Computed in Double; the window is kept sorted and updated
    /// by one removal and one insertion per frame (O(frames · w) memmoves, no per-frame allocation).
    public func deltaFOverF(
        neuropilCoefficient: Double = 0.7, baselineWindow: Double = 60, percentile: Double = 8
    ) throws -> CalciumTraces {
        guard kind == .fluorescence else {
            throw RecordingError.invalidValue(type: "CalciumTraces", field: "kind", expected: "raw fluorescence", found: kind.rawValue)
        }
        guard neuropilCoefficient.isFinite, neuropilCoefficient >= 0 else {
            throw RecordingError.invalidValue(type: "CalciumTraces", field: "neuropilCoefficient", expected: "a finite value ≥ 0", found: "\(neuropilCoefficient)")
        }
        guard baselineWindow.isFinite, baselineWindow > 0 else {
            throw RecordingError.invalidValue(type: "CalciumTraces", field: "baselineWindow", expected: "a finite duration > 0 s", found: "\(baselineWindow)")
        }
        guard percentile.isFinite, (0...100).contains(percentile) else {
            throw RecordingError.invalidValue(type: "CalciumTraces", field: "percentile", expected: "a value in 0…100", found: "\(percentile)")
        }
        let frames = frameCount
        let w = max(1, Int(min(baselineWindow * frameRate, Double(Int32.max)).rounded()))
        let h = min(w / 2, frames)
        var out = [Float](repeating: 0, count: signal.count)
        var corrected = [Double](repeating: 0, count: frames)
        var window = [Double]()
        window.reserveCapacity(2 * h + 1)
        for n in 0..<neuronCount {
            let base = n * frames
            for t in 0..<frames {
                let f = Double(signal[base + t])
                let np = neuropil.map { Double($0[base + t]) } ?? 0
                corrected[t] = f - neuropilCoefficient * np
                guard corrected[t].isFinite else {
                    throw RecordingError.invalidValue(
                        type: "CalciumTraces", field: "fluorescence of neuron \(neurons[n].id)",
                        expected: "finite values", found: "\(f) (neuropil \(np)) at frame \(t)")
                }
            }
            window.removeAll(keepingCapacity: true)
            // Window for t = 0 is [0, h].
            for t in 0...min(h, frames - 1) { Self.insertSorted(&window, corrected[t]) }
            for t in 0..<frames {
                if t > 0 {
                    let incoming = t + h, outgoing = t - h - 1
                    if incoming < frames { Self.insertSorted(&window, corrected[incoming]) }
                    if outgoing >= 0 { Self.removeSorted(&window, corrected[outgoing]) }
                }
                let b = Self.percentileOfSorted(window, percentile)
                guard b > 0 else {
                    throw RecordingError.invalidValue(
                        type: "CalciumTraces", field: "ΔF/F baseline of neuron \(neurons[n].id)",
                        expected: "a positive baseline (try a smaller neuropil coefficient)", found: "\(b) at frame \(t)")
                }
                out[base + t] = Float((corrected[t] - b) / b)
            }
        }
        return try CalciumTraces(signal: out, neurons: neurons, frameRate: frameRate, kind: .deltaFOverF, deconvolved: deconvolved)
    }

    /// numpy's default ("linear") percentile of an ascending, non-empty list.
    static func percentileOfSorted(_ sorted: [Double], _ p: Double) -> Double {
        let position = p / 100 * Double(sorted.count - 1)
        let i = Int(position.rounded(.down))
        let fraction = position - Double(i)
        if i + 1 >= sorted.count { return sorted[sorted.count - 1] }
        return sorted[i] + (sorted[i + 1] - sorted[i]) * fraction
    }

    static func insertSorted(_ list: inout [Double], _ value: Double) {
        list.insert(value, at: SpikeTrains.lowerBound(list, value))
    }

    static func removeSorted(_ list: inout [Double], _ value: Double) {
        let i = SpikeTrains.lowerBound(list, value)
        if i < list.count { list.remove(at: i) }
    }
}
