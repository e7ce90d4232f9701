#!/usr/bin/env python3
"""Golden values for the EDF/BDF reader: what MNE's read_raw_edf / read_raw_bdf (default
arguments, preload=True) give for every EDF/BDF file in ../shared/data/eeg/.

Writes Tests/RecordingTests/Goldens/eeg_edf.json (small: per channel the sum, five samples and
the quantisation step in volts; the annotation lists; meas_date). Run from the repository root:

    pip install mne && python3 scripts/goldens/eeg_edf.py

MNE quirks recorded so the Swift tests can compare like with like:
- channels with a lower sampling rate than the file's highest are upsampled by MNE
  ("resampled": true) — the Swift reader refuses to mix rates, so tests skip those channels;
- stimulus channels ("kind": "stim") are not scaled to SI by MNE for EDF (and are bit-masked for
  BDF); the test compares them in the file's unit ("si_scale" gives MNE's unit factor, 1 there);
- annotation signals are not channels; duplicate channel names get MNE's "-0", "-1" suffixes.
"""
import glob
import json
import os
import sys

import mne
import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
DATA = os.path.abspath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "Tests", "RecordingTests", "Goldens", "eeg_edf.json")


def main():
    files = sorted(
        glob.glob(os.path.join(DATA, "eeg", "**", "*.edf"), recursive=True)
        + glob.glob(os.path.join(DATA, "eeg", "**", "*.EDF"), recursive=True)
        + glob.glob(os.path.join(DATA, "eeg", "**", "*.bdf"), recursive=True)
    )
    if not files:
        sys.exit(f"no EDF/BDF files under {DATA}/eeg")
    out = {"tool": "mne", "mne_version": mne.__version__, "numpy_version": np.__version__, "files": []}
    for path in files:
        rel = os.path.relpath(path, DATA)
        reader = mne.io.read_raw_bdf if path.lower().endswith(".bdf") else mne.io.read_raw_edf
        raw = reader(path, preload=True, verbose="error")
        extras = raw._raw_extras[0]
        data = raw.get_data()  # volts (SI) except stim channels
        n = raw.n_times
        sel = extras["sel"]
        n_samps = np.asarray(extras["n_samps"])[sel]
        record_length = float(extras["record_length"][0])
        stim = set(extras["stim_channel_idxs"])
        idx = sorted(int(x) for x in {0, n // 4, n // 2, (3 * n) // 4, n - 1})
        channels = []
        for i, name in enumerate(raw.ch_names):
            rate = float(n_samps[i]) / record_length
            resampled = bool(n_samps[i] != extras["max_samp"])
            step = float(abs(extras["cal"][i] * extras["units"][i]))
            channels.append({
                "name": name,
                "kind": raw.get_channel_types()[i],
                "rate": rate,
                "resampled": resampled,
                "si_scale": float(extras["units"][i]),
                "is_stim": i in stim,
                "step": step,
                "sum": float(np.sum(data[i], dtype=np.float64)),
                "sample_indices": idx,
                "samples": [float(data[i, j]) for j in idx],
            })
        ann = raw.annotations
        out["files"].append({
            "path": rel,
            "sfreq": float(raw.info["sfreq"]),
            "n_times": int(n),
            "meas_date": raw.info["meas_date"].isoformat() if raw.info["meas_date"] else None,
            "channels": channels,
            "annotations": [
                {"onset": float(o), "duration": float(d), "description": str(s)}
                for o, d, s in zip(ann.onset, ann.duration, ann.description)
            ],
        })
        print(f"{rel}: {len(channels)} channels, {n} samples, {len(ann)} annotations")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
