#!/usr/bin/env python3
"""Full EDF reads: NeuroSwift's EDFReader against MNE and pyedflib on the six EEGMMIDB runs, in one run.

Usage (from the repository root; `make bench` does this):
    python3 Benchmarks/compare/eeg_read.py --swift Benchmarks/.build/release/neuro-bench-eeg \
        --output docs/performance.md
Each side reads every file completely, header and all channels scaled to physical units:
NeuroSwift `EDFReader(url:).read()` (Float volts, annotations parsed), MNE
`read_raw_edf(path, preload=True)` (float64 volts, annotations parsed) and pyedflib
`EdfReader.readSignal(i)` for every signal (float64 physical units). Best of N wall-clock
repetitions after a warm-up read (files in the page cache for all three); the three sides
alternate for several rounds (best of all rounds kept) so that a burst of foreign load on a shared
machine does not favour one side. The table replaces the section between this script's markers in
the output file, leaving the rest of the document alone.
"""
import argparse
import datetime
import glob
import json
import os
import pathlib
import platform
import subprocess

from report import best, write_section

import mne
import numpy as np
import pyedflib

DEFAULT_DATA = pathlib.Path(__file__).resolve().parents[3] / "shared" / "data" / "eeg" / "eegmmidb-S001"




def read_mne(files):
    total = 0
    for path in files:
        total += mne.io.read_raw_edf(path, preload=True, verbose=False)._data.size
    return total


def read_pyedflib(files):
    total = 0
    for path in files:
        with pyedflib.EdfReader(path) as reader:
            signals = [reader.readSignal(i) for i in range(reader.signals_in_file)]
            total += sum(s.size for s in signals)
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swift", required=True, help="path to the neuro-bench-eeg binary")
    parser.add_argument("--output", required=True, help="markdown file to update")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="folder with the EEGMMIDB S001 .edf runs")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of the three sides")
    parser.add_argument("--repeats", type=int, default=5, help="repetitions per round (best kept)")
    args = parser.parse_args()

    files = sorted(glob.glob(os.path.join(args.data, "*.edf")))
    if len(files) != 6:
        raise SystemExit(f"expected the six EEGMMIDB runs in {args.data}, found {len(files)} .edf files")
    samples = {"MNE": read_mne(files), "pyedflib": read_pyedflib(files)}
    times = {"NeuroSwift": float("inf"), "MNE": float("inf"), "pyedflib": float("inf")}
    for _ in range(args.rounds):
        run = json.loads(subprocess.run([args.swift, "--repeats", str(args.repeats), *files],
                                        check=True, capture_output=True, text=True).stdout)
        samples["NeuroSwift"] = run["samples"]
        times["NeuroSwift"] = min(times["NeuroSwift"], run["seconds"])
        times["MNE"] = min(times["MNE"], best(args.repeats, lambda: read_mne(files)))
        times["pyedflib"] = min(times["pyedflib"], best(args.repeats, lambda: read_pyedflib(files)))
    if len(set(samples.values())) != 1:
        raise SystemExit(f"the readers disagree on the sample count: {samples}")

    size = sum(os.path.getsize(f) for f in files)
    swift = times["NeuroSwift"]
    rows = []
    for name, label in (("NeuroSwift", "NeuroSwift `EDFReader.read()`"),
                        ("MNE", f"MNE {mne.__version__} `read_raw_edf(preload=True)`"),
                        ("pyedflib", f"pyedflib {pyedflib.__version__} `readSignal` × all signals")):
        t = times[name]
        ratio = "1 (reference)" if name == "NeuroSwift" else f"{t / swift:.1f}"
        rows.append(f"| {label} | {t * 1e3:,.1f} | {size / t / 1e6:,.0f} | {ratio} |")
    section = write_section(args.output, "eeg_read", "EDF reading (EEGMMIDB)", [
        f"Measured {datetime.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores: "
        f"full read of the six EEGMMIDB S001 runs ({len(files)} files, {size / 1e6:.1f} MB, "
        f"{samples['MNE']:,} samples, files in the page cache), NeuroSwift release build vs "
        f"MNE {mne.__version__} and pyedflib {pyedflib.__version__} (numpy {np.__version__}); best of "
        f"{args.repeats} repetitions × {args.rounds} alternating rounds. "
        f"Load average at the end: {os.getloadavg()[0]:.1f} (2 cores; above ~1 means other work shared the machine).",
        "",
        "| reader | ms (6 files) | MB/s | NeuroSwift speed-up (×) |",
        "|---|---:|---:|---:|",
        *rows,
    ])
    print(section)


if __name__ == "__main__":
    main()
