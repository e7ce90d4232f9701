#!/usr/bin/python3
"""HMM-GLM EM epochs: NeuroSwift's StateGLM against the reference PyTorch configuration, same data, one run.

Usage (from the repository root; `make bench` does this). Run it with the interpreter that has torch
(Debian's python3-torch for /usr/bin/python3):
    /usr/bin/python3 Benchmarks/compare/stateglm.py --swift Benchmarks/.build/release/neuro-bench-stateglm \
        --output docs/performance.md

The configuration is the paper-era reference (`JerrySoybean/onehot-hmmglm`, `deprecated/demo.ipynb`,
notes §B.3): S = 5 states, N = 20 neurons, K = 5 exponential history basis, sigmoid link, Poisson
counts, 30 training sequences of T = 2000 bins from the demo generator. One EM epoch = for each
sequence, a forward–backward E-step (log space, a Python loop over bins as in the reference), then 50
Adam steps (lr 0.01) on that sequence's expected complete-data log-likelihood plus log-prior, with the
closed-form transition update after every step. The PyTorch model below re-implements that
computation (the reference's classes are not installable here): history features by one convolution
per sequence, drives by einsum over states, `torch.distributions`-style Poisson log-probabilities,
float32 as the reference, the Gaussian prior with W̄ reset to the state mean, the one-hot prior with a Gumbel-softmax sample
(τ = 0.2) and the Concrete log-density at softmax(ψ). NeuroSwift runs the same schedule
(`StateGLMFitOptions(schedule: .perSequence, optimizer: .adam(steps: 50, learningRate: 0.01))`), twice:
with its default float64 M-step and with `singlePrecisionMStep` (float32 likelihood terms, the reference's
precision); the objective after the epoch of each is printed and tabulated to show they agree.

Both sides run single-threaded (OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1)) and are timed in
process CPU time (the machine is shared, so wall-clock time would measure the foreign load); PyTorch's time per
epoch is extrapolated from `--torch-sequences` sequences (the reference spends ~1 s per sequence), the
Swift time from `--swift-sequences`; both are best-of-`--repeats`. The data are the Swift simulator's
counts (`neuro-bench-stateglm dump`), so both fit identical sequences.
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

from report import write_section  # noqa: E402

S, N, K = 5, 20, 5
# The reference code runs in PyTorch's default dtype, float32.
DTYPE = torch.float32
PHI = np.exp(-np.arange(K, dtype=np.float64))
PHI /= PHI.sum()


class Reference(torch.nn.Module):
    def __init__(self, kind, mean_counts):
        super().__init__()
        self.kind = kind
        self.bias = torch.nn.Parameter(torch.tensor(mean_counts, dtype=DTYPE))
        g = torch.Generator().manual_seed(0)
        if kind == "onehot":
            self.psi = torch.nn.Parameter(0.1 * torch.randn(S, N, N, 3, generator=g, dtype=DTYPE))
            self.omega = torch.nn.Parameter(torch.zeros(S, N, N, dtype=DTYPE))
            self.rho = torch.nn.Parameter(torch.zeros(N, N, 3, dtype=DTYPE))
        else:
            self.W = torch.nn.Parameter(0.1 * torch.randn(S, N, N, generator=g, dtype=DTYPE))
            self.W_bar = torch.zeros(N, N, dtype=DTYPE)
        p = torch.full((S, S), 0.02 / (S - 1), dtype=DTYPE)
        p.fill_diagonal_(0.98)
        self.log_pi = p.log()
        self.log_p0 = torch.full((S,), -np.log(S), dtype=DTYPE)

    def weights(self, sample):
        if self.kind != "onehot":
            return self.W
        if sample:
            a = torch.nn.functional.gumbel_softmax(self.psi, tau=0.2, hard=False, dim=-1)
        else:
            a = torch.nn.functional.one_hot(self.psi.argmax(-1), 3).to(self.psi.dtype)
        return (a[..., 2] - a[..., 0]) * torch.nn.functional.softplus(self.omega)

    def log_emission(self, x, h, lgam, sample):
        eta = self.bias + torch.einsum("tj,sij->tsi", h, self.weights(sample))
        f = torch.sigmoid(eta).clamp(1e-8, 1.0)
        return (x[:, None, :] * f.log() - f - lgam[:, None, :]).sum(-1)

    def log_prior(self):
        if self.kind == "gaussian":
            return torch.distributions.Normal(self.W_bar, 1 / 3).log_prob(self.W).sum()
        if self.kind == "onehot":
            tau = 0.2
            log_a = torch.log_softmax(self.psi, -1)
            log_alpha = torch.log_softmax(self.rho, -1)
            k = 3
            return (np.log(2.0) + (k - 1) * np.log(tau)
                    - k * torch.logsumexp(log_alpha - tau * log_a, -1)
                    + (log_alpha - (tau + 1) * log_a).sum(-1)).sum()
        return torch.zeros((), dtype=DTYPE)


def history(x):
    """h_t = Σ_k φ_k x_{t−k}, zero padded: one conv1d per sequence, as the reference precomputes."""
    xt = torch.tensor(x.T[:, None, :], dtype=DTYPE)  # N × 1 × T
    kernel = torch.tensor(PHI[::-1].copy(), dtype=DTYPE)[None, None, :]
    h = torch.nn.functional.conv1d(torch.nn.functional.pad(xt, (K, 0)), kernel)[:, 0, :-1]
    return h.T.contiguous()


def forward_backward(log_e, log_pi, log_p0):
    """Log-space forward–backward with a Python loop over bins (the reference's implementation style)."""
    T = log_e.shape[0]
    log_alpha = torch.empty_like(log_e)
    log_beta = torch.zeros_like(log_e)
    log_alpha[0] = log_p0 + log_e[0]
    for t in range(1, T):
        log_alpha[t] = torch.logsumexp(log_alpha[t - 1][:, None] + log_pi, 0) + log_e[t]
    for t in range(T - 2, -1, -1):
        log_beta[t] = torch.logsumexp(log_pi + (log_e[t + 1] + log_beta[t + 1])[None, :], 1)
    log_z = torch.logsumexp(log_alpha[-1], 0)
    gamma = (log_alpha + log_beta - log_z).exp()
    xi = (log_alpha[:-1, :, None] + log_pi[None] + (log_e[1:] + log_beta[1:])[:, None, :] - log_z).exp()
    return gamma, xi, log_z


def torch_epoch_seconds(kind, counts, sequences, repeats):
    """Seconds per epoch (extrapolated to all sequences) of every repeat."""
    torch.manual_seed(0)
    times = []
    for _ in range(repeats):
        model = Reference(kind, counts.mean(axis=(0, 1)))
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        start = time.process_time()
        for m in range(sequences):
            x = torch.tensor(counts[m], dtype=DTYPE)
            h = history(counts[m])
            lgam = torch.lgamma(x + 1)
            with torch.no_grad():
                gamma, xi, _ = forward_backward(model.log_emission(x, h, lgam, False), model.log_pi, model.log_p0)
                xi_sum = xi.sum(0)
            for _ in range(50):
                if kind == "gaussian":
                    with torch.no_grad():
                        model.W_bar = model.W.mean(0)
                optimizer.zero_grad()
                log_e = model.log_emission(x, h, lgam, kind == "onehot")
                loss = -(gamma * log_e).sum() - (xi_sum * model.log_pi).sum() - model.log_prior()
                loss.backward()
                optimizer.step()
                with torch.no_grad():
                    model.log_pi = torch.log_softmax(torch.clamp((xi_sum / xi_sum.sum(1, keepdim=True)).log(), min=-8), 1)
                    if kind == "onehot":
                        for p in (model.psi, model.rho):
                            bad = (torch.log_softmax(p, -1) < -20).any(-1)
                            p[bad] *= 0.5
        times.append((time.process_time() - start) / sequences * counts.shape[0])
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--swift", required=True)
    parser.add_argument("--output", default="docs/performance.md")
    parser.add_argument("--torch-sequences", type=int, default=3)
    parser.add_argument("--swift-sequences", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "counts.npy")
        subprocess.run([args.swift, "dump", "--out", path, "--train", "30"], check=True, env=env, stdout=subprocess.DEVNULL)
        counts = np.load(path)
    def swift_run(precision):
        return json.loads(subprocess.run(
            [args.swift, "bench", "--train", "30", "--measure", str(args.swift_sequences), "--repeats", str(args.repeats),
             "--precision", precision],
            check=True, env=env, capture_output=True, text=True).stdout)

    swift = swift_run("double")
    swift32 = swift_run("single")
    rows = []
    for kind in ("naive", "gaussian", "onehot"):
        reference = torch_epoch_seconds(kind, counts, args.torch_sequences, args.repeats)
        ours, ours32 = swift[kind + "_all"], swift32[kind + "_all"]
        objectives = (swift[kind + "_objective"], swift32[kind + "_objective"])
        rows.append((kind, reference, ours, ours32, objectives))
        for label, t in (("float64", ours), ("float32", ours32)):
            print(f"{kind}: PyTorch {min(reference):.2f}–{max(reference):.2f} s/epoch, NeuroSwift {label} {min(t):.3f}–{max(t):.3f} s/epoch, "
                  f"best ×{min(reference) / min(t):.1f}, range ×{min(reference) / max(t):.1f}–×{max(reference) / min(t):.1f}",
                  file=sys.stderr)
        print(f"{kind}: objective after the epoch float64 {objectives[0]:.3f}, float32 M-step {objectives[1]:.3f}", file=sys.stderr)
    lines = [
        f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} cores (shared with other jobs: figures are upper bounds), torch {torch.__version__}, one thread each.",
        "Times are process CPU seconds (single-threaded on both sides), not wall-clock, because the machine is shared.",
        "One EM epoch of the reference configuration: 30 sequences × (log-space forward–backward E-step + 50 Adam steps),",
        "S = 5, N = 20, K = 5, T = 2000 bins per sequence (the demo generator's counts, identical for both).",
        f"PyTorch time extrapolated from {args.torch_sequences} sequences, NeuroSwift measured on {args.swift_sequences} "
        "(the first epoch from the initial parameters, whose early posteriors are still diffuse);",
        f"{args.repeats} repeats each in one run (NeuroSwift first, then PyTorch): best and (in brackets) the range over repeats; the speed-up",
        "is best ÷ best, with the worst/best pairing of the repeats in brackets.",
        "NeuroSwift's M-step runs the fused CKernels pass (AVX2+FMA when available). The float64 column is NeuroSwift's",
        "default; the float32 column evaluates the M-step's likelihood terms in float32, the reference's own precision",
        "(`StateGLMFitOptions.singlePrecisionMStep`; sums still in double). Same schedule and optimiser (50 Adam steps) in",
        "both; the last columns give the objective after the epoch (log-likelihood + log-priors at the next E-step) of each.",
        "",
        "| prior | PyTorch (s / epoch) | NeuroSwift float64 (s / epoch) | speed-up | NeuroSwift float32 (s / epoch) | speed-up | objective float64 | objective float32 |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def cell(reference, t):
        return (f"{min(t):.3f} ({min(t):.3f}–{max(t):.3f}) | ×{min(reference) / min(t):.1f} "
                f"(×{min(reference) / max(t):.1f}–×{max(reference) / min(t):.1f})")

    for kind, reference, ours, ours32, objectives in rows:
        lines.append(
            f"| {kind} | {min(reference):.2f} ({min(reference):.2f}–{max(reference):.2f}) | {cell(reference, ours)} | {cell(reference, ours32)} "
            f"| {objectives[0]:.1f} | {objectives[1]:.1f} |")
    load = os.getloadavg()
    lines.append("")
    lines.append(f"Load average when the run ended: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min).")
    write_section(args.output, "stateglm", "HMM-GLM EM epoch (StateGLM vs the reference PyTorch configuration)", lines)


if __name__ == "__main__":
    main()
