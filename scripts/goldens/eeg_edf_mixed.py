#!/usr/bin/env python3
"""Golden values for reading a mixed-rate EDF at one common rate: what MNE's read_raw_edf
(preload=True) gives for ../shared/data/eeg/format-fixtures/test_reduced.edf, whose channels run
at 1, 2, 4, ..., 512 Hz and which MNE upsamples to 512 Hz.

MNE upsamples with mne.filter.resample (FFT, npad=0, over the whole channel: periodic, so the
edges wrap around); NeuroSwift's EDFReader.read(resamplingTo:) uses a polyphase FIR (scipy's
resample_poly). The two are compared loosely: names, rate and length exactly, and for each
upsampled channel the middle half of the signal (every 4th sample, volts) within a relative RMS
tolerance. Writes Tests/RecordingTests/Goldens/eeg_edf_mixed.json. Run from the repository root:

    pip install mne && python3 scripts/goldens/eeg_edf_mixed.py
"""
import json
import os

import mne
import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
DATA = os.path.abspath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "Tests", "RecordingTests", "Goldens", "eeg_edf_mixed.json")
PATH = "eeg/format-fixtures/test_reduced.edf"
STEP = 4


def main():
    raw = mne.io.read_raw_edf(os.path.join(DATA, PATH), preload=True, verbose=False)
    data = raw.get_data()
    n = raw.n_times
    middle = range(n // 4, 3 * n // 4, STEP)
    extras = raw._raw_extras[0]
    rates = extras["n_samps"][extras["sel"]] / extras["record_length"][0]
    channels = []
    for i, name in enumerate(raw.ch_names):
        if rates[i] == raw.info["sfreq"]:
            continue
        channels.append({"name": name, "rate": float(rates[i]),
                         "samples": [float(data[i, k]) for k in middle]})
    out = {
        "mne_version": mne.__version__,
        "numpy_version": np.__version__,
        "path": PATH,
        "sfreq": float(raw.info["sfreq"]),
        "n_times": int(n),
        "ch_names": raw.ch_names,
        "middle_start": int(n // 4),
        "middle_step": STEP,
        "channels": channels,
    }
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(channels)} upsampled channels")


if __name__ == "__main__":
    main()
