#!/usr/bin/python3
"""HMM-GLM EM epochs: NeuroSwift's StateGLM against the reference PyTorch configuration, same data, one run.

Usage (from the repository root; `make bench` does this). Run it with the interpreter that has torch
(Debian's python3-torch for /usr/bin/python3):
    /usr/bin/python3 Benchmarks/compare/stateglm.py --swift Benchmarks/.build/release/neuro-bench-stateglm \
        --output docs/performance.md

The configuration is the paper-era reference (`JerrySoybean/onehot-hmmglm`, `deprecated/demo.ipynb`,
notes §B.3): S = 5 states, N = 20 neurons, K = 5 exponential history basis, sigmoid link, Poisson
counts, 30 training sequences of T = 2000 bins from the demo generator. One EM epoch = for each
sequence, a forward–backward E-step (a Python loop over bins, as in the reference), then 50 Adam steps
(lr 0.01) on that sequence's expected complete-data log-likelihood plus log-prior, with the closed-form
transition update at every step. The reference's classes are not installable here, so `Reference`
below re-implements `hmmglm/deprecated/model.py` operation for operation: `forward_backward` with its
default `algorithm='scaling'` (`--estep logsumexp` for the log-space variant, about twice as slow),
`firing_rates` as one batched matmul over the states, `poisson_log_likelihood` with lgamma at every call,
`m_step` with the transition update inside, the Gaussian prior by `gaussian_nll_loss` with W̄ reset to the
state mean before each step, the one-hot weight drawing a fresh Gumbel-softmax sample (τ = 0.2) at every
step, its Concrete prior at softmax(ψ) and `correct_extreme_onehot` after each step; float32, torch's
default dtype. NeuroSwift runs the same schedule (`StateGLMFitOptions(schedule: .perSequence, optimizer:
.adam(steps: 50, learningRate: 0.01))`) with its float32 M-step (the default) and with a float64 one; the
objective after the epoch of each is printed and tabulated to show they agree.

Two rows per prior (`--threads 1,2`): one thread on each side (OPENBLAS_NUM_THREADS=1,
torch.set_num_threads(1), NeuroSwift `--workers 1`), timed in process CPU time (the machine is shared,
so wall-clock time would measure the foreign load), and two threads on each side (torch.set_num_threads(2),
torch's default on this 2-core machine; NeuroSwift `--workers 2` for the M-step), timed in wall-clock
time since CPU time would add the threads up. The float64 M-step is run in the 1-thread row only. The
objective after the epoch is also printed for the 2-worker run: it must equal the 1-worker one (the
M-step's pieces and reduction order do not depend on the worker count). PyTorch's time per epoch is
extrapolated from `--torch-sequences` sequences, the Swift time from `--swift-sequences`. The sides
alternate in `--repeats` rounds. The data are the Swift simulator's counts (`neuro-bench-stateglm dump`),
so both fit identical sequences.
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

import numpy as np
import torch

import report  # noqa: E402
from report import write_section  # noqa: E402

S, N, K = 5, 20, 5
# The reference code runs in PyTorch's default dtype, float32.
DTYPE = torch.float32
PHI = np.exp(-np.arange(K, dtype=np.float64))
PHI /= PHI.sum()
RATE_FLOOR = 1e-8


def poisson_log_likelihood(x, mean, eps=1e-8):
    """`distributions.poisson_log_likelihood` of the reference (lgamma recomputed at every call, as there)."""
    return x * (mean + eps).log() - mean - torch.lgamma(x + 1)


def concrete_log_likelihood(x, ln_p, tau):
    """`distributions.gumbel_softmax_log_likelihood` of the reference."""
    k = ln_p.shape[-1]
    ln_x = x.log()
    return (torch.lgamma(torch.tensor(float(k))) + (k - 1) * torch.tensor(tau).log()
            - k * torch.logsumexp(ln_p - tau * ln_x, dim=-1) + (ln_p - (tau + 1) * ln_x).sum(dim=-1))


class Reference(torch.nn.Module):
    """The paper-era reference model (`hmmglm/deprecated/model.py`: NaiveHMMGLM, GaussianHMMGLM,
    OnehotHMMGLM with the sigmoid link and Poisson counts), re-implemented operation for operation: the
    reference's classes are not installable here. Only the initial weights differ (small random ones,
    as NeuroSwift starts, instead of zeros), which does not change the work per step."""

    def __init__(self, kind, mean_counts):
        super().__init__()
        self.kind = kind
        self._bias = torch.nn.Parameter(torch.tensor(mean_counts, dtype=DTYPE))
        self.transition_matrix = torch.nn.Parameter(
            torch.eye(S) * 0.98 + 0.02 / (S - 1) * (1 - torch.eye(S)), requires_grad=False)
        g = torch.Generator().manual_seed(0)
        if kind == "onehot":
            self._adjacency = torch.nn.Parameter(0.1 * torch.randn(S, N, N, 3, generator=g, dtype=DTYPE))
            self._strength = torch.nn.Parameter(torch.zeros(S, N, N, dtype=DTYPE))
            self._adjacency_prior = torch.nn.Parameter(torch.zeros(N, N, 3, dtype=DTYPE))
            self.adjacency_type = "softmax"
        else:
            self._weight = torch.nn.Parameter(0.1 * torch.randn(S, N, N, generator=g, dtype=DTYPE))
            if kind == "gaussian":
                self.weight_prior_mean = torch.nn.Parameter(torch.zeros(N, N, dtype=DTYPE), requires_grad=False)
                self.weight_prior_std = torch.nn.Parameter(torch.tensor(1 / 3, dtype=DTYPE), requires_grad=False)

    @property
    def bias(self):
        return self._bias.expand(S, -1)

    @property
    def weight(self):
        """The one-hot weight draws a fresh Gumbel-softmax sample at every access in training mode."""
        if self.kind != "onehot":
            return self._weight
        if self.adjacency_type == "gumbel_softmax":
            a = torch.nn.functional.gumbel_softmax(self._adjacency, tau=0.2, dim=-1)
        elif self.adjacency_type == "hard":
            a = torch.nn.functional.one_hot(self._adjacency.argmax(-1), 3).to(DTYPE)
        else:
            a = torch.nn.functional.softmax(self._adjacency, dim=-1)
        strength = torch.nn.functional.softplus(self._strength)[:, :, :, None].expand((-1, -1, -1, 2))
        return a[:, :, :, 2] * strength[:, :, :, 1] + (-1) * a[:, :, :, 0] * strength[:, :, :, 0]

    def firing_rates(self, h):
        # Sigmoid with bounds (1e-8, 1) as `nonlinearities.Sigmoid`; all states at once, S × T × N.
        return (1 - RATE_FLOOR) * torch.sigmoid(self.bias[:, None, :] + h @ self.weight.permute((0, 2, 1))) + RATE_FLOOR

    def forward_backward(self, x, h, algorithm):
        """`HMMGLM.forward_backward`: Python loops over the bins; 'scaling' is the reference's default."""
        with torch.no_grad():
            init_p = torch.ones(S) / S
            T = len(x)
            log_emission = poisson_log_likelihood(x[None, :, :], self.firing_rates(h)).sum(dim=(-1,)).permute((1, 0))
            tm = self.transition_matrix
            if algorithm == "scaling":
                emission = log_emission.exp().clamp(min=1e-16)
                alpha = torch.zeros((T, S))
                c = torch.zeros((T,))
                alpha[0] = init_p * emission[0]
                c[0] = alpha[0].sum()
                alpha[0] = alpha[0] / c[0]
                for t in range(1, T):
                    alpha[t] = emission[t] * (tm.T @ alpha[t - 1])
                    c[t] = alpha[t].sum()
                    alpha[t] = alpha[t] / c[t]
                beta = torch.zeros((T, S))
                beta[-1] = 1
                for t in range(T - 2, -1, -1):
                    beta[t] = tm @ (beta[t + 1] * emission[t + 1]) / c[t + 1]
                gamma = alpha * beta
                if gamma.isnan().sum() > 0:
                    raise ValueError("NaN posterior")
                xi = 1 / c[1:, None, None] * alpha[:-1, :, None] * emission[1:, None, :] * tm[None, :, :] * beta[1:, None, :]
            else:
                log_tm = tm.log()
                log_alpha = torch.zeros((T, S))
                log_alpha[0] = torch.log(init_p) + log_emission[0]
                for t in range(1, T):
                    log_alpha[t] = log_emission[t] + torch.logsumexp(log_tm.T + log_alpha[t - 1], dim=1)
                log_beta = torch.zeros((T, S))
                for t in range(T - 2, -1, -1):
                    log_beta[t] = torch.logsumexp(log_tm + log_beta[t + 1] + log_emission[t + 1], dim=1)
                log_z = torch.logsumexp(log_alpha[-1], dim=0)
                gamma = torch.nn.functional.softmax(log_alpha + log_beta - log_z, dim=1)
                log_xi = log_alpha[:-1, :, None] + log_emission[1:, None, :] + log_tm[None, :, :] + log_beta[1:, None, :] - log_z
                xi = torch.nn.functional.softmax(log_xi.reshape((T - 1, S * S)), dim=1).reshape((T - 1, S, S))
            return gamma, xi

    def m_step(self, x, h, gamma, xi):
        """`HMMGLM.m_step`: Q(θ) with the closed-form transition update at every call."""
        init_p = torch.ones(S) / S
        log_emission = poisson_log_likelihood(x, self.firing_rates(h)).sum(dim=(-1,)).permute((1, 0))
        term_1 = torch.sum(gamma[0] + init_p.log())
        term_2 = torch.sum(torch.sum(xi, dim=0) * self.transition_matrix.log())
        term_3 = torch.sum(gamma * log_emission)
        self.transition_matrix.data = torch.nn.functional.softmax(
            (xi.sum(dim=0) / xi.sum(dim=(0, 2))[:, None]).log().clamp(min=-8), dim=-1)
        return term_1 + term_2 + term_3

    def log_prior(self):
        if self.kind == "gaussian":
            return -torch.nn.functional.gaussian_nll_loss(
                self.weight_prior_mean, self._weight, (self.weight_prior_std ** 2).expand(N, N), full=True, eps=1e-8,
                reduction="sum")
        if self.kind == "onehot":
            # `adjacency_prior_log_likelihood`: the reference passes the probabilities softmax(ρ) where the
            # density expects log-probabilities; kept as it is (same work either way).
            adjacency = torch.nn.functional.softmax(self._adjacency, dim=-1)
            prior = torch.nn.functional.softmax(self._adjacency_prior, dim=-1)
            return concrete_log_likelihood(adjacency, prior.expand(S, N, N, 3), 0.2).sum()
        return torch.zeros((), dtype=DTYPE)

    def correct_extreme_onehot(self):
        with torch.no_grad():
            loc = (torch.nn.functional.softmax(self._adjacency.data, dim=-1).log() < -20).sum(dim=-1) > 0
            self._adjacency.data[loc] /= 2
            loc = (torch.nn.functional.softmax(self._adjacency_prior.data, dim=-1).log() < -20).sum(dim=-1) > 0
            self._adjacency_prior.data[loc] /= 2


def history(x):
    """h_t = Σ_k φ_k x_{t−k}, zero padded. The reference computes these once, when it simulates the data,
    so they are not part of an epoch here either."""
    xt = torch.tensor(x.T[:, None, :], dtype=DTYPE)  # N × 1 × T
    kernel = torch.tensor(PHI[::-1].copy(), dtype=DTYPE)[None, None, :]
    h = torch.nn.functional.conv1d(torch.nn.functional.pad(xt, (K, 0)), kernel)[:, 0, :-1]
    return h.T.contiguous()


def torch_epoch_seconds(kind, counts, sequences, repeats, algorithm="scaling", steps=50, threads=1):
    """Seconds per epoch (extrapolated to all sequences) of every repeat: the demo's training loop —
    per sequence an E-step, then `steps` Adam steps (lr 0.01) on −Q − log prior (Gaussian: W̄ reset to the
    state mean before each step; one-hot: Gumbel-softmax weights during the steps, saturated logits halved
    after each)."""
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    # One thread: process CPU time (robust to foreign load); more: wall-clock (CPU time would add them up).
    clock = time.process_time if threads == 1 else time.perf_counter
    data = [(torch.tensor(counts[m], dtype=DTYPE), history(counts[m])) for m in range(sequences)]
    times = []
    for _ in range(repeats):
        model = Reference(kind, counts.mean(axis=(0, 1)))
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        start = clock()
        for x, h in data:
            gamma, xi = model.forward_backward(x, h, algorithm)
            if kind == "onehot":
                model.adjacency_type = "gumbel_softmax"
            for _ in range(steps):
                if kind == "gaussian":
                    with torch.no_grad():
                        model.weight_prior_mean.data = model._weight.mean(dim=0)
                optimizer.zero_grad()
                loss = -model.m_step(x, h, gamma, xi) - model.log_prior()
                loss.backward()
                optimizer.step()
                if kind == "onehot":
                    model.correct_extreme_onehot()
            if kind == "onehot":
                model.adjacency_type = "softmax"
        times.append((clock() - start) / sequences * counts.shape[0])
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--swift", required=True)
    parser.add_argument("--output", default="docs/performance.md")
    parser.add_argument("--torch-sequences", type=int, default=3)
    parser.add_argument("--swift-sequences", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--estep", choices=("scaling", "logsumexp"), default="scaling",
                        help="the reference's forward–backward variant (its default argument is 'scaling')")
    parser.add_argument("--threads", default="1,2",
                        help="comma-separated thread counts, one table row each (same count on both sides)")
    args = parser.parse_args()
    thread_counts = [int(t) for t in args.threads.split(",")]
    env = report.thread_environment(1)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "counts.npy")
        subprocess.run([args.swift, "dump", "--out", path, "--train", "30"], check=True, env=env, stdout=subprocess.DEVNULL)
        counts = np.load(path)

    def swift_run(kind, precision, workers):
        clock = "cpu" if workers == 1 else "wall"
        return json.loads(subprocess.run(
            [args.swift, "bench", "--train", "30", "--measure", str(args.swift_sequences), "--repeats", "1",
             "--precision", precision, "--priors", kind, "--workers", str(workers), "--clock", clock],
            check=True, env=env, capture_output=True, text=True).stdout)

    kinds = ("naive", "gaussian", "onehot")
    times = {}
    objectives = {}
    # The sides alternate within every round, so a change of the machine's load hits both alike; the
    # speed-up of each round (same-round times) is reported besides best ÷ best.
    for round_index in range(args.repeats):
        for kind in kinds:
            for threads in thread_counts:
                for precision in (("double", "single") if threads == 1 else ("single",)):
                    result = swift_run(kind, precision, threads)
                    times.setdefault((kind, threads, precision), []).append(result[kind])
                    objectives[(kind, threads, precision)] = result[kind + "_objective"]
                times.setdefault((kind, threads, "torch"), []).extend(
                    torch_epoch_seconds(kind, counts, args.torch_sequences, 1, args.estep, threads=threads))
                double = times.get((kind, threads, "double"))
                print(f"round {round_index + 1} {kind}, {threads} thread(s): PyTorch {times[(kind, threads, 'torch')][-1]:.2f} s/epoch, "
                      f"NeuroSwift float32 {times[(kind, threads, 'single')][-1]:.3f}"
                      + (f", float64 {double[-1]:.3f}" if double else ""), file=sys.stderr, flush=True)
    lines = [
        f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} cores (shared with other jobs: figures are upper bounds), torch {torch.__version__}.",
        "Two rows per prior: 1 thread on each side (torch.set_num_threads(1), NeuroSwift `--workers 1`), timed in process CPU",
        "seconds because the machine is shared; 2 threads on each side (torch.set_num_threads(2), its default here, NeuroSwift",
        "`--workers 2` for the M-step), timed in wall-clock seconds (CPU time would add the threads up), so that row is more",
        "exposed to foreign load. The ≥ 10× goal is read from the 1-thread row.",
        "One EM epoch of the reference configuration: 30 sequences × (forward–backward E-step + 50 Adam steps),",
        "S = 5, N = 20, K = 5, T = 2000 bins per sequence (the demo generator's counts, identical for both).",
        f"PyTorch: the paper-era reference model re-implemented operation for operation (`{args.estep}` E-step, the "
        "reference's default; float32),",
        f"time extrapolated from {args.torch_sequences} sequences; NeuroSwift measured on {args.swift_sequences} "
        "(the first epoch from the initial parameters, whose early posteriors are still diffuse).",
        f"{args.repeats} rounds, each running (per prior and thread count) NeuroSwift float64 (1 thread only), float32, then PyTorch:",
        "best and (in brackets) the range over rounds; speed-up = best ÷ best, in brackets the range of the same-round ratios.",
        "NeuroSwift's M-step runs the fused CKernels pass (AVX2+FMA when available; bins in panels of 8 lanes, register-blocked",
        "products). float32 evaluates the M-step's likelihood terms in float32, the reference's own precision",
        "(`StateGLMFitOptions.singlePrecisionMStep`, the default; sums, E-steps and the objective stay double); float64 is the",
        "same fit with a double M-step. Same schedule and optimiser (50 Adam steps) in all; the last columns give the objective",
        "after the epoch (the 2-thread row's must equal the 1-thread float32 one: the M-step does not depend on the worker count).",
        "",
        "| prior | threads | PyTorch (s / epoch) | NeuroSwift float32 (s / epoch) | speed-up | NeuroSwift float64 (s / epoch) | speed-up | objective float32 | objective float64 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def cell(reference, t):
        ratios = [r / x for r, x in zip(reference, t)]
        return (f"{min(t):.3f} ({min(t):.3f}–{max(t):.3f}) | ×{min(reference) / min(t):.1f} "
                f"(×{min(ratios):.1f}–×{max(ratios):.1f})")

    for kind in kinds:
        for threads in thread_counts:
            reference = times[(kind, threads, "torch")]
            single = times[(kind, threads, "single")]
            double = times.get((kind, threads, "double"))
            summary = (f"{kind}, {threads} thread(s): PyTorch {min(reference):.2f}–{max(reference):.2f} s/epoch; "
                       f"float32 ×{min(reference) / min(single):.1f}")
            if double:
                summary += f", float64 ×{min(reference) / min(double):.1f}"
            summary += f"; objective float32 {objectives[(kind, threads, 'single')]:.3f}"
            if double:
                summary += f", float64 {objectives[(kind, threads, 'double')]:.3f}"
            print(summary, file=sys.stderr)
            lines.append(
                f"| {kind} | {threads} | {min(reference):.2f} ({min(reference):.2f}–{max(reference):.2f}) | {cell(reference, single)} "
                + (f"| {cell(reference, double)} " if double else "| – | – ")
                + f"| {objectives[(kind, threads, 'single')]:.1f} | "
                + (f"{objectives[(kind, threads, 'double')]:.1f} |" if double else "– |"))
    if len(thread_counts) > 1:
        same = {kind: all(objectives[(kind, t, "single")] == objectives[(kind, thread_counts[0], "single")] for t in thread_counts)
                for kind in kinds}
        lines.append("")
        lines.append("Objective after the epoch bit-identical for every worker count: "
                     + ", ".join(f"{kind} {'yes' if same[kind] else 'NO'}" for kind in kinds) + ".")
        lines.append("PyTorch's OpenMP threads spin-wait, so on a loaded machine its 2-thread wall time grows many-fold "
                     "(the 2-thread row is only meaningful from a quiet run).")
    load = os.getloadavg()
    lines.append("")
    lines.append(f"Load average when the run ended: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min).")
    write_section(args.output, "stateglm", "HMM-GLM EM epoch (StateGLM vs the reference PyTorch configuration)", lines)


if __name__ == "__main__":
    main()
