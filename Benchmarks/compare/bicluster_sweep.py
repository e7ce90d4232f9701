#!/usr/bin/env python3
"""Cost of one bi-clustering sweep (`neuroswift fit bicluster`, one chain, one BLAS thread) on the paper's
simulation and larger sizes, against the reference Python code's ≈ 1.2 s of CPU per sweep at N = 30,
T = 500 (measured in the methods note §8 with the official code; that code needs a patched, frozen
environment, so it is not re-run here). CPU time of the child process (user + system) per sweep,
setup and export included. Writes a section of docs/performance.md.

    python3 Benchmarks/compare/bicluster_sweep.py --swift .build/release/neuroswift --output docs/performance.md
"""
import argparse, os, resource, subprocess, sys, tempfile
import h5py
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import write_section

REFERENCE_CPU_PER_SWEEP = 1.2


def cpu_of(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, capture_output=True, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--swift", default=".build/release/neuroswift")
    ap.add_argument("--sweeps", type=int, default=60)
    ap.add_argument("--output", default="docs/performance.md")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bicluster-bench-")
    rows = ["| N | T | CPU ms per sweep (whole run) | wall ms per sweep (sweeps only) | vs reference (1.2 s at N = 30, T = 500) |", "|---|---|---|---|---|"]
    for n, t in [(30, 500), (100, 500), (300, 500), (30, 2000)]:
        sim = os.path.join(tmp, f"sim{n}_{t}.h5")
        subprocess.run([args.swift, "simulate", "bicluster", "--neurons", str(n), "--bins", str(t), "--output", sim],
                       check=True, capture_output=True)
        out = os.path.join(tmp, "fit.h5")
        cpu = cpu_of([args.swift, "fit", "bicluster", sim, "--sweeps", str(args.sweeps), "--burn-in", "10",
                      "--chains", "1", "--seed", "1", "-o", out])
        per = cpu / args.sweeps
        sweep_only = float(h5py.File(out, "r")["diagnostics"].attrs["seconds_per_sweep"][0])
        ratio = f"{REFERENCE_CPU_PER_SWEEP / per:.0f}× faster" if (n, t) == (30, 500) else ""
        rows.append(f"| {n} | {t} | {1000 * per:.1f} | {1000 * sweep_only:.1f} | {ratio} |")
        print(rows[-1], flush=True)
    lines = [f"`neuroswift fit bicluster`, {args.sweeps} sweeps, 1 chain, OPENBLAS_NUM_THREADS=1; the neuron clusters "
             "the chain holds (and so the stacked latent dimension D) vary between sizes. The whole-run CPU includes "
             "loading, the end-of-run maxPEAR (average linkage on the T × T bin similarity, O(T³)) and the export, "
             "which dominate at T = 2000 in a short run; the sweep-only column is wall time on a shared machine "
             f"(load average {os.getloadavg()[0]:.1f} at the end of the run, so wall times are upper bounds; the CPU column is the figure to compare).", ""] + rows
    print(write_section(args.output, "bicluster_sweep", "Bayesian bi-clustering: cost per sweep", lines))


if __name__ == "__main__":
    main()
