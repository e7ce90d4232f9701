#!/usr/bin/env python3
"""Golden values for NeuroCore's Welch power spectral density: scipy.signal.welch on fixed inputs.

Regenerate (from the repository root):  python3 scripts/goldens/spectra.py
Writes Tests/NeuroCoreTests/Goldens/welch.json; the Swift tests read inputs and expected outputs from it.
"""
import json
import pathlib

import numpy as np
import scipy
import scipy.signal

rng = np.random.default_rng(20261123)
fs = 250.0
t = np.arange(3000) / fs
signal = 2.0 * np.sin(2 * np.pi * 10.0 * t) + 0.5 * np.sin(2 * np.pi * 37.3 * t + 0.4) + rng.normal(0, 1, t.size) + 0.3
short = rng.normal(0, 1, 100)

cases = []
def add(name, x, **kwargs):
    f, p = scipy.signal.welch(x, fs=fs, **kwargs)
    config = {  # scipy's defaults made explicit, in the Swift API's terms
        "window": kwargs.get("window", "hann"), "segmentLength": kwargs.get("nperseg", 256),
        "overlap": kwargs.get("noverlap"), "detrend": {False: "none"}.get(kwargs.get("detrend"), kwargs.get("detrend", "constant")),
        "scaling": kwargs.get("scaling", "density"), "average": kwargs.get("average", "mean"),
    }
    cases.append({"name": name, "input": name.split(":")[0], "config": config,
                  "frequencies": f.tolist(), "power": p.tolist()})

add("long:defaults", signal)
add("long:hamming-500-100-linear", signal, window="hamming", nperseg=500, noverlap=100, detrend="linear")
add("long:spectrum-scaling", signal, nperseg=250, scaling="spectrum")
add("long:median", signal, nperseg=128, average="median")
add("long:odd-boxcar-nodetrend", signal, window="boxcar", nperseg=255, noverlap=0, detrend=False)
add("short:longer-segment-than-signal", short, nperseg=256)

out = {
    "generator": "scripts/goldens/spectra.py",
    "numpy": np.__version__, "scipy": scipy.__version__,
    "samplingRate": fs,
    "inputs": {"long": signal.tolist(), "short": short.tolist()},
    "cases": cases,
}
path = pathlib.Path(__file__).resolve().parents[2] / "Tests/NeuroCoreTests/Goldens/welch.json"
path.write_text(json.dumps(out))
print(f"wrote {path} ({len(cases)} cases)")
