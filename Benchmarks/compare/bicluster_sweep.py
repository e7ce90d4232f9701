#!/usr/bin/env python3
"""Cost of one bi-clustering sweep (`neuroswift fit bicluster`, library defaults, one chain, one BLAS thread)
on the paper's simulation (N = 30, T = 500) and at N = 100, 300 and T = 1000, 2000, against the reference
Python code's ≈ 1.2 s of CPU per sweep at N = 30, T = 500 (measured in the methods note §8 with the official
code; that code needs a patched, frozen environment, so it is not re-run here).

The figure per size is the chain thread's CPU time per sweep (`diagnostics/cpu_seconds_per_sweep` in the
export: sweep plus streaming summaries, CLOCK_THREAD_CPUTIME_ID), far less sensitive to other load than wall time; the
median over --repeats runs (different fit seeds) and their range are reported, plus the whole process's CPU
per sweep (loading, the end-of-run maxPEAR and the export included) for the first run. Writes a section of
docs/performance.md.

    python3 Benchmarks/compare/bicluster_sweep.py --swift .build/release/neuroswift --output docs/performance.md
"""
import argparse, os, resource, statistics, subprocess, sys, tempfile
import h5py
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import write_section

REFERENCE_CPU_PER_SWEEP = 1.2
GOAL_MS = 25.0
SIZES = [(30, 500), (30, 1000), (30, 2000), (100, 500), (300, 500)]


def cpu_of(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, capture_output=True, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--swift", default=".build/release/neuroswift")
    ap.add_argument("--sweeps", type=int, default=60)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--output", default="docs/performance.md")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bicluster-bench-")
    header = ["| N | T | CPU ms per sweep (median, range) | whole-run CPU ms per sweep | clusters K at the end | vs reference (1.2 s at N = 30, T = 500) |",
              "|---|---|---|---|---|---|"]
    rows, per_sweep = [], {}
    for n, t in SIZES:
        sim = os.path.join(tmp, f"sim{n}_{t}.h5")
        subprocess.run([args.swift, "simulate", "bicluster", "--neurons", str(n), "--bins", str(t), "--output", sim],
                       check=True, capture_output=True)
        runs, whole, clusters = [], None, None
        for rep in range(args.repeats):
            out = os.path.join(tmp, f"fit{n}_{t}_{rep}.h5")
            cpu = cpu_of([args.swift, "fit", "bicluster", sim, "--sweeps", str(args.sweeps), "--burn-in", "10",
                          "--chains", "1", "--seed", str(1 + rep), "-o", out])
            with h5py.File(out, "r") as f:
                runs.append(float(f["diagnostics"].attrs["cpu_seconds_per_sweep"][0]))
                if whole is None:
                    whole = cpu / args.sweeps
                    clusters = int(f["traces/cluster_count"][...].reshape(-1)[-1])
        med = statistics.median(runs)
        per_sweep[(n, t)] = med
        ratio = f"**{REFERENCE_CPU_PER_SWEEP / med:.0f}× faster** (goal ≥ 50×, ≤ {GOAL_MS:.0f} ms)" if (n, t) == (30, 500) else ""
        rows.append(f"| {n} | {t} | {1000 * med:.1f} ({1000 * min(runs):.1f}–{1000 * max(runs):.1f}) | {1000 * whole:.1f} | "
                    f"{clusters if clusters is not None else '–'} | {ratio} |")
        print(rows[-1], flush=True)
    base = per_sweep[(30, 500)]
    scaling = ", ".join(f"T = {t}: {per_sweep[(30, t)] / base:.2f}× (T ratio {t / 500:.0f})" for t in (1000, 2000))
    lines = [f"`neuroswift fit bicluster` with the library defaults, {args.sweeps} sweeps, 1 chain, OPENBLAS_NUM_THREADS=1, "
             f"{args.repeats} runs per size (fit seeds 1–{args.repeats}). CPU per sweep is the chain thread's CPU time "
             "(sweep and streaming summaries; `diagnostics/cpu_seconds_per_sweep`): far less sensitive to other load than wall "
             f"time, though a loaded machine still inflates it through shared cores and caches (load average {os.getloadavg()[0]:.1f} at the end). The whole-run column is the process's CPU over the sweeps "
             "(first run), so it also carries loading, the start's neuron screening (about 30 s of the 41 s at N = 300), "
             "the end-of-run maxPEAR (average linkage on the T × T bin similarity) and the export. The stacked latent dimension D = K(p + 1) follows the clusters the chain holds.",
             "", *header, *rows, "",
             f"Scaling in T at N = 30 (CPU per sweep relative to T = 500): {scaling}."]
    print(write_section(args.output, "bicluster_sweep", "Bayesian bi-clustering: cost per sweep", lines))


if __name__ == "__main__":
    main()
