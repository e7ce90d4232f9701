import NeuroCore

/// Two channels whose difference forms a bipolar derivation, named "anode-cathode" by default.
public struct BipolarPair: Sendable, Hashable {
    public let anode: String
    public let cathode: String
    public let name: String

    public init(anode: String, cathode: String, name: String? = nil) {
        self.anode = anode
        self.cathode = cathode
        self.name = name ?? "\(anode)-\(cathode)"
    }
}

extension TimeSeries {
    /// The common average reference: at each sample the mean of the channels whose kind is in
    /// `kinds` (minus the `excluded` ones, e.g. bad channels) is subtracted from every channel of
    /// those kinds, as MNE's `set_eeg_reference('average')` does for EEG. Other channels are copied.
    public func averageReferenced(kinds: Set<ChannelKind> = [.eeg], excluding excluded: Set<String> = []) throws -> TimeSeries {
        let targets = channels.indices.filter { kinds.contains(channels[$0].kind) }
        let contributors = targets.filter { !excluded.contains(channels[$0].name) }
        guard !contributors.isEmpty else {
            throw ParameterError(
                "kinds", expected: "at least one channel of kind \(kinds.map(\.rawValue).sorted()) to average",
                found: "none among \(channelNames.prefix(12))")
        }
        let n = sampleCount
        var mean = [Double](repeating: 0, count: n)
        samples.withUnsafeBufferPointer { s in
            for c in contributors {
                let base = c &* n
                for t in 0..<n { mean[t] += Double(s[base &+ t]) }
            }
        }
        let scale = 1 / Double(contributors.count)
        for t in 0..<n { mean[t] *= scale }
        var out = samples
        out.withUnsafeMutableBufferPointer { o in
            for c in targets {
                let base = c &* n
                for t in 0..<n { o[base &+ t] = Float(Double(o[base &+ t]) - mean[t]) }
            }
        }
        return try TimeSeries(samples: out, channels: channels, samplingRate: samplingRate, startTime: startTime, annotations: annotations)
    }

    /// Bipolar derivations: one new channel per pair (anode − cathode, with the anode's kind and
    /// unit), appended after the remaining channels. Like MNE's `set_bipolar_reference`, the
    /// channels used in a pair are dropped unless `keepOriginals`.
    public func bipolarReferenced(_ pairs: [BipolarPair], keepOriginals: Bool = false) throws -> TimeSeries {
        try ParameterError.check(!pairs.isEmpty, "pairs", expected: "at least one bipolar pair", found: "none")
        let n = sampleCount
        var used = Set<String>()
        var derived = [Float]()
        derived.reserveCapacity(pairs.count * n)
        var newChannels = [Channel]()
        for pair in pairs {
            let (a, b) = (try index(of: pair.anode), try index(of: pair.cathode))
            let (anode, cathode) = (channel(at: a), channel(at: b))
            for t in 0..<n {
                derived.append(Float(Double(anode[anode.startIndex &+ t]) - Double(cathode[cathode.startIndex &+ t])))
            }
            newChannels.append(Channel(name: pair.name, kind: channels[a].kind, originalUnit: channels[a].originalUnit))
            used.formUnion([pair.anode, pair.cathode])
        }
        let kept = channels.indices.filter { keepOriginals || !used.contains(channels[$0].name) }
        var out = [Float]()
        out.reserveCapacity((kept.count + pairs.count) * n)
        for c in kept { out.append(contentsOf: channel(at: c)) }
        out.append(contentsOf: derived)
        return try TimeSeries(
            samples: out, channels: kept.map { channels[$0] } + newChannels, samplingRate: samplingRate,
            startTime: startTime, annotations: annotations)
    }
}
