#!/usr/bin/env python3
"""Non-negative CP: NeuroSwift HALS against tensortools `ncp_hals` and tensorly
`non_negative_parafac_hals` on the same planted affinity-shaped tensor, time to the same relative error.

Usage (from the repository root; `make bench` does this):
    python3 Benchmarks/compare/ntf.py --swift Benchmarks/.build/release/neuro-bench-ntf --output docs/performance.md
The tensor is the planted recipe of the methods note (§5.1): N = 40 neurons (780 pairs), 8 animals,
300 time bins, rank 4 (groups of 10 neurons, Gaussian time bumps, 2–5 animals), |Gaussian| noise at
10 % of std(X): 1.9 × 10⁶ entries. Every tool fits rank 4 from `--fits` random starts (its own random
initialisation) with a tight tolerance (1e-8, at most 500 iterations) and reports its relative-error
trace ‖X − X̂‖/‖X‖ per iteration. The target error is the largest of the tools' median final errors
times (1 + 1e-4), i.e. the level every tool reaches; the time to the target is read from each fit's
trace (per-iteration times: tensortools records them; for tensorly and NeuroSwift the fit's total
time is spread evenly over its iterations). The table gives the median over fits. NeuroSwift runs
first with the library defaults (no flags: Float32 tensor copy, HALS extrapolation, 5 inner sweeps, 2 time/animal
cycles per pass over the tensor, min(2, cores) workers, AVX2/FMA kernels when the CPU has them), then the defaults at
1 worker, the defaults with the opt-in fused pair-mode pass, plain HALS (tensortools' iterates: 3 inner sweeps, 1 cycle)
in Float64, extrapolated HALS in Float64 and plain HALS on the Float32 copy (both with 3 inner sweeps, 1 cycle, two
passes per iteration),
all at OpenBLAS 1 thread; the references at 1 and 2 BLAS threads (threadpoolctl). The whole comparison
is repeated `--repeats` times in one run and the ratios are reported as median (min–max) over repeats,
because the machine may be shared.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import h5py  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import write_section  # noqa: E402


def planted_tensor(neurons=40, animals=8, bins=300, rank=4, group=10, noise=0.1, seed=0):
    """The §5.1 recipe. Returns (X, [time, animal, pair] truth factors, neuron groups)."""
    rng = np.random.default_rng(seed)
    iu = np.triu_indices(neurons, 1)
    pairs = len(iu[0])
    ft, fw, fa = np.zeros((bins, rank)), np.zeros((animals, rank)), np.zeros((pairs, rank))
    groups = []
    t = np.arange(bins)
    for r in range(rank):
        centre = rng.uniform(0.1 * bins, 0.9 * bins)
        ft[:, r] = np.exp(-0.5 * ((t - centre) / (bins / 20)) ** 2)
        subset = rng.permutation(animals)[: rng.integers(2, 6)]
        fw[subset, r] = rng.uniform(0.5, 1, len(subset))
        g = np.sort(rng.permutation(neurons)[:group])
        groups.append(g)
        member = np.zeros(neurons, bool)
        member[g] = True
        inside = member[iu[0]] & member[iu[1]]
        fa[inside, r] = rng.uniform(0.5, 1, inside.sum())
    x = np.einsum("tr,wr,pr->twp", ft, fw, fa)
    x = x + np.abs(rng.normal(0, noise * x.std(), x.shape))
    return x, [ft, fw, fa], groups


def write_tensor(x, path):
    with h5py.File(path, "w") as f:
        f.create_dataset("tensor", data=np.ascontiguousarray(x, dtype=np.float64))


def run_tensortools(x, rank, fits, tol, max_iter):
    import tensortools as tt
    runs = []
    for seed in range(fits):
        start, cpu = time.perf_counter(), time.process_time()
        result = tt.ncp_hals(x, rank, random_state=seed, tol=tol, max_iter=max_iter, verbose=False)
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
        errors = list(result.obj_hist)
        times = list(getattr(result, "time_hist", [])) or list(np.linspace(0, total, len(errors) + 1)[1:])
        runs.append({"seconds": total, "errors": errors, "times": times, "cpu": spread_cpu(cpu, len(errors))})
    return runs


def run_tensorly(x, rank, fits, tol, max_iter):
    import tensorly as tl
    from tensorly.decomposition import non_negative_parafac_hals
    tl.set_backend("numpy")
    runs = []
    for seed in range(fits):
        start, cpu = time.perf_counter(), time.process_time()
        _, errors = non_negative_parafac_hals(
            x, rank, n_iter_max=max_iter, init="random", random_state=seed, tol=tol, return_errors=True)
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
        errors = [float(e) for e in errors]
        runs.append({"seconds": total, "errors": errors, "times": list(np.linspace(0, total, len(errors) + 1)[1:]),
                     "cpu": spread_cpu(cpu, len(errors))})
    return runs


def run_swift(binary, path, rank, fits, tol, max_iter, precision=None, threads=None, extrapolation=None, sweeps=None,
              cycles=None, fusion=None):
    """None leaves a setting at the library default."""
    command = [binary, "fit", "--tensor", path, "--rank", str(rank), "--fits", str(fits), "--tol", str(tol),
               "--max-iter", str(max_iter), "--seed", "1"]
    for flag, value in (("--precision", precision), ("--threads", threads), ("--extrapolation", extrapolation),
                        ("--inner-sweeps", sweeps), ("--cycles", cycles),
                        ("--fusion", fusion)):
        if value is not None:
            command += [flag, str(value)]
    out = subprocess.run(command, check=True, capture_output=True, text=True,
                         env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    report = json.loads(out.stdout)
    runs = []
    for run in report["runs"]:
        errors = run["errors"][1:]  # drop the initial error
        runs.append({"seconds": run["seconds"], "errors": errors,
                     "times": list(np.linspace(0, run["seconds"], len(errors) + 1)[1:]),
                     "cpu": spread_cpu(run["cpu_seconds"], len(errors)),
                     "config": {k: report.get(k) for k in ("precision", "threads", "extrapolation", "avx2", "inner_sweeps",
                                                                  "cycles", "fusion")}})
    return runs


def describe(config):
    return (f"{'Float32' if config['precision'] == 'single' else 'Float64'} tensor copy, extrapolation "
            f"{'on' if config['extrapolation'] else 'off'}, {config['inner_sweeps']} inner HALS sweeps, "
            f"{config.get('cycles', 1)} time/animal cycles per pass, "
            f"{'fused pair-mode pass (one read of the tensor per iteration)' if config.get('fusion') else 'two passes per iteration'}, "
            f"{config['threads']} worker thread(s), "
            f"{'AVX2/FMA' if config.get('avx2') else 'portable'} kernels")


def spread_cpu(cpu, iterations):
    """A fit's CPU seconds spread evenly over its iterations (the same rule for every tool)."""
    return list(np.linspace(0, cpu, iterations + 1)[1:])


def time_to(run, target, key="times"):
    for e, t in zip(run["errors"], run[key]):
        if e <= target:
            return t
    return float("nan")


SWIFT = [  # (label, precision, threads, extrapolation, inner sweeps, cycles, fusion); None = the library default
    ("NeuroSwift HALS, library defaults", None, None, None, None, None, None),
    ("NeuroSwift HALS, defaults at 1 thread", None, 1, None, None, None, None),
    ("NeuroSwift HALS, defaults + fused pair-mode pass (one pass per iteration, opt-in)", None, None, None, None, None, "on"),
    ("NeuroSwift HALS, plain (tensortools' iterates: 3 inner sweeps, 1 cycle), Float64, 1 thread", "double", 1, "off", 3, 1,
     None),
    ("NeuroSwift HALS, extrapolated, 3 inner sweeps, 1 cycle, Float64, 1 thread", "double", 1, "on", 3, 1, None),
    ("NeuroSwift HALS, plain, 3 inner sweeps, 1 cycle, Float32 tensor, 1 thread", "single", 1, "off", 3, 1, "off"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--swift", required=True)
    parser.add_argument("--output", default="docs/performance.md")
    parser.add_argument("--fits", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="independent repeats of the whole comparison")
    parser.add_argument("--tol", type=float, default=1e-8)
    parser.add_argument("--max-iter", type=int, default=500)
    args = parser.parse_args()

    import tensorly
    import tensortools  # noqa: F401
    from importlib.metadata import version
    from threadpoolctl import threadpool_limits

    x, _, _ = planted_tensor()
    references = [("tensortools ncp_hals", run_tensortools), ("tensorly non_negative_parafac_hals", run_tensorly)]
    # Warm-up, untimed: tensortools' numba HALS update compiles on its first call (about a second), which
    # would otherwise land in the first timed fit.
    small, _, _ = planted_tensor(neurons=12, animals=3, bins=30)
    for _, run in references:
        run(small, 4, 1, args.tol, 3)
    repeats = []
    loads = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "tensor.h5")
        write_tensor(x, path)
        for _ in range(args.repeats):
            results = {}
            for label, precision, threads, extrapolation, sweeps, cycles, fusion in SWIFT:
                results[label] = run_swift(
                    args.swift, path, 4, args.fits, args.tol, args.max_iter, precision, threads, extrapolation, sweeps, cycles,
                    fusion)
            for threads in (1, 2):
                with threadpool_limits(limits=threads):
                    for label, run in references:
                        results[f"{label}, {threads} BLAS thread{'s' if threads > 1 else ''}"] = run(
                            x, 4, args.fits, args.tol, args.max_iter)
            repeats.append(results)
            loads.append(os.getloadavg()[0])
            print(f"repeat {len(repeats)}/{args.repeats} done, load {loads[-1]:.1f}", file=sys.stderr, flush=True)
    # One target for every repeat: the largest median final error of any solver, × (1 + 1e-4).
    finals = {k: float(np.median([r["errors"][-1] for rep in repeats for r in rep[k]])) for k in repeats[0]}
    target = max(finals.values()) * (1 + 1e-4)
    per_repeat = [{k: float(np.nanmedian([time_to(r, target) for r in v])) for k, v in rep.items()} for rep in repeats]
    per_repeat_cpu = [{k: float(np.nanmedian([time_to(r, target, "cpu") for r in v])) for k, v in rep.items()}
                      for rep in repeats]
    base_tt = "tensortools ncp_hals, 1 BLAS thread"
    base_tl = "tensorly non_negative_parafac_hals, 1 BLAS thread"

    def spread(values):
        v = np.asarray(values, float)
        return f"{np.median(v):.1f}× ({v.min():.1f}–{v.max():.1f})" if len(v) > 1 else f"{v[0]:.1f}×"

    lines = [
        f"Planted rank-4 tensor 300 × 8 × 780 (1.9 × 10⁶ entries, §5.1 recipe, 10 % noise), {args.fits} random starts "
        f"per solver, tol {args.tol:g}, ≤ {args.max_iter} iterations; the whole comparison repeated {args.repeats} times "
        f"in one run (load average after each repeat: {', '.join(f'{l:.1f}' for l in loads)}; the machine's 2 cores were "
        f"shared with other jobs, so times are upper bounds and the spread over repeats is given). Target relative error "
        f"{target:.5f} (the largest median final error × (1 + 1e-4)); time to target read from each fit's error trace "
        "(tensortools records per-iteration times; for the others the fit's total time, set-up included, is spread evenly "
        "over its iterations), median over fits. Ratios are the reference's time ÷ NeuroSwift's in the same repeat: "
        "median (min–max) over repeats. The CPU-time columns use each fit's process CPU time (all threads; "
        "`time.process_time` for the references, `CLOCK_PROCESS_CPUTIME_ID` for NeuroSwift) spread evenly over its "
        "iterations for every tool: on a loaded machine they show the work done, which wall-clock ratios blur. "
        "Library defaults (`NonNegativeCP(rank:)` with nothing else): "
        f"{describe(repeats[0][SWIFT[0][0]][0]['config'])}. \"Plain\" is tensortools' HALS iteration; \"extrapolated\" starts each "
        "sweep from an extrapolation of the last two accepted iterates and discards sweeps that end worse. Thread counts: "
        "NeuroSwift's own workers (OpenBLAS at 1; results are bit-identical for any count); the references' BLAS "
        "threads via threadpoolctl (numba single-threaded). "
        f"Versions: tensortools {version('tensortools')}, tensorly {tensorly.__version__}, numpy {np.__version__}. "
        f"{platform.processor() or platform.machine()}, {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M')} UTC.",
        "",
        "| solver | median time to target (s), per repeat | fits reaching it | median s per fit | median iterations | "
        "median final error | tensortools (1 thread) ÷ this | tensorly (1 thread) ÷ this | "
        "CPU time: tensortools ÷ this | CPU time: tensorly ÷ this |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for k in repeats[0]:
        times = [rep[k] for rep in per_repeat]
        reached = sum(int(not np.isnan(time_to(r, target))) for rep in repeats for r in rep[k])
        runs = [r for rep in repeats for r in rep[k]]
        lines.append(
            f"| {k} | {', '.join(f'{t:.3f}' for t in times)} | {reached}/{len(runs)} | "
            f"{np.median([r['seconds'] for r in runs]):.3f} | {int(np.median([len(r['errors']) for r in runs]))} | "
            f"{finals[k]:.5f} | {spread([rep[base_tt] / rep[k] for rep in per_repeat])} | "
            f"{spread([rep[base_tl] / rep[k] for rep in per_repeat])} | "
            f"{spread([rep[base_tt] / rep[k] for rep in per_repeat_cpu])} | "
            f"{spread([rep[base_tl] / rep[k] for rep in per_repeat_cpu])} |")
    print(write_section(args.output, "ntf", "Non-negative CP (NTF): NeuroSwift HALS vs tensortools and tensorly", lines))


if __name__ == "__main__":
    main()
