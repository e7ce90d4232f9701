#!/usr/bin/env python3
"""File readers: NeuroSwift against nibabel, numpy and pynwb on the same files, in one run.

Usage (from the repository root; `make bench` does this):
    python3 Benchmarks/compare/formats.py --swift Benchmarks/.build/release/neuro-bench-formats \
        --output docs/performance.md
Files: the NIfTI images, suite2p F.npy and the phy-nwb NWB file of ../shared/data (skipped when
absent), plus a 32 MB float64 .npy written to a temporary folder so that NPY throughput is measured
on more than page-cache latency. Both sides time the same thing, best of 7 wall-clock runs after a
warm-up, and alternate for several rounds (best of all rounds kept) so that a burst of foreign load
on a shared machine does not favour one side. Files are read from the page cache on both sides
(the warm-up reads them first). The table replaces the section between this script's markers in
the output file, leaving the rest of the document alone.

What is compared:
    NIfTI   nibabel.load(path).get_fdata()   vs NIfTIFile.read + scaledFloats()
    NPY     numpy.load(path)                 vs NPYFile.read
    NWB     NWBHDF5IO(path, "r").read() and every unit's spike times (units["spike_times"][:])
            vs NWBFile.open + units() (ids, ragged spike times split and sorted, metadata) + close
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import subprocess
import tempfile
import warnings

from report import best, write_section

import nibabel as nib
import numpy as np
import pynwb
from pynwb import NWBHDF5IO

REPO = pathlib.Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"




def nwb_units(path):
    with NWBHDF5IO(str(path), "r", load_namespaces=True) as io:
        nwb = io.read()
        return sum(len(t) for t in nwb.units["spike_times"][:])


def reference(kind, path):
    if kind == "nifti":
        return best(7, lambda: nib.load(str(path)).get_fdata())
    if kind == "npy":
        return best(7, lambda: np.load(str(path)))
    if kind == "nwb-units":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return best(7, lambda: nwb_units(path))
    raise ValueError(kind)


def files(tmp):
    out = []
    for rel in ["fmri/nibabel/example4d.nii.gz", "fmri/nitime/fmri1.nii.gz", "fmri/nibabel/functional.nii"]:
        if (SHARED / rel).exists():
            out.append(("nifti", SHARED / rel))
    if (SHARED / "calcium/suite2p-plane0/F.npy").exists():
        out.append(("npy", SHARED / "calcium/suite2p-plane0/F.npy"))
    big = pathlib.Path(tmp) / "random-2000x2000-f8.npy"
    np.save(big, np.random.default_rng(0).normal(size=(2000, 2000)))
    out.append(("npy", big))
    if (SHARED / "spikes/phy-nwb/A8604-211122.nwb").exists():
        out.append(("nwb-units", SHARED / "spikes/phy-nwb/A8604-211122.nwb"))
    return out


def label(kind, path):
    p = pathlib.Path(path)
    name = p.name if not str(p).startswith(str(SHARED)) else str(p.relative_to(SHARED))
    size = p.stat().st_size / 1e6
    return {"nifti": "NIfTI", "npy": "NPY", "nwb-units": "NWB units"}[kind] + f" `{name}` ({size:.2f} MB)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swift", required=True, help="path to the neuro-bench-formats binary")
    parser.add_argument("--output", required=True, help="markdown file to update")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of both sides")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = files(tmp)
        swift, ref = {}, {}
        for _ in range(args.rounds):
            run = json.loads(subprocess.run(
                [args.swift] + [f"{k}={p}" for k, p in work], check=True, capture_output=True, text=True).stdout)
            for r in run["results"]:
                key = (r["kind"], r["path"])
                swift[key] = min(r["seconds"], swift.get(key, float("inf")))
            for k, p in work:
                key = (k, str(p))
                ref[key] = min(reference(k, p), ref.get(key, float("inf")))
        rows = []
        for k, p in work:
            key = (k, str(p))
            s, r = swift[key], ref[key]
            rows.append(f"| {label(k, p)} | {s * 1e3:,.2f} | {r * 1e3:,.2f} | {r / s:.1f} |")

    section = write_section(args.output, "formats", "File readers (NIfTI, NPY, NWB)", [
        f"Measured {datetime.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores; NeuroSwift release build vs "
        f"nibabel {nib.__version__} (`load().get_fdata()`), numpy {np.__version__} (`np.load`), pynwb {pynwb.__version__} "
        f"(`NWBHDF5IO.read()` + `units['spike_times'][:]`), best of 7 runs × {args.rounds} alternating rounds, files in the page cache. "
        f"Load average at the end: {os.getloadavg()[0]:.1f} (2 cores; above ~1 means other work shared the machine). "
        "Goals: NIfTI ≥ 2× nibabel, NWB units ≥ 10× pynwb.",
        "",
        "| file | NeuroSwift ms | reference ms | speed ratio (×, >1 = NeuroSwift faster) |",
        "|---|---:|---:|---:|",
        *rows,
    ])
    print(section)


if __name__ == "__main__":
    main()
