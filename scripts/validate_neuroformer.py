#!/usr/bin/env python3
"""Validation of the Neuroformer port (issue 10) on the simulated hub network and the nelpy linear track
→ docs/neuroformer.md. Every figure comes from the `neuroswift` CLI (`--json` outputs).

Usage (from the repository root; `make validate-neuroformer` does this):
    python3 scripts/validate_neuroformer.py --neuroswift .build/release/neuroswift --output docs/neuroformer.md \
        [--steps 1500] [--skip-real-data]

1. Simulator (methods note §D1; 32 neurons, 3 hubs × 8 targets, 12 weak edges, shared stimulus as a
   modality stream, behaviour = lagged smoothed rate of the stimulus group), 1200 s, last 20 % held out:
   pretrain Neuroformer-mini (AdamW, warm-up + cosine, batch 64) on spikes + the stimulus stream (and, in
   ablation runs overlapping it, without the stimulus and with behaviour as a multitask target); held-out
   next-neuron accuracy vs the most-frequent-neuron baseline (goal ≥ 3×); hub-edge AUROC from past-window
   attention (goal ≥ 0.95) beside the lagged cross-correlation AUROC; free-running generation (8 chains ×
   200 windows from held-out starts): per-neuron rates within 20 % of the recorded ones; behaviour decoding.
2. Real data (../shared/data/spikes/nelpy-linear-track, 31 units + position): every 4th lap held out;
   pretrain on the training laps' spikes and position; fine-tune a fresh behaviour head (all training
   windows, and 10 % few-shot); Pearson r of held-out position against ridge (Wiener filter on 4 × 50 ms
   lagged counts) and a Bayesian place-field decoder (200 ms counts) on the same windows.
"""
import argparse
import datetime
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "Benchmarks" / "compare"))
import report  # noqa: E402  (shared section writer)

DATA = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "spikes" / "nelpy-linear-track"


def write_section(output, name, heading, lines):
    report.write_section(output, name, heading, lines, source="scripts/validate_neuroformer.py", title=("# Neuroformer (issue 10)\n\nA CPU-sized port of Neuroformer (Antoniades et al., ICLR 2024) in "
                                 "`Sources/Decoding/Neuroformer/`. The figures below are written by `make validate-neuroformer`.\n"))


def run(binary, *arguments):
    return start(binary, *arguments)()


def start(binary, *arguments):
    """Starts a CLI run in the background; calling the result waits for it and returns (JSON, seconds).
    Independent runs overlap so that the validation uses both cores."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    began = time.time()
    process = subprocess.Popen([binary, *arguments], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)

    def wait():
        out, _ = process.communicate()
        if process.returncode != 0:
            raise subprocess.CalledProcessError(process.returncode, [binary, *arguments])
        return json.loads(out.strip().splitlines()[-1]), time.time() - began
    return wait


def f3(x):
    return f"{x:.3f}"


def poisson_glm_connectivity(sim_path, test_fraction=0.2, lags=(1, 2)):
    """Poisson-GLM connectivity baseline: for every target neuron i, a Poisson regression (scikit-learn
    PoissonRegressor, light ridge penalty) of its count in bin b on every neuron's summed counts in bins
    b − 1 and b − 2 (the simulator's coupling lags) over the training part; score[i, j] is source j's
    coefficient. Returns the score matrix [target][source], the hub and non-edge pair lists, and the
    scikit-learn version."""
    import h5py
    import numpy as np
    import sklearn
    from sklearn.linear_model import PoissonRegressor
    with h5py.File(sim_path, "r") as f:
        counts = np.asarray(f["spikes/counts"], dtype=float)
        weights = np.asarray(f["ground_truth/weights"])
        hub_weight = float(f.attrs["hub_weight"])
    bins, n = counts.shape
    train = int(bins * (1 - test_fraction))
    c = counts[:train]
    start = max(lags)
    x = sum(c[start - lag:train - lag] for lag in lags)
    scores = np.zeros((n, n))
    for i in range(n):
        model = PoissonRegressor(alpha=1e-4, max_iter=300).fit(x, c[start:, i])
        scores[i] = model.coef_
    off = ~np.eye(n, dtype=bool)
    hub = (weights == hub_weight) & off
    none = (weights == 0) & off
    return scores, hub, none, (weights > 0) & off, sklearn.__version__


def auroc(scores, positive, negative):
    import numpy as np
    pos, neg = scores[positive], scores[negative]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def connectivity_row(label, pre):
    return (f"| {label} | {f3(pre['attentionHubAUROC'])} | {f3(pre['sourceNormalisedHubAUROC'])} | "
            f"**{f3(pre['finalHubAUROC'])}** | {f3(pre['finalAllEdgeAUROC'])} | "
            f"{f3(pre['shuffledAttentionHubAUROC'])} / {f3(pre['shuffledFinalHubAUROC'])} | {f3(pre['directionality'])} | "
            f"{f3(pre['crossCorrelationHubAUROC'])} / {f3(pre['crossCorrelationAllEdgeAUROC'])} |")


def simulated(args, folder):
    sim = str(folder / "sim.h5")
    model = str(folder / "sim-model.h5")
    subprocess.run([args.neuroswift, "simulate", "neuroformer", "--seed", "1", "--duration", "1200", "-o", sim], check=True,
                   capture_output=True)
    warmup = str(min(200, args.steps // 5))
    # Token budgets that hold the simulator's windows (mini's 24 / 48 cut 5 % of current windows, 13 % at
    # stimulus peaks, and 16 % of past windows; the cut windows taught the model to under-generate busy windows).
    blocks = ["--current-block", str(args.current_block), "--past-block", str(args.past_block)]
    # Main run: spikes + the stimulus modality; the behaviour is then decoded by few-shot fine-tuning of a
    # fresh head on frozen features (`decode`). The multitask variant (behaviour as a pretraining target,
    # weight 1) and a run without the stimulus stream go into the connectivity table.
    pending_pre = start(args.neuroswift, "pretrain", "neuroformer", sim, "--config", "mini", *blocks,
                        "--steps", str(args.steps), "--warmup", warmup, "-o", model, "--json")
    ablations = []
    if not args.skip_ablation:
        for label, extra in [("no stimulus stream (`--no-stimulus`)", ["--no-stimulus"]),
                             ("stimulus + behaviour as a pretraining target (multitask, weight 1)", ["--behaviour", sim])]:
            ablations.append((label, start(args.neuroswift, "pretrain", "neuroformer", sim, *extra, "--config", "mini", *blocks,
                                           "--steps", str(args.steps), "--warmup", warmup,
                                           "-o", str(folder / f"sim-ablation{len(ablations)}.h5"), "--json")))
    pre, pre_s = pending_pre()
    sampling = []
    if args.top_k is not None:
        sampling += ["--top-k", str(args.top_k)]
    if args.top_p is not None:
        sampling += ["--top-p", str(args.top_p)]
    pending_gen = start(args.neuroswift, "generate", "neuroformer", sim, "--model", model, "--windows", str(args.windows),
                        "--chains", str(args.chains), "--seed", "1", *sampling, "--json")
    # Offsets restricted to the tokeniser's order on the same model, for comparison.
    pending_gen_ordered = start(args.neuroswift, "generate", "neuroformer", sim, "--model", model, "--windows", str(args.windows),
                                    "--chains", str(args.chains), "--seed", "1", *sampling, "--token-sampling", "ordered", "--json")
    pending_dec = start(args.neuroswift, "decode", "neuroformer", sim, "--behaviour", sim, "--model", model, "--json")
    glm, hub, none, edges, sklearn_version = poisson_glm_connectivity(sim)
    gen, gen_s = pending_gen()
    gen_ordered, _ = pending_gen_ordered()
    dec, dec_s = pending_dec()
    ablations = [(label, wait()[0]) for label, wait in ablations]
    m = pre["metrics"]
    ratio = m["idAccuracy"] / m["mostFrequentIDAccuracy"]
    within = gen["neuronsWithin20Percent"]
    setting = ", ".join(f"{k} {v}" for k, v in [("temperature", gen["temperature"]), ("top-k", gen.get("topK")), ("top-p", gen.get("topP"))]
                        if v is not None)
    missed = [f"{i} ({gen['generatedRates'][i]:.2f} vs {gen['realRates'][i]:.2f} Hz)" for i in gen.get("outside20Percent", [])]
    missed_ordered = [f"{i} ({gen_ordered['generatedRates'][i]:.2f} vs {gen_ordered['realRates'][i]:.2f} Hz)"
                          for i in gen_ordered.get("outside20Percent", [])]
    expected, observed = gen["teacherForcedExpectedSpikes"], gen["teacherForcedObservedSpikes"]
    calibrated = sum(1 for e, o in zip(expected, observed) if o > 0 and abs(e - o) <= 0.2 * o)
    import numpy as np
    calibration_r = float(np.corrcoef(expected, observed)[0, 1])
    worst_calibration = max(range(len(observed)), key=lambda i: abs(expected[i] / observed[i] - 1) if observed[i] > 0 else 0)
    lines = [
        f"Run {datetime.date.today().isoformat()}: `simulate neuroformer --seed 1 --duration 1200`; "
        f"`pretrain neuroformer --config mini --current-block {args.current_block} --past-block {args.past_block} --steps {args.steps}` "
        f"on spikes with the stimulus stream (training windows cut by the blocks: {pre.get('truncatedCurrentWindows', float('nan')):.2%} current, "
        f"{pre.get('truncatedPastWindows', float('nan')):.2%} past), behaviour decoded by "
        f"fine-tuning a fresh head on the frozen features "
        f"({pre['parameters']:,} parameters, "
        f"{pre['trainWindows']:,} training / {pre['testWindows']:,} held-out windows; {pre['seconds']:.0f} s, "
        f"{pre['tokensPerSecond']:,.0f} tokens/s on a shared 2-core machine).",
        "",
        "| criterion (held-out last 20 %) | result | goal / baseline | met |",
        "|---|---:|---|---|",
        f"| next-neuron top-1 accuracy | {f3(m['idAccuracy'])} | ≥ 3 × most-frequent {f3(m['mostFrequentIDAccuracy'])} "
        f"(ratio {ratio:.2f}) | {'yes' if ratio >= 3 else 'no'} |",
        f"| same, argmax over all tokens (reference micro-F1; EOS predictions count as wrong) | {f3(m['idAccuracyAnyToken'])} | | |",
        f"| next-offset accuracy | {f3(m['offsetAccuracy'])} | > prior mode {f3(m['offsetPriorAccuracy'])} | "
        f"{'yes' if m['offsetAccuracy'] > m['offsetPriorAccuracy'] else 'no'} |",
        f"| hub-edge AUROC, attention read-out (final: double-centred log enrichment) | {f3(pre['finalHubAUROC'])} | ≥ 0.95 "
        f"(lagged cross-correlation {f3(pre['crossCorrelationHubAUROC'])}) | {'yes' if pre['finalHubAUROC'] >= 0.95 else 'no'} |",
        f"| hub-edge AUROC, raw attention enrichment | {f3(pre['attentionHubAUROC'])} | (reported) | |",
        f"| shuffle control (past neuron IDs permuted), final / raw | {f3(pre['shuffledFinalHubAUROC'])} / {f3(pre['shuffledAttentionHubAUROC'])} "
        f"| final ≈ 0.5 | {'yes' if abs(pre['shuffledFinalHubAUROC'] - 0.5) <= 0.15 else 'no'} |",
        f"| top-3 sources by summed raw attention | {pre['topSources']} | the hubs [0, 1, 2] | "
        f"{'yes' if sorted(pre['topSources']) == [0, 1, 2] else 'no'} |",
        f"| true edges with S[i,j] > S[j,i] (final read-out) | {f3(pre['directionality'])} | ≥ 0.9 | {'yes' if pre['directionality'] >= 0.9 else 'no'} |",
        f"| generated rates within 20 % ({args.chains} chains × {args.windows} windows, free-running; {setting}) | "
        f"{within} / {gen['neurons']} neurons, r = {f3(gen['rateCorrelation'])} | all neurons | {'yes' if within == gen['neurons'] else 'no'} |",
        f"| same, offsets restricted to the tokeniser's order (`--token-sampling ordered`) | "
        f"{gen_ordered['neuronsWithin20Percent']} / {gen_ordered['neurons']} neurons, r = {f3(gen_ordered['rateCorrelation'])} | (comparison) | |",
        f"| one-step calibration: expected spikes given the true prefixes vs spikes in the held-out windows | "
        f"{calibrated} / {len(observed)} neurons within 20 %, r = {f3(calibration_r)} (worst: neuron {worst_calibration}, "
        f"{expected[worst_calibration]:.0f} vs {observed[worst_calibration]:.0f}) | (diagnostic) | |",
    ]
    for row in dec["rows"]:
        lines.append(f"| behaviour (lagged group rate), {row['decoder']} | r = {f3(row['pearson'])} | | |")
    if missed:
        lines += ["", "Neurons outside 20 % in generation: " + ", ".join(missed) + "."]
    ratios = [g / r if r > 0 else float("nan") for g, r in zip(gen["generatedRates"], gen["realRates"])]
    lines += ["", f"Generated / recorded rate against the neuron's index (its place in the within-bin token order; the "
              f"simulator's stimulus-driven neurons are the last {8}): Pearson r = {f3(float(np.corrcoef(ratios, range(len(ratios)))[0, 1]))}; "
              f"mean ratio of neurons 0–7 / 8–23 / 24–31: {np.mean(ratios[:8]):.3f} / {np.mean(ratios[8:24]):.3f} / {np.mean(ratios[24:]):.3f}."]
    if missed_ordered:
        lines += ["", f"With ordered offsets: {len(missed_ordered)} neurons outside 20 %."]
    lines += [
        "",
        "Connectivity (hub-edge AUROC unless stated; one read-out with and without the stimulus stream; baselines on the "
        "training part):",
        "",
        "| model | raw enrichment | ÷ source mean | **final** (double-centred) | final, all edges | shuffle control raw / final "
        "| S[i,j] > S[j,i] | lagged xcorr hub / all |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        connectivity_row("stimulus stream (main run)", pre),
    ]
    for label, ablation in ablations:
        lines.append(connectivity_row(label, ablation))
    lines += [
        f"| Poisson GLM (scikit-learn {sklearn_version}, lags 1–2, coefficients) | | | {f3(auroc(glm, hub, none))} | "
        f"{f3(auroc(glm, edges, none))} | | | |",
        "",
        f"Generation took {gen_s:.0f} s, decoding (fine-tuning + baselines) {dec_s:.0f} s.",
    ]
    write_section(args.output, "simulated", "Simulated hub network (mini configuration)", lines)
    print("\n".join(lines))


def real(args, folder):
    spikes, position = str(DATA / "spikes.mat"), str(DATA / "trajectory.videoPositionTracking")
    model = str(folder / "nelpy-model.h5")
    common = [spikes, "--behaviour", position, "--split", "laps"]
    pre, pre_s = run(args.neuroswift, "pretrain", "neuroformer", *common, "--config", "mini", "--steps", str(args.steps),
                     "--warmup", str(min(200, args.steps // 5)), "-o", model, "--json")
    full, _ = run(args.neuroswift, "decode", "neuroformer", *common, "--model", model, "--json")
    few, _ = run(args.neuroswift, "decode", "neuroformer", *common, "--model", model, "--shots", "0.1", "--json")
    m = pre["metrics"]
    lines = [
        f"Run {datetime.date.today().isoformat()}: 31 units binned at 10 ms, x position of the tracked LED (pixels); "
        f"every 4th lap held out ({pre['testWindows']:,} held-out and {pre['trainWindows']:,} training windows of 50 ms). "
        f"Pretraining (mini, {args.steps} steps, spikes + position as a multitask target, training laps only): "
        f"held-out next-neuron accuracy {f3(m['idAccuracy'])} (argmax over all tokens {f3(m['idAccuracyAnyToken'])}) "
        f"vs most-frequent {f3(m['mostFrequentIDAccuracy'])}; "
        f"{pre['seconds']:.0f} s.",
        "",
        "| decoder (held-out laps, position at each window end) | Pearson r, all training windows | RMSE (px) | Pearson r, 10 % of training windows |",
        "|---|---:|---:|---:|",
    ]
    for a, b in zip(full["rows"], few["rows"]):
        lines.append(f"| {a['decoder']} | {f3(a['pearson'])} | {a['rmse']:.1f} | {f3(b['pearson'])} |")
    write_section(args.output, "nelpy", "Real data: nelpy linear track, held-out laps", lines)
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neuroswift", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--skip-real-data", action="store_true")
    parser.add_argument("--skip-simulated", action="store_true")
    parser.add_argument("--skip-ablation", action="store_true", help="skip the no-stimulus and multitask connectivity runs")
    parser.add_argument("--chains", type=int, default=8)
    parser.add_argument("--current-block", type=int, default=40, help="current-window token budget of the simulated runs")
    parser.add_argument("--past-block", type=int, default=80, help="past-window token budget of the simulated runs")
    parser.add_argument("--windows", type=int, default=200)
    parser.add_argument("--top-k", type=int, default=None)
    parser.add_argument("--top-p", type=float, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        if not args.skip_simulated:
            simulated(args, folder)
        if not args.skip_real_data and DATA.exists():
            real(args, folder)


if __name__ == "__main__":
    main()
