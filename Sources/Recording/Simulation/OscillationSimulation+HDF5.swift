import Foundation

/// The HDF5 layout of a simulated oscillation recording (`sample-data/oscillations.h5`):
///
///     /signals/data                    float32, channels × samples, volts
///         @sampling_rate (Hz), @unit = "V"
///     /signals/channel_names           strings
///     /ground_truth/peak_frequency_hz  float64, channels
///     /ground_truth/amplitude_v        float64, channels
///
/// plus the provenance attributes every NeuroSwift export carries at the root.
extension OscillationSimulation.Result {
    public func write(to url: URL, provenance: ExportProvenance) throws {
        try HDF5File.writeAtomically(to: url) { file in
            try provenance.write(to: file)
            let signals = try file.root.createGroup("signals")
            let data = try signals.createDataset(
                "data", shape: [self.signals.rows, self.signals.columns], values: self.signals.elements.map { Float($0) },
                chunks: [1, Swift.min(self.signals.columns, 65_536)], deflate: 4)
            try data.setAttribute("sampling_rate", samplingRate)
            try data.setAttribute("unit", "V")
            _ = try signals.createStringDataset("channel_names", values: (0..<self.signals.rows).map { "EEG\($0 + 1)" })
            let truth = try file.root.createGroup("ground_truth")
            _ = try truth.createDataset("peak_frequency_hz", shape: [peakFrequencies.count], values: peakFrequencies)
            _ = try truth.createDataset("amplitude_v", shape: [amplitudes.count], values: amplitudes)
        }
    }

    /// Reads a file written by `write(to:provenance:)`.
    public init(contentsOf url: URL) throws {
        let file = try HDF5File.open(at: url)
        let data = try file.root.dataset("signals/data")
        guard data.shape.count == 2 else {
            throw RecordingError.invalidField(
                file: url.path, field: "/signals/data", expected: "a 2-D channels × samples array", found: "shape \(data.shape)")
        }
        guard case .reals(let rates) = try data.attribute("sampling_rate"), let rate = rates.first, rate > 0 else {
            throw RecordingError.invalidField(
                file: url.path, field: "/signals/data@sampling_rate", expected: "a positive number of Hz", found: "missing or invalid")
        }
        let peaks = try file.root.dataset("ground_truth/peak_frequency_hz").readDoubles()
        let amplitudes = try file.root.dataset("ground_truth/amplitude_v").readDoubles()
        guard peaks.count == data.shape[0], amplitudes.count == data.shape[0] else {
            throw RecordingError.invalidField(
                file: url.path, field: "/ground_truth", expected: "\(data.shape[0]) values (one per channel)",
                found: "\(peaks.count) peak frequencies and \(amplitudes.count) amplitudes")
        }
        self.init(
            signals: Matrix(rows: data.shape[0], columns: data.shape[1], elements: try data.readDoubles()),
            peakFrequencies: peaks, amplitudes: amplitudes, samplingRate: rate)
    }
}
