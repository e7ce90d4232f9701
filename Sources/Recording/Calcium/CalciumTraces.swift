import Foundation

/// Identity of one imaged ROI (neuron).
public struct CalciumNeuron: Sendable, Hashable, Codable {
    /// The ROI's index or identifier in its source.
    public let id: Int
    /// A name when the source gives one (e.g. a NeuroPAL identity), else nil.
    public let label: String?
    /// suite2p's classifier decision, when known.
    public let isCell: Bool?
    /// suite2p's classifier probability, when known.
    public let cellProbability: Double?

    public init(id: Int, label: String? = nil, isCell: Bool? = nil, cellProbability: Double? = nil) {
        self.id = id
        self.label = label
        self.isCell = isCell
        self.cellProbability = cellProbability
    }
}

/// Calcium-imaging traces: neurons × frames at one frame rate.
///
/// All arrays are `[Float]`, row-major neurons × frames (neuron `n` is the contiguous run
/// `[n·frameCount, (n+1)·frameCount)`): fluorescence comes from 16-bit cameras and suite2p stores
/// float32, so Float loses nothing and halves memory. `signal` is the primary trace (raw F, or ΔF/F
/// when the source already stores that, see `kind`); `neuropil` (suite2p `Fneu`) and `deconvolved`
/// (`spks`) are optional companions of the same shape.
public struct CalciumTraces: Sendable, Hashable {
    /// What `signal` holds.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Raw ROI fluorescence (suite2p `F`).
        case fluorescence
        /// ΔF/F (dimensionless).
        case deltaFOverF
        /// Another normalisation (z-scored, ratiometric, …).
        case normalized
    }

    public let neurons: [CalciumNeuron]
    public let frameCount: Int
    /// Frames per second.
    public let frameRate: Double
    public let kind: Kind
    public let signal: [Float]
    public let neuropil: [Float]?
    public let deconvolved: [Float]?

    public init(
        signal: [Float], neurons: [CalciumNeuron], frameRate: Double, kind: Kind = .fluorescence,
        neuropil: [Float]? = nil, deconvolved: [Float]? = nil
    ) throws {
        guard frameRate.isFinite, frameRate > 0 else {
            throw RecordingError.invalidValue(type: "CalciumTraces", field: "frameRate", expected: "a finite rate > 0 Hz", found: "\(frameRate)")
        }
        guard !neurons.isEmpty, signal.count % neurons.count == 0 else {
            throw RecordingError.invalidValue(
                type: "CalciumTraces", field: "signal", expected: "a multiple of the \(neurons.count) neurons",
                found: "\(signal.count) values")
        }
        for (name, companion) in [("neuropil", neuropil), ("deconvolved", deconvolved)] {
            if let companion, companion.count != signal.count {
                throw RecordingError.invalidValue(
                    type: "CalciumTraces", field: name, expected: "\(signal.count) values (the signal's shape)",
                    found: "\(companion.count)")
            }
        }
        var ids = Set<Int>()
        for n in neurons where !ids.insert(n.id).inserted {
            throw RecordingError.invalidValue(type: "CalciumTraces", field: "neurons", expected: "unique ids", found: "id \(n.id) twice")
        }
        self.signal = signal
        self.neurons = neurons
        self.frameCount = signal.count / neurons.count
        self.frameRate = frameRate
        self.kind = kind
        self.neuropil = neuropil
        self.deconvolved = deconvolved
    }

    public var neuronCount: Int { neurons.count }
    public var duration: Double { Double(frameCount) / frameRate }
    /// Frame times in seconds from the first frame.
    public var frameTimes: [Double] { (0..<frameCount).map { Double($0) / frameRate } }
    /// One neuron's signal.
    public func trace(_ n: Int) -> ArraySlice<Float> { signal[(n * frameCount)..<((n + 1) * frameCount)] }
    public subscript(neuron: Int, frame: Int) -> Float { signal[neuron * frameCount + frame] }
    /// Signal as a neurons × frames Double matrix.
    public func matrix() -> Matrix<Double> {
        Matrix(rows: neuronCount, columns: frameCount, elements: signal.map(Double.init))
    }

    /// The neurons suite2p classified as cells (all neurons when no classification is known).
    public func cellsOnly() -> CalciumTraces {
        let keep = neurons.indices.filter { neurons[$0].isCell ?? true }
        return selecting(keep)
    }

    /// The neurons at `indices`, in that order.
    public func selecting(_ indices: [Int]) -> CalciumTraces {
        func pick(_ a: [Float]) -> [Float] {
            var out = [Float]()
            out.reserveCapacity(indices.count * frameCount)
            for i in indices { out.append(contentsOf: a[(i * frameCount)..<((i + 1) * frameCount)]) }
            return out
        }
        return try! CalciumTraces(
            signal: pick(signal), neurons: indices.map { neurons[$0] }, frameRate: frameRate, kind: kind,
            neuropil: neuropil.map(pick), deconvolved: deconvolved.map(pick))
    }
}
