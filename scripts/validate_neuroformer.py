#!/usr/bin/env python3
"""Validation of the Neuroformer port (issue 10) on the simulated hub network and the nelpy linear track
→ docs/neuroformer.md. Every figure comes from the `neuroswift` CLI (`--json` outputs).

Usage (from the repository root; `make validate-neuroformer` does this):
    python3 scripts/validate_neuroformer.py --neuroswift .build/release/neuroswift --output docs/neuroformer.md \
        [--steps 1500] [--skip-real-data]

1. Simulator (methods note §D1; 32 neurons, 3 hubs × 8 targets, 12 weak edges, shared stimulus as a
   modality stream, behaviour = lagged smoothed rate of the stimulus group), 1200 s, last 20 % held out:
   pretrain Neuroformer-mini (AdamW, warm-up + cosine, batch 64) on spikes + stimulus + behaviour; held-out
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
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    start = time.time()
    out = subprocess.run([binary, *arguments], check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1]), time.time() - start


def f3(x):
    return f"{x:.3f}"


def simulated(args, folder):
    sim = str(folder / "sim.h5")
    model = str(folder / "sim-model.h5")
    subprocess.run([args.neuroswift, "simulate", "neuroformer", "--seed", "1", "--duration", "1200", "-o", sim], check=True,
                   capture_output=True)
    pre, pre_s = run(args.neuroswift, "pretrain", "neuroformer", sim, "--behaviour", sim, "--config", "mini",
                     "--steps", str(args.steps), "--warmup", str(min(200, args.steps // 5)), "-o", model, "--json")
    gen, gen_s = run(args.neuroswift, "generate", "neuroformer", sim, "--model", model, "--windows", "200", "--chains", "8",
                     "--seed", "1", "--json")
    dec, dec_s = run(args.neuroswift, "decode", "neuroformer", sim, "--behaviour", sim, "--model", model, "--json")
    m = pre["metrics"]
    ratio = m["idAccuracy"] / m["mostFrequentIDAccuracy"]
    within = gen["neuronsWithin20Percent"]
    lines = [
        f"Run {datetime.date.today().isoformat()}: `simulate neuroformer --seed 1 --duration 1200`; "
        f"`pretrain neuroformer --config mini --steps {args.steps}` ({pre['parameters']:,} parameters, "
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
        f"| hub-edge AUROC, attention | {f3(pre['attentionHubAUROC'])} | ≥ 0.95 | {'yes' if pre['attentionHubAUROC'] >= 0.95 else 'no'} |",
        f"| hub-edge AUROC, attention divided by each source's mean over targets | {f3(pre['sourceNormalisedHubAUROC'])} | ≥ 0.95 | "
        f"{'yes' if pre['sourceNormalisedHubAUROC'] >= 0.95 else 'no'} |",
        f"| hub-edge AUROC, lagged cross-correlation | {f3(pre['crossCorrelationHubAUROC'])} | (baseline) | |",
        f"| all-edge AUROC, attention / cross-correlation | {f3(pre['attentionAllEdgeAUROC'])} / {f3(pre['crossCorrelationAllEdgeAUROC'])} | (reported) | |",
        f"| top-3 sources by summed attention | {pre['topSources']} | the hubs [0, 1, 2] | "
        f"{'yes' if sorted(pre['topSources']) == [0, 1, 2] else 'no'} |",
        f"| true edges with A[i,j] > A[j,i] | {f3(pre['directionality'])} | ≥ 0.9 | {'yes' if pre['directionality'] >= 0.9 else 'no'} |",
        f"| generated rates within 20 % (8 chains × 200 windows, free-running) | {within} / {gen['neurons']} neurons, "
        f"r = {f3(gen['rateCorrelation'])} | all neurons | {'yes' if within == gen['neurons'] else 'no'} |",
    ]
    for row in dec["rows"]:
        lines.append(f"| behaviour (lagged group rate), {row['decoder']} | r = {f3(row['pearson'])} | | |")
    lines += ["", f"Generation took {gen_s:.0f} s, decoding (fine-tuning + baselines) {dec_s:.0f} s."]
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        if not args.skip_simulated:
            simulated(args, folder)
        if not args.skip_real_data and DATA.exists():
            real(args, folder)


if __name__ == "__main__":
    main()
