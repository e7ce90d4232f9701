import ArgumentParser
import Foundation
import Recording

/// `neuroswift convert PHY_FOLDER OUT.nwb` and `convert SUITE2P_PLANE0 OUT.nwb --frame-rate HZ`:
/// spike sorting and cell extraction results into NWB 2.x files that pynwb reads.
extension ConvertCommand {
    static func writeNWB(input: URL, output: URL, frameRate: Double?, sessionStart: String?) throws -> String {
        let start = try sessionStart.map(parseDate) ?? Date()
        let name = input.standardizedFileURL.lastPathComponent
        switch NeuroFormat.detect(input) {
        case .phy:
            let spikes = try PhyFolder.read(input)
            let session = NWBSession(sessionDescription: "spike sorting from the Phy/Kilosort folder \(name)", sessionStartTime: start)
            try NWBWriter.write(to: output, session: session, spikes: spikes)
            return "wrote \(output.path): \(spikes.unitCount) units, \(spikes.spikeCount) spikes"
        case .suite2p:
            guard let frameRate else {
                throw ValidationError("suite2p keeps the frame rate in the pickled ops.npy, which is never read: pass --frame-rate HZ")
            }
            let plane = try Suite2pFolder.read(input, frameRate: frameRate)
            let session = NWBSession(sessionDescription: "calcium imaging from the suite2p folder \(name)", sessionStartTime: start)
            try NWBWriter.write(to: output, session: session, calcium: plane.traces)
            let traces = plane.traces
            return "wrote \(output.path): \(traces.neuronCount) ROIs × \(traces.frameCount) frames at \(frameRate) Hz"
                + (plane.notes.isEmpty ? "" : "\nnote: " + plane.notes.joined(separator: "\nnote: "))
        default:
            throw ValidationError("NWB output takes a Phy/Kilosort folder (spike_times.npy …) or a suite2p plane folder (F.npy …)")
        }
    }

    private static func parseDate(_ text: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withFullDate]
        if let date = formatter.date(from: text) { return date }
        throw ValidationError("--session-start: expected an ISO 8601 date such as 2024-05-01T09:30:00Z, found \"\(text)\"")
    }
}
