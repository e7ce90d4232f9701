#!/usr/bin/python3
"""Du-IN training steps: NeuroSwift against PyTorch on CPU, same architecture, in one run.

Usage (from the repository root; `make bench` does this), with the interpreter that has torch:
    /usr/bin/python3 Benchmarks/compare/duin.py --swift Benchmarks/.build/release/neuro-bench-duin \
        --output docs/performance.md
Du-IN-mini (methods note §D2): 10 channels at 250 Hz; per-subject 1×1 spatial mix 10 → 16; 100 ms
patches (25 samples) through Conv1d(16→32, k9, s5)+BN → Conv1d(32→32, k3)+BN → Conv1d(32→16, k3)+BN
(no nonlinearity), flattened time-major to d = 80; fixed sin/cos positions; 4 post-LN blocks with
QK-LayerNorm attention (4 heads × 32) and ReLU FFN 160; dropout 0.
  VQ-VAE step: 4 s crops (40 patches) → tanh pre-projection → ℓ2-normalised 32-d vectors → cosine
  codebook 512 × 32 (straight-through, commitment β = 1, EMA update) → LayerNorm → Linear → 2 regressor
  blocks → ConvTranspose1d stack 80 → 64 → 64 → 16 (kernels 3 / 5 / 9, strides 1 / 5 / 5, paddings 1 / 0 / 2;
  40 tokens → 1000 samples) → Linear(16→16) → Linear(16→10) → MSE, plus the spectral
  target: per-token Linear(80 → 10·13) against each patch's log-amplitude spectrum per channel
  (rfft of the 25 samples, log(0.05 + |X|/5), standardised per channel and bin over the batch) → MSE.
  MAE step: two complementary masked passes (ratio 0.5) of the encoder → Linear(80 → 512) → CE on codes.
  Classifier step: 3 s epochs (30 patches) → encoder → flatten 2400 → 128 → ReLU → 20 classes → CE.
Batch 32, AdamW. Both sides at 1 thread (torch.set_num_threads(1), OPENBLAS_NUM_THREADS=1); best of N
wall-clock steps after warm-up and the least process CPU time of a step; the two sides alternate for
several rounds in fresh processes and the best of all rounds is kept. The table replaces the section
between this script's markers in the output file.
"""
import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys

from report import best_step, thread_environment, write_section  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

C, FS, PATCH, S, HIDDEN, K, STRIDE = 10, 250, 25, 16, 32, 9, 5
STEPS = (PATCH + 2 * (K // 2) - K) // STRIDE + 1
D = STEPS * S
LAYERS, HEADS, INNER, FFN, DECODER, UPSAMPLE = 4, 4, 128, 160, 2, 64
CODES, CODE_DIM, CLASSES = 512, 32, 20
CROP, EPOCH = 40, 30
BINS = PATCH // 2 + 1


def sincos(length, d):
    pe = torch.zeros(length, d)
    for p in range(length):
        for j in range(d):
            f = 10000 ** (-(j - j % 2) / d)
            pe[p, j] = math.sin(p * f) if j % 2 == 0 else math.cos(p * f)
    return pe


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = torch.nn.Linear(D, 3 * INNER)
        self.qn, self.kn = torch.nn.LayerNorm(INNER // HEADS), torch.nn.LayerNorm(INNER // HEADS)
        self.out = torch.nn.Linear(INNER, D)
        self.n1, self.n2 = torch.nn.LayerNorm(D), torch.nn.LayerNorm(D)
        self.f1, self.f2 = torch.nn.Linear(D, FFN), torch.nn.Linear(FFN, D)

    def forward(self, x):
        b, t, _ = x.shape
        q, k, v = self.qkv(x).split(INNER, dim=-1)
        q = self.qn(q.reshape(b, t, HEADS, -1)).transpose(1, 2)
        k = self.kn(k.reshape(b, t, HEADS, -1)).transpose(1, 2)
        v = v.reshape(b, t, HEADS, -1).transpose(1, 2)
        w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(INNER // HEADS), dim=-1)
        a = (w @ v).transpose(1, 2).reshape(b, t, INNER)
        x = self.n1(x + self.out(a))
        return self.n2(x + self.f2(torch.relu(self.f1(x))))


class Encoder(torch.nn.Module):
    def __init__(self, layers=LAYERS):
        super().__init__()
        self.spatial = torch.nn.Conv1d(C, S, 1)
        self.tok = torch.nn.Sequential(
            torch.nn.Conv1d(S, HIDDEN, K, STRIDE, K // 2), torch.nn.BatchNorm1d(HIDDEN),
            torch.nn.Conv1d(HIDDEN, HIDDEN, 3, 1, 1), torch.nn.BatchNorm1d(HIDDEN),
            torch.nn.Conv1d(HIDDEN, S, 3, 1, 1), torch.nn.BatchNorm1d(S))
        self.blocks = torch.nn.ModuleList([Block() for _ in range(layers)])
        self.register_buffer("pe", sincos(64, D))

    def tokens(self, x):
        b, _, t = x.shape
        m = t // PATCH
        z = self.spatial(x).reshape(b, S, m, PATCH).permute(0, 2, 1, 3).reshape(b * m, S, PATCH)
        return self.tok(z).permute(0, 2, 1).reshape(b, m, D)

    def transform(self, h):
        h = h + self.pe[: h.shape[1]]
        for block in self.blocks:
            h = block(h)
        return h

    def forward(self, x):
        return self.transform(self.tokens(x))


class VQVAE(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.pre1, self.pre2 = torch.nn.Linear(D, D), torch.nn.Linear(D, CODE_DIM)
        self.register_buffer("codebook", F.normalize(torch.randn(CODES, CODE_DIM), dim=-1))
        self.post_norm, self.post = torch.nn.LayerNorm(CODE_DIM), torch.nn.Linear(CODE_DIM, D)
        self.regressor = Encoder(DECODER).blocks
        self.register_buffer("pe", sincos(64, D))
        self.head = torch.nn.Sequential(  # methods note §D2; no activations, as the reference TimeRGSHead
            torch.nn.ConvTranspose1d(D, UPSAMPLE, 3, 1, 1), torch.nn.ConvTranspose1d(UPSAMPLE, UPSAMPLE, 5, 5, 0),
            torch.nn.ConvTranspose1d(UPSAMPLE, S, 9, 5, 2))
        self.mix, self.demix = torch.nn.Linear(S, S), torch.nn.Linear(S, C)
        self.spectral = torch.nn.Linear(D, C * BINS)

    def forward(self, x):
        b, _, t = x.shape
        u = F.normalize(self.pre2(torch.tanh(self.pre1(self.encoder(x)))), dim=-1)
        flat = u.reshape(-1, CODE_DIM)
        idx = (flat @ self.codebook.t()).argmax(dim=-1)
        q = self.codebook[idx].reshape(u.shape)
        commit = F.mse_loss(u, q.detach())
        with torch.no_grad():  # EMA on the sphere
            counts = torch.bincount(idx, minlength=CODES).float()
            sums = torch.zeros(CODES, CODE_DIM).index_add_(0, idx, flat.detach())
            used = counts > 0
            means = F.normalize(sums, dim=-1)
            self.codebook[used] = F.normalize(0.99 * self.codebook[used] + 0.01 * means[used], dim=-1)
        h = self.post(self.post_norm(u + (q - u).detach())) + self.pe[: u.shape[1]]
        for block in self.regressor:
            h = block(h)
        y = self.demix(self.mix(self.head(h.permute(0, 2, 1)).permute(0, 2, 1))).permute(0, 2, 1)
        with torch.no_grad():  # standardised log-amplitude spectra, [b, M, C·bins]
            m = t // PATCH
            amp = torch.fft.rfft(x.reshape(b, C, m, PATCH), dim=-1).abs() / math.sqrt(PATCH)
            spec = torch.log(0.05 + amp).permute(0, 2, 1, 3).reshape(b * m, C * BINS)
            spec = (spec - spec.mean(0)) / spec.std(0, unbiased=False).clamp_min(1e-4)
        spectral = F.mse_loss(self.spectral(h), spec.reshape(b, m, C * BINS))
        return F.mse_loss(y, x) + spectral + commit, idx


class MAE(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.mask = torch.nn.Parameter(torch.ones(D))
        self.head = torch.nn.Linear(D, CODES)

    def forward(self, x, mask, targets):
        tokens = self.encoder.tokens(x)
        m = mask.unsqueeze(-1).float()
        h1 = self.encoder.transform(tokens * (1 - m) + self.mask * m)
        h2 = self.encoder.transform(tokens * m + self.mask * (1 - m))
        return F.cross_entropy(self.head(h1 * m + h2 * (1 - m)).reshape(-1, CODES), targets)


class Classifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.hidden, self.out = torch.nn.Linear(EPOCH * D, 128), torch.nn.Linear(128, CLASSES)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(self.encoder(x).reshape(x.shape[0], -1))))



def torch_worker(threads, repeats, warmup, batch):
    torch.set_num_threads(threads)
    torch.manual_seed(3)
    x4, x3 = torch.randn(batch, C, CROP * PATCH), torch.randn(batch, C, EPOCH * PATCH)
    labels = torch.arange(batch) % CLASSES
    vq = VQVAE().train()
    opt = torch.optim.AdamW(vq.parameters(), lr=3e-4, weight_decay=0.01)
    state = {}

    def vq_step():
        opt.zero_grad(set_to_none=True)
        loss, idx = vq(x4)
        loss.backward()
        opt.step()
        state["targets"] = idx
    out = {"vqvae": best_step(vq_step, repeats, warmup)}
    mae = MAE().train()
    opt2 = torch.optim.AdamW(mae.parameters(), lr=3e-4, weight_decay=0.05)
    mask = torch.zeros(batch, CROP, dtype=torch.bool)
    for b in range(batch):
        mask[b, torch.randperm(CROP)[: CROP // 2]] = True

    def mae_step():
        opt2.zero_grad(set_to_none=True)
        loss = mae(x4, mask, state["targets"])
        loss.backward()
        opt2.step()
    out["mae"] = best_step(mae_step, repeats, warmup)
    cls = Classifier().train()
    opt3 = torch.optim.AdamW(cls.parameters(), lr=2e-4, weight_decay=0.05)

    def cls_step():
        opt3.zero_grad(set_to_none=True)
        loss = F.cross_entropy(cls(x3), labels)
        loss.backward()
        opt3.step()
    out["classifier"] = best_step(cls_step, repeats, warmup)
    out["parameters"] = {"vqvae": sum(p.numel() for p in vq.parameters()), "mae": sum(p.numel() for p in mae.parameters()),
                         "classifier": sum(p.numel() for p in cls.parameters())}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swift", help="path to the neuro-bench-duin binary")
    parser.add_argument("--output", help="markdown file to update")
    parser.add_argument("--torch-worker", type=int, metavar="THREADS", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.torch_worker is not None:
        print(json.dumps(torch_worker(args.torch_worker, args.repeats, args.warmup, args.batch)))
        return
    if not args.swift or not args.output:
        parser.error("--swift and --output are required")
    stages = ["vqvae", "mae", "classifier"]
    best = {side: {s: [float("inf"), float("inf")] for s in stages} for side in ("swift", "torch")}
    ratios, loads, params = {s: [] for s in stages}, [], {}
    for _ in range(args.rounds):
        sw = json.loads(subprocess.run([args.swift, "steps", "--repeats", str(args.repeats), "--warmup", str(args.warmup),
                                        "--batch", str(args.batch)], check=True, capture_output=True, text=True,
                                       env=thread_environment(args.threads)).stdout)
        tw = json.loads(subprocess.run([sys.executable, __file__, "--torch-worker", str(args.threads), "--repeats",
                                        str(args.repeats), "--warmup", str(args.warmup), "--batch", str(args.batch)],
                                       check=True, capture_output=True, text=True, env=thread_environment(args.threads)).stdout.strip().splitlines()[-1])
        params = {"swift": sw["parameters"], "torch": tw["parameters"]}
        loads.append(os.getloadavg()[0])
        for s in stages:
            best["swift"][s] = [min(best["swift"][s][0], sw[s]["seconds"]), min(best["swift"][s][1], sw[s]["cpuSeconds"])]
            best["torch"][s] = [min(best["torch"][s][0], tw[s][0]), min(best["torch"][s][1], tw[s][1])]
            ratios[s].append(tw[s][0] / sw[s]["seconds"])
            print(f"{s}: NeuroSwift {sw[s]['seconds'] * 1e3:.1f} ms (CPU {sw[s]['cpuSeconds'] * 1e3:.1f}), "
                  f"PyTorch {tw[s][0] * 1e3:.1f} ms (CPU {tw[s][1] * 1e3:.1f}) (load {loads[-1]:.1f})", flush=True)
    rows = []
    for s in stages:
        (sw_wall, sw_cpu), (t_wall, t_cpu) = best["swift"][s], best["torch"][s]
        rows.append(f"| {s} | {params['swift'][s]:,} / {params['torch'][s]:,} | {sw_wall * 1e3:,.1f} | {t_wall * 1e3:,.1f} | "
                    f"{t_wall / sw_wall:.2f} ({min(ratios[s]):.2f}–{max(ratios[s]):.2f}) | {sw_cpu * 1e3:,.1f} | {t_cpu * 1e3:,.1f} | "
                    f"{t_cpu / sw_cpu:.2f} |")
    section = write_section(args.output, "duin", "Du-IN training steps (NeuroSwift vs PyTorch)", [
        f"Measured {datetime.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, {args.threads} thread(s) "
        f"per side, load average {min(loads):.1f}–{max(loads):.1f} (shared machine: wall times are noisy, CPU times less so). "
        f"Du-IN-mini (10 channels, 250 Hz, d = {D}, {LAYERS} post-LN QK-norm blocks, codebook {CODES} × {CODE_DIM}), batch "
        f"{args.batch}; one step = zero grads, forward, backward, AdamW. Best of {args.repeats} steps × {args.rounds} alternating "
        f"rounds; PyTorch {torch.__version__}. Ratio > 1: NeuroSwift faster (spread over rounds in brackets).",
        "",
        "| stage | parameters (NeuroSwift / PyTorch) | NeuroSwift ms | PyTorch ms | wall ratio | NeuroSwift CPU ms | PyTorch CPU ms | CPU ratio |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
    ])
    print(section)


if __name__ == "__main__":
    main()
