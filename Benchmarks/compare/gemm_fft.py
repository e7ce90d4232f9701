#!/usr/bin/env python3
"""GEMM, FFT and Welch: NeuroSwift against numpy/scipy on the same sizes, in one run.

Usage (from the repository root; `make bench` does this):
    python3 Benchmarks/compare/gemm_fft.py --swift Benchmarks/.build/release/neuro-bench-compare \
        --output docs/performance.md
Both sides use one BLAS thread (OPENBLAS_NUM_THREADS=1) and the same method: best of N wall-clock
repetitions after a warm-up, and the two sides alternate for several rounds (best of all rounds kept)
so that a burst of foreign load on a shared machine does not favour one side. The table replaces the section between this script's markers in the
output file, leaving the rest of the document alone.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess

from report import best, write_section  # noqa: E402

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402  (after the thread setting, which numpy reads at import)
import scipy  # noqa: E402
import scipy.signal  # noqa: E402




def numpy_results():
    out = {}
    for n in (256, 512, 1024):
        i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        a = ((i * 31 + j) % 17) / 17.0
        b = a.T.copy()
        inner = 20 if n <= 256 else (4 if n <= 512 else 1)
        out[("dgemm", n)] = best(7, lambda: a @ b, inner=inner)
        af, bf = a.astype(np.float32), b.astype(np.float32)
        out[("sgemm", n)] = best(7, lambda: af @ bf, inner=inner)
    for n in (1024, 4096, 65536):
        x = (np.arange(n) % 13).astype(np.float64)
        inner = max(1, 2_000_000 // n)
        out[("rfft-f64", n)] = best(7, lambda: np.fft.rfft(x), inner=inner)
    c, t = np.meshgrid(np.arange(64), np.arange(15000), indexing="ij")
    eeg = np.sin(t * 0.1 + c) + ((t * 7 + c) % 11) / 11.0
    out[("welch-64x15000", 15000)] = best(5, lambda: scipy.signal.welch(eeg, fs=250, nperseg=500, axis=-1), inner=1)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swift", required=True, help="path to the neuro-bench-compare binary")
    parser.add_argument("--output", required=True, help="markdown file to update")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of both sides")
    args = parser.parse_args()

    swift, reference = None, {}
    for _ in range(args.rounds):
        run = json.loads(subprocess.run([args.swift], check=True, capture_output=True, text=True).stdout)
        if swift is None:
            swift = run
        else:
            for kept, new in zip(swift["results"], run["results"]):
                if new["seconds"] < kept["seconds"]:
                    kept.update(new)
        for key, seconds in numpy_results().items():
            reference[key] = min(seconds, reference.get(key, float("inf")))

    rows = []
    for r in swift["results"]:
        key = (r["kernel"], r["n"])
        ref_key = ("rfft-f64", r["n"]) if r["kernel"] == "rfft-f64-array" else key
        ref = reference.get(ref_key)
        if ref is None:
            continue
        s = r["seconds"]
        label = {"dgemm": f"dgemm {r['n']}³", "sgemm": f"sgemm {r['n']}³",
                 "rfft-f64": f"rfft f64 n={r['n']} (buffer API)",
                 "rfft-f64-array": f"rfft f64 n={r['n']} (array API)",
                 "welch-64x15000": "Welch PSD 64 ch × 15000 (nperseg 500)"}[r["kernel"]]
        extra = f"{r['gflops']:.1f} vs {2 * r['n'] ** 3 / ref / 1e9:.1f} GFLOP/s" if "gflops" in r else ""
        rows.append(f"| {label} | {s * 1e6:,.1f} | {ref * 1e6:,.1f} | {ref / s:.2f} | {extra} |")

    reference_tool = "numpy.fft / numpy.matmul / scipy.signal.welch"
    section = write_section(args.output, "gemm_fft", "GEMM, FFT and Welch", [
        f"Measured {datetime.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; NeuroSwift release build vs "
        f"numpy {np.__version__} / scipy {scipy.__version__} ({reference_tool}), best of 5–7 repetitions × {args.rounds} alternating rounds. "
        f"Load average at the end: {os.getloadavg()[0]:.1f} (2 cores; above ~1 means other work shared the machine).",
        "",
        "| kernel | NeuroSwift µs | numpy/scipy µs | speed ratio (×, >1 = NeuroSwift faster) | notes |",
        "|---|---:|---:|---:|---|",
        *rows,
    ])
    print(section)


if __name__ == "__main__":
    main()
