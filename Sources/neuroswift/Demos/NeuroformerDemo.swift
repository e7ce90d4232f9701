import Decoding
import Foundation

/// A short Neuroformer run on the simulated hub network: pretrain the "tiny" model for a few hundred
/// steps on the first 80 % of the sample, then report held-out next-neuron accuracy against the
/// most-frequent-neuron baseline and hub-edge recovery from attention beside lagged cross-correlation.
struct NeuroformerDemo: DemoPipeline {
    let name = "neuroformer"
    let summary = "Neuroformer (tiny, ≤ 300 steps) on a 32-neuron hub network → next-neuron accuracy, hub edges from attention vs xcorr"
    let inputFile = "neuroformer.h5"

    func run(_ input: URL) throws -> DemoOutcome {
        let sim = try HubNetworkSimulation.Result(contentsOf: input)
        var c = NeuroformerConfiguration.preset("tiny", neurons: sim.raster.neurons)!
        c.binWidth = sim.raster.binWidth
        let data = try NeuroformerDataset(raster: sim.raster, configuration: c)
        let cut = data.count * 4 / 5
        let train = Array(0..<cut), test = Array(cut..<data.count)
        let model = try NeuroformerModel(configuration: c, seed: 0)
        // 300 steps on the committed sample; fewer on smaller files (about 2 passes over the windows).
        let steps = min(300, max(20, train.count / 16))
        try NeuroformerTraining.pretrain(model, on: data, samples: train, options: .init(steps: steps, batchSize: 32, learningRate: 3e-3, warmupSteps: steps / 10))
        let metrics = model.tokenMetrics(on: data, samples: test)
        let attention = SpikeConnectivity.attention(model, on: data, samples: test)
        let trainBins = data.windows[cut].endBin - c.currentBins
        let xcorr = SpikeConnectivity.laggedCrossCorrelation(sim.raster, bins: 0..<trainBins)
        let attentionAUC = try SpikeConnectivity.auroc(attention, positive: sim.hubEdges, negative: sim.nonEdges)
        let xcorrAUC = try SpikeConnectivity.auroc(xcorr, positive: sim.hubEdges, negative: sim.nonEdges)
        let finalAUC = try SpikeConnectivity.auroc(
            SpikeConnectivity.doubleCentred(attention, neurons: c.neurons), positive: sim.hubEdges, negative: sim.nonEdges)
        var table = TextTable(["held-out metric", "Neuroformer", "baseline"], alignments: [.left, .right, .right])
        table.append(["next-neuron accuracy", fmt3(metrics.idAccuracy), fmt3(metrics.mostFrequentIDAccuracy) + " (most frequent)"])
        table.append(["next-offset accuracy", fmt3(metrics.offsetAccuracy), fmt3(metrics.offsetPriorAccuracy) + " (prior mode)"])
        table.append(["hub-edge AUROC, read-out (double-centred)", fmt3(finalAUC), fmt3(xcorrAUC) + " (lagged xcorr)"])
        table.append(["hub-edge AUROC, raw attention", fmt3(attentionAUC), ""])
        return DemoOutcome(
            table: table,
            headline: String(format: "next-neuron acc. %.3f (%.1f× most-frequent); hub AUROC %.2f (raw %.2f; xcorr %.2f)",
                             metrics.idAccuracy, metrics.idAccuracy / max(metrics.mostFrequentIDAccuracy, 1e-9), finalAUC, attentionAUC, xcorrAUC))
    }
}
