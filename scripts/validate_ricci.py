#!/usr/bin/env python3
"""Validation of the manifold pipeline (ricci-gcn) and the attention denoiser on real EEG → docs/geometric-eeg-manifold.md.

1. ricci-gcn stratified 5-fold CV on eegmmidb S001, imagined left (T1) vs right (T2) fist (runs 4, 8, 12),
   next to pyRiemann TS+LR (OAS, 8–30 Hz) and log-band-power + logistic regression on the *same folds*
   (the folds come from the Swift run; the epochs are re-cut with MNE and checked to carry the same labels).
2. The semi-synthetic denoising benchmark (EEGdenoiseNet mixing) on real EEG from the same subject: train on
   runs 3, 4, 7, 8, test on runs 11, 12, at several dB; raw input, zero-phase 30 Hz low-pass, AT-AT-style model.

    make validate-ricci      (builds Benchmarks' neuro-bench-ricci in release and runs this)
"""
import argparse, datetime, json, os, pathlib, subprocess, sys, time, importlib.metadata as md
import numpy as np

DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "eeg" / "eegmmidb-S001"


def run(cmd):
    t = time.time()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out), time.time() - t


def reference_scores(gcn, data_dir, runs):
    import mne
    from pyriemann.estimation import Covariances
    from pyriemann.tangentspace import TangentSpace
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from scipy.signal import welch
    mne.set_log_level("ERROR")
    X, y = [], []
    for r in runs:
        raw = mne.io.read_raw_edf(str(data_dir / f"S001R{r:02d}.edf"), preload=True)
        events, ids = mne.events_from_annotations(raw, event_id={"T1": 1, "T2": 2})
        fs = raw.info["sfreq"]
        data = raw.get_data()
        for onset, _, code in events:
            a = onset + int(round(0.5 * fs)); b = onset + int(round(2.5 * fs)) + 1
            if b <= data.shape[1]:
                X.append(data[:, a:b]); y.append("T1" if code == 1 else "T2")
    X = np.array(X)
    assert y == gcn["labels"], "MNE epochs do not carry the Swift run's labels in the same order"
    y = np.array(y)
    from scipy.signal import butter, sosfiltfilt
    sos = butter(4, [8, 30], btype="bandpass", fs=fs, output="sos")
    Xf = sosfiltfilt(sos, X, axis=-1)
    f, P = welch(X, fs=fs, nperseg=min(X.shape[-1], int(fs)), axis=-1)
    bands = [(4, 8), (8, 13), (13, 20), (20, 30)]
    from scipy.integrate import trapezoid
    feats = np.stack([np.log(trapezoid(P[..., (f >= lo) & (f <= hi)], f[(f >= lo) & (f <= hi)], axis=-1)) for lo, hi in bands], axis=-1)
    feats = feats.reshape(len(X), -1)
    scores = {"TS+LR (pyRiemann, OAS, 8–30 Hz)": [], "log band power + LR (same bands as ricci-gcn)": []}
    for fold in gcn["folds"]:
        tr, te = np.array(fold["train"]), np.array(fold["test"])
        ts = make_pipeline(Covariances("oas"), TangentSpace(metric="riemann"), LogisticRegression(C=1.0, max_iter=1000))
        ts.fit(Xf[tr], y[tr]); scores["TS+LR (pyRiemann, OAS, 8–30 Hz)"].append(float((ts.predict(Xf[te]) == y[te]).mean()))
        lr = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
        lr.fit(feats[tr], y[tr]); scores["log band power + LR (same bands as ricci-gcn)"].append(float((lr.predict(feats[te]) == y[te]).mean()))
    return scores


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--swift", default="Benchmarks/.build/release/neuro-bench-ricci")
    p.add_argument("--data", default=str(DATA))
    p.add_argument("--output", default="docs/geometric-eeg-manifold.md")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--steps", default="600")
    a = p.parse_args()
    data = pathlib.Path(a.data)
    lines = ["# Geometric EEG: the manifold pipeline (ricci-gcn) and the attention denoiser", "",
             f"Written by `scripts/validate_ricci.py` (`make validate-ricci`) on {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC. "
             "Everything below was measured in that run; nothing is copied from the paper.", "",
             "## The pipeline as implemented (choices the paper leaves open, see ../shared/methods/geometric-eeg.md §1.4–1.5)", "",
             "1. **Band features** (`BandFeatures`): per channel, log Welch power (Hann, 1 s segments) in 4–8, 8–13, 13–20, 20–30 Hz; "
             "standardised per (channel, band) on the training trials.",
             "2. **Channel graph** (`ChannelGraph`): one graph over the channels, fit on the training trials. A channel's descriptor is its "
             "standardised band powers across all training trials (channels whose power rises and falls together are near); symmetrised "
             "k-nearest-neighbour graph (k = 4), heat-kernel affinity exp(−d²/σ²), σ = median kNN distance.",
             "3. **Laplacian eigenmap** (`LaplacianEigenmap`): L y = λ D y, m = 3 non-trivial eigenvectors; eigenmap distances, scaled to mean 1, "
             "become the edge lengths.",
             "4. **Ollivier–Ricci curvature and Ricci flow** (`WeightedGraph.ollivierRicciCurvature`, `.ricciFlow`): GraphRicciCurvature 0.6.1's "
             "conventions (α = 0.5, exp(−ℓ²) neighbour masses, shortest-path ground cost, exact transport by min-cost flow), 10 iterations, "
             "step 0.3, Σℓ = |E| renormalisation, length floor 1e-3, stop when spread(κ) < 1e-4.",
             "5. **GCN** (NeuralNet `GraphConvolution`): Â from affinities exp(−ℓ_flowed); node input = band powers + eigenmap coordinates; "
             "two layers (16, 4 wide, ReLU); readout concatenates the node embeddings (mean pooling would erase *which* side changes); "
             "a linear softmax head is the simple classifier; 300 full-batch Adam steps, lr 0.01, L2 1e-3.", ""]
    # 1. ricci-gcn.
    lines += ["## 1. ricci-gcn on eegmmidb S001, imagined left vs right fist", "",
              "Runs 4, 8, 12 (imagery), T1 = left, T2 = right, window 0.5–2.5 s after the cue (321 samples at 160 Hz, 64 channels), "
              "stratified 5-fold CV; every fitted stage (standardisation, channel graph, eigenmap, Ricci flow, GCN) is fit on the training folds only. "
              "The references use the very same folds.", "",
              "| Seed | Trials | ricci-gcn | ricci-gcn (train) | TS+LR (pyRiemann) | log band power + LR | ricci-gcn fit time (s, 5 folds) |", "|---|---|---|---|---|---|---|"]
    summary = {"ricci": [], "ts": [], "bp": []}
    for seed in a.seeds.split(","):
        gcn, _ = run([a.swift, "gcn", str(data), "--runs", "4,8,12", "--folds", "5", "--seed", seed])
        ref = reference_scores(gcn, data, [4, 8, 12])
        acc = np.mean([f["accuracy"] for f in gcn["folds"]]); tr = np.mean([f["trainAccuracy"] for f in gcn["folds"]])
        ts = np.mean(ref["TS+LR (pyRiemann, OAS, 8–30 Hz)"]); bp = np.mean(ref["log band power + LR (same bands as ricci-gcn)"])
        summary["ricci"].append(acc); summary["ts"].append(ts); summary["bp"].append(bp)
        lines.append(f"| {seed} | {gcn['trials']} | {acc:.3f} | {tr:.3f} | {ts:.3f} | {bp:.3f} | {gcn['seconds']:.1f} |")
    n = len(summary["ricci"])
    chance = 0.5
    lines += [f"| mean | | **{np.mean(summary['ricci']):.3f}** | | **{np.mean(summary['ts']):.3f}** | **{np.mean(summary['bp']):.3f}** | |", "",
              f"Chance is {chance:.2f} (balanced classes). With ~{gcn['trials']} trials the standard error of one CV accuracy is about "
              f"{np.sqrt(0.25 / gcn['trials']):.2f}, so differences under ~0.1 are noise.", ""]
    # 2. Denoiser.
    den, wall = run([a.swift, "denoise", str(data), "--steps", a.steps, "--seed", "0", "--db", "-7,-5,-3,-1,0,2"])
    lines += ["## 2. Semi-synthetic denoising (EEGdenoiseNet protocol) on real EEG", "",
              f"Clean segments: 2 s (320 samples at {den['samplingRate']:.0f} Hz) from every 4th channel of S001, 1 Hz high-passed; "
              f"training runs 3, 4, 7, 8 ({den['trainPairs']} pairs, SNR uniform in −7…2 dB), test runs 11, 12 ({den['testSegments']} segments). "
              "Noise: EMG-like (Gaussian, 20–72 Hz band-pass, slowly bursting envelope) — real EMG segments are not on this machine, so "
              "these are *semi-synthetic with synthetic noise* and not comparable to AT-AT's published numbers. "
              "y = x + λn with λ = RMS(x)/(RMS(n)·10^(dB/10)) (EEGdenoiseNet's amplitude-ratio dB). "
              f"Model: {den['parameters']} parameters, {a.steps} Adam steps, {den['trainSeconds']:.0f} s training (loss {den['firstLoss']:.3f} → {den['finalLoss']:.3f}).", "",
              "| dB | method | CC | RRMSE (time) | RRMSE (spectrum) |", "|---|---|---|---|---|"]
    by_db = {}
    for r in den["rows"]:
        lines.append(f"| {r['db']:g} | {r['method']} | {r['cc']:.3f} | {r['rrmseTemporal']:.3f} | {r['rrmseSpectral']:.3f} |")
        by_db.setdefault(r["db"], {})[r["method"]] = r
    wins = [db for db, m in by_db.items() if m["atat"]["cc"] > m["lowpass30"]["cc"]]
    lines += ["", f"The attention model beats the 30 Hz low-pass on CC at {len(wins)} of {len(by_db)} SNRs "
              f"({', '.join(f'{d:g}' for d in sorted(wins)) or 'none'} dB)."]
    losses = [db for db in by_db if db not in wins]
    if losses:
        lines.append(f"It does **not** beat the low-pass at {', '.join(f'{d:g}' for d in sorted(losses))} dB; no claim is made there.")
    lines += ["", "## Speed", "", "Curvature and Ricci flow against GraphRicciCurvature on identical graphs (results equal to ~1e-14) are in "
              "docs/performance.md, section \"Ollivier–Ricci curvature and Ricci flow\" (`make bench`, Benchmarks/compare/ricci.py).",
              "", "## Versions", "", f"pyRiemann {md.version('pyriemann')}, scikit-learn {md.version('scikit-learn')}, MNE {md.version('mne')}, numpy {md.version('numpy')}.", ""]
    pathlib.Path(a.output).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
