#!/usr/bin/python3
"""One transformer training step: NeuroSwift's NeuralNet against PyTorch on CPU, same model, in one run.

Usage (from the repository root; `make bench` does this). Run it with the interpreter that has torch
(Debian's python3-torch is installed for /usr/bin/python3, not for a pyenv python3):
    /usr/bin/python3 Benchmarks/compare/nn_step.py --swift Benchmarks/.build/release/neuro-bench-nn \
        --output docs/performance.md
The model (issue 5): token embedding (512 × 128) + learned positions (128 × 128) → 4 pre-norm encoder
blocks (d_model 128, 4 heads, GELU MLP 512, dropout 0) → LayerNorm → Linear(128 → 512) → mean
cross-entropy, batch 32 × sequence 128; one step = zero grads, forward, backward, AdamW step.
Both sides run at 1 thread (torch.set_num_threads(1), OPENBLAS_NUM_THREADS=1) and at 2 threads; the
measure is the best of N wall-clock steps after a warm-up, and the two sides alternate for several
rounds (best of all rounds kept) so that a burst of foreign load on a shared machine does not favour
one side. Each measurement is a fresh process (PyTorch through this script's `--torch-worker` mode).

A second pair of rows repeats the runs with glibc malloc told to keep freed memory in the process
(MALLOC_MMAP_THRESHOLD_=32 MiB, MALLOC_TRIM_THRESHOLD_=1 GiB, for both sides): by default, every
multi-megabyte array is a fresh mmap whose pages the kernel faults in and zeroes. (NeuralNet now reuses
its activation and gradient buffers across steps itself, so the setting should matter little to it.)
Both sides also report the least process CPU time of a step, which other work on a shared machine
inflates far less than wall-clock time. The table replaces the section between this script's markers
in the output file.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

from report import best_step, thread_environment, write_section  # noqa: E402

import torch  # noqa: E402

TUNED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}

VOCABULARY, D_MODEL, HEADS, LAYERS, SEQUENCE, BATCH = 512, 128, 4, 4, 128, 32


class Reference(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(VOCABULARY, D_MODEL)
        self.positions = torch.nn.Parameter(torch.randn(SEQUENCE, D_MODEL))
        self.blocks = torch.nn.ModuleList([
            torch.nn.TransformerEncoderLayer(D_MODEL, HEADS, dim_feedforward=4 * D_MODEL, dropout=0.0,
                                             activation="gelu", batch_first=True, norm_first=True)
            for _ in range(LAYERS)])
        self.norm = torch.nn.LayerNorm(D_MODEL)
        self.head = torch.nn.Linear(D_MODEL, VOCABULARY)

    def forward(self, tokens):
        x = self.embedding(tokens) + self.positions
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))


def torch_step_seconds(threads, repeats, warmup):
    torch.set_num_threads(threads)
    torch.manual_seed(5)
    model = Reference().train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    i = torch.arange(BATCH * SEQUENCE)
    tokens = ((i * 7 + i // 13) % VOCABULARY).reshape(BATCH, SEQUENCE)
    targets = (i * 7 + i // 13 + 1) % VOCABULARY

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(tokens).reshape(-1, VOCABULARY), targets)
        loss.backward()
        optimizer.step()
        return loss.item()

    return best_step(step, repeats, warmup)


def environment(threads, tuned):
    return thread_environment(threads, drop=TUNED_MALLOC, extra=TUNED_MALLOC if tuned else None)


def swift_step_seconds(binary, threads, tuned, repeats, warmup):
    """(best wall-clock seconds, least process CPU seconds, the binary's whole JSON report) of one step."""
    out = json.loads(subprocess.run([binary, "--repeats", str(repeats), "--warmup", str(warmup)], check=True,
                                    capture_output=True, text=True, env=environment(threads, tuned)).stdout)
    return out["seconds"], out["cpuSeconds"], out


def torch_subprocess_seconds(threads, tuned, repeats, warmup):
    out = subprocess.run([sys.executable, __file__, "--torch-worker", str(threads), "--repeats", str(repeats),
                          "--warmup", str(warmup)], check=True, capture_output=True, text=True,
                         env=environment(threads, tuned)).stdout
    wall, cpu = out.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swift", help="path to the neuro-bench-nn binary")
    parser.add_argument("--output", help="markdown file to update")
    parser.add_argument("--torch-worker", type=int, metavar="THREADS", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of both sides")
    parser.add_argument("--repeats", type=int, default=5, help="timed steps per side per round")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps before timing")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts to measure (default 1,2)")
    parser.add_argument("--default-malloc-only", action="store_true", help="skip the tuned-malloc rows")
    args = parser.parse_args()
    if args.torch_worker is not None:
        print(*torch_step_seconds(args.torch_worker, args.repeats, args.warmup))
        return
    if not args.swift or not args.output:
        parser.error("--swift and --output are required")

    thread_counts = [int(t) for t in args.threads.split(",")]
    configurations = [(threads, tuned) for tuned in ((False,) if args.default_malloc_only else (False, True))
                      for threads in thread_counts]
    swift, reference, swift_cpu, reference_cpu, loads, gemm, peak = {}, {}, {}, {}, [], {}, {}
    for _ in range(args.rounds):
        for key in configurations:
            s, s_cpu, report = swift_step_seconds(args.swift, *key, args.repeats, args.warmup)
            # The matmuls of the step: keep the run whose sgemm time was least, and the best peak of any round
            # (a peak measured while the machine was busy would flatter the step's share of it).
            if "gemmSeconds" in report and report["gemmSeconds"] < gemm.get(key, {}).get("gemmSeconds", float("inf")):
                gemm[key] = report
            if "peakGFLOPS" in report:
                best = peak.get(key, (0.0, 0.0))
                peak[key] = (max(best[0], report["peakGFLOPS"]), max(best[1], report["peakCPUGFLOPS"]))
            swift[key] = min(s, swift.get(key, float("inf")))
            swift_cpu[key] = min(s_cpu, swift_cpu.get(key, float("inf")))
            t, t_cpu = torch_subprocess_seconds(*key, args.repeats, args.warmup)
            reference[key] = min(t, reference.get(key, float("inf")))
            reference_cpu[key] = min(t_cpu, reference_cpu.get(key, float("inf")))
            loads.append(os.getloadavg()[0])
            print(f"threads {key[0]}, tuned malloc {key[1]}: NeuroSwift {s * 1e3:.1f} ms (CPU {s_cpu * 1e3:.1f}), "
                  f"PyTorch {t * 1e3:.1f} ms (CPU {t_cpu * 1e3:.1f}), ratio {t / s:.2f}, matmuls "
                  f"{report.get('gemmGFLOPS', float('nan')):.1f} of peak {report.get('peakGFLOPS', float('nan')):.1f} "
                  f"GFLOP/s (load {loads[-1]:.1f})", flush=True)

    rows = [f"| {threads} | {'kept (tuned)' if tuned else 'default'} | {swift[(threads, tuned)] * 1e3:,.1f} | "
            f"{reference[(threads, tuned)] * 1e3:,.1f} | {reference[(threads, tuned)] / swift[(threads, tuned)]:.2f} | "
            f"{swift_cpu[(threads, tuned)] * 1e3:,.1f} | {reference_cpu[(threads, tuned)] * 1e3:,.1f} | "
            f"{reference_cpu[(threads, tuned)] / swift_cpu[(threads, tuned)]:.2f} |"
            for threads, tuned in configurations]
    section = write_section(args.output, "nn_step", "Transformer training step (NeuralNet vs PyTorch)", [
        f"Measured {datetime.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores. "
        f"One training step (zero grads, forward, backward, AdamW) of a transformer: token embedding + learned "
        f"positions → {LAYERS} pre-norm encoder blocks (d_model {D_MODEL}, {HEADS} heads, GELU MLP {4 * D_MODEL}, "
        f"dropout 0) → LayerNorm → Linear({D_MODEL} → {VOCABULARY}) → cross-entropy, batch {BATCH} × sequence "
        f"{SEQUENCE}. NeuroSwift release build (threads = OPENBLAS_NUM_THREADS for sgemm and for NeuralNet's own "
        f"kernels, `KernelThreads`; GELU, softmax, LayerNorm, Adam and the per-head attention products run on "
        f"CKernels' AVX2/FMA kernels when the CPU has them, chosen at run time) vs "
        f"PyTorch {torch.__version__} CPU (torch.set_num_threads; nn.TransformerEncoderLayer norm_first, "
        f"torch.optim.AdamW), best of {args.repeats} steps after {args.warmup} warm-up steps × {args.rounds} "
        f"alternating rounds. Load average during the rounds: {min(loads):.1f}–{max(loads):.1f} "
        f"(2 cores; above ~1 means other work shared the machine, which penalises the 2-thread rows most). "
        f"\"kept (tuned)\" rows run both sides with {' '.join(f'{k}={v}' for k, v in TUNED_MALLOC.items())} "
        f"(glibc keeps freed activations instead of returning them to the kernel and faulting fresh zeroed pages in). "
        f"The CPU columns are the least process CPU time of a step (all threads): on a shared machine they are "
        f"inflated far less by other work than the wall-clock columns, so they are the fairer 1-thread comparison "
        f"when the load was high; at 2 threads wall-clock is what parallelism buys.",
        "",
        "| threads | glibc malloc freed memory | NeuroSwift ms/step | PyTorch ms/step | speed ratio (×, >1 = NeuroSwift faster) "
        "| NeuroSwift CPU ms/step | PyTorch CPU ms/step | CPU ratio (×) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "The step's matmuls (NeuroSwift, default malloc; `GEMMStatistics` in the benchmark binary counts every "
        "sgemm call with its 2·m·n·k FLOPs and wall-clock time; the fastest step's matmuls are shown) against the "
        "sgemm peak, the best of the 1024³ sgemms timed in the benchmark processes at the same thread count. "
        "The CPU columns divide by process CPU time instead (all threads, so at 2 threads they are per core), "
        "which a loaded machine distorts less.",
        "",
        "| threads | sgemm calls/step | GFLOP/step | ms in matmuls | share of step | matmul GFLOP/s | sgemm peak GFLOP/s "
        "| % of peak | matmul GFLOP/CPU-s | peak GFLOP/CPU-s | % of peak (CPU) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[f"| {threads} | {g['gemmCalls']:,} | {g['gemmFlops'] / 1e9:.2f} | {g['gemmSeconds'] * 1e3:,.1f} | "
          f"{g['gemmSeconds'] / g['seconds']:.0%} | {g['gemmGFLOPS']:.1f} | {p:.1f} | "
          f"{g['gemmGFLOPS'] / p:.0%} | {g['gemmCPUGFLOPS']:.1f} | {p_cpu:.1f} | "
          f"{g['gemmCPUGFLOPS'] / p_cpu:.0%} |"
          for threads in thread_counts for g in [gemm.get((threads, False))] if g
          for p, p_cpu in [peak[(threads, False)]]],
    ])
    print(section)


if __name__ == "__main__":
    main()
