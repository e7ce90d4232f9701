#!/usr/bin/env python3
"""Golden values for Sources/Recording/Processing: scipy.signal filter design and zero-phase
filtering, resample_poly, sklearn's Ledoit-Wolf covariance, and MNE's Epochs on EEGMMIDB S001R04.

Writes Tests/RecordingTests/Goldens/eeg_processing.json. Inputs are stored in the JSON (17
significant digits) so the Swift tests run the same numbers. Run from the repository root:

    python3 scripts/goldens/eeg_processing.py

The epochs part needs ../shared/data/eeg/eegmmidb-S001/S001R04.edf and MNE; without the file the
"epochs" entry is null and the Swift test skips.
"""
import json
import os

import numpy as np
import scipy
import scipy.signal as ss
import sklearn
from sklearn.covariance import empirical_covariance, ledoit_wolf

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
DATA = os.path.abspath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "Tests", "RecordingTests", "Goldens", "eeg_processing.json")
FS = 250.0


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def main():
    rng = np.random.default_rng(20240607)
    n = 500
    t = np.arange(n) / FS
    # Noise plus a drift and two tones, so every band has something to pass or stop.
    x = rng.standard_normal(n) + 0.5 * t + np.sin(2 * np.pi * 10 * t) + 0.5 * np.sin(2 * np.pi * 50 * t)
    short = rng.standard_normal(120)

    fir = []
    for name, cutoff, numtaps, pass_zero, window, beta in [
        ("lowpass", [30.0], 51, True, "hamming", None),
        ("highpass", [5.0], 101, False, "hamming", None),
        ("bandpass", [8.0, 30.0], 101, False, "hamming", None),
        ("bandstop", [45.0, 55.0], 75, True, "hann", None),
        ("lowpass", [20.0], 40, True, "kaiser", 5.0),
        ("bandpass", [1.0, 40.0], 33, False, "blackman", None),
    ]:
        win = ("kaiser", beta) if window == "kaiser" else window
        cut = cutoff[0] if len(cutoff) == 1 else cutoff
        taps = ss.firwin(numtaps, cut, window=win, pass_zero=(name if len(cutoff) == 2 else pass_zero), fs=FS)
        case = {"band": name, "cutoffs": cutoff, "length": numtaps, "window": window, "beta": beta,
                "taps": floats(taps)}
        if n > 3 * numtaps:
            case["filtfilt"] = floats(ss.filtfilt(taps, [1.0], x))
        fir.append(case)

    butter = []
    for name, cutoff, order in [
        ("lowpass", [40.0], 4), ("lowpass", [30.0], 5), ("highpass", [1.0], 2), ("highpass", [0.5], 3),
        ("bandpass", [8.0, 30.0], 4), ("bandpass", [1.0, 40.0], 3), ("bandstop", [48.0, 52.0], 3),
        ("bandstop", [45.0, 55.0], 2),
    ]:
        cut = cutoff[0] if len(cutoff) == 1 else cutoff
        sos = ss.butter(order, cut, btype=name, output="sos", fs=FS)
        butter.append({"band": name, "cutoffs": cutoff, "order": order, "sos": [floats(r) for r in sos],
                       "sosfilt_zi": [floats(r) for r in ss.sosfilt_zi(sos)],
                       "sosfiltfilt": floats(ss.sosfiltfilt(sos, x))})

    b, a = ss.iirnotch(50.0, 30.0, fs=FS)
    notch = {"frequency": 50.0, "q": 30.0, "b": floats(b), "a": floats(a),
             "filtfilt": floats(ss.filtfilt(b, a, x))}

    resample = []
    for up, down in [(2, 1), (1, 2), (3, 2), (2, 5), (160, 250)]:
        resample.append({"up": up, "down": down, "output": floats(ss.resample_poly(short, up, down))})

    obs = rng.standard_normal((200, 6)) @ rng.standard_normal((6, 6)) + np.arange(6)  # samples × channels
    lw_cov, lw_shrinkage = ledoit_wolf(obs)
    covariance = {"channels": 6, "samples": 200, "data_channel_major": floats(obs.T),
                  "empirical": floats(empirical_covariance(obs)), "ledoit_wolf": floats(lw_cov),
                  "shrinkage": float(lw_shrinkage)}

    out = {"tool": "scipy/sklearn/mne", "scipy_version": scipy.__version__, "sklearn_version": sklearn.__version__,
           "numpy_version": np.__version__, "sampling_rate": FS, "input": floats(x), "short_input": floats(short),
           "fir": fir, "butter": butter, "notch": notch, "resample": resample, "covariance": covariance,
           "epochs": epochs_golden()}
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


def epochs_golden():
    path = os.path.join(DATA, "eeg", "eegmmidb-S001", "S001R04.edf")
    if not os.path.exists(path):
        return None
    import mne
    mne.set_log_level("WARNING")
    raw = mne.io.read_raw_edf(path, preload=True)
    events, event_id = mne.events_from_annotations(raw)
    wanted = {k: v for k, v in event_id.items() if k in ("T1", "T2")}
    epochs = mne.Epochs(raw, events, wanted, tmin=0, tmax=4, baseline=None, preload=True)
    data = epochs.get_data()
    code_to_label = {v: k for k, v in wanted.items()}
    rng = np.random.default_rng(3)
    picks = [(int(e), int(c), int(s)) for e, c, s in zip(
        rng.integers(0, data.shape[0], 24), rng.integers(0, data.shape[1], 24), rng.integers(0, data.shape[2], 24))]
    return {
        "mne_version": mne.__version__, "path": "eeg/eegmmidb-S001/S001R04.edf", "tmin": 0.0, "tmax": 4.0,
        "event_id": event_id, "count": int(data.shape[0]), "channels": int(data.shape[1]),
        "samples": int(data.shape[2]), "labels": [code_to_label[c] for c in epochs.events[:, 2]],
        "event_samples": [int(s) for s in epochs.events[:, 0]],
        "epoch_sums": floats(data.sum(axis=(1, 2))),
        "channel_sums_first_epoch": floats(data[0].sum(axis=1)),
        "picks": [{"epoch": e, "channel": c, "sample": s, "value": float(data[e, c, s])} for e, c, s in picks],
    }


if __name__ == "__main__":
    main()
