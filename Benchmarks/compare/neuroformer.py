#!/usr/bin/python3
"""Neuroformer-mini training throughput: NeuroSwift (Decoding/Neuroformer) against the same architecture
in PyTorch on CPU, in one run.

Usage (from the repository root; `make bench` does this; needs Debian's python3-torch, so run it with
/usr/bin/python3):
    /usr/bin/python3 Benchmarks/compare/neuroformer.py --swift Benchmarks/.build/release/neuro-bench-neuroformer \
        --output docs/performance.md
The model (methods note §D1, the reference Neuroformer block): 32 neurons (ID vocabulary 35, offset
vocabulary 18), current / past blocks of 24 / 48 tokens, d 64, 4 heads; token embedding = shared ID
table + sinusoidal code of the offset + learned positions; 2 causal self-attention blocks, 2 cross-
attention blocks onto the raw past embeddings, 2 final causal blocks, each
h = q + MHA(LN1(q), kv, kv); h += MLP(LN2(h)); out = LN_f(h), MLP 4d GELU, dropout 0.1; bias-free ID and
offset heads; loss 0.75·(0.6·CE_id + 0.4·CE_dt) ignoring PAD; gradient clipping at 1; AdamW (0.9, 0.95),
decay 0.1 on Linear weights. One step on a batch of 64 windows. Throughput = 64 × 24 tokens / step time.
Both sides at 1 and 2 threads, alternating for several rounds (best of all rounds kept), each measurement
a fresh process.
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

N, T, TP, D, HEADS, BATCH, DROPOUT = 32, 24, 48, 64, 4, 64, 0.1
V_ID, V_DT = N + 3, 18


def torch_worker(threads, repeats, warmup):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2, self.lnf = torch.nn.LayerNorm(D), torch.nn.LayerNorm(D), torch.nn.LayerNorm(D)
            self.attn = torch.nn.MultiheadAttention(D, HEADS, dropout=DROPOUT, batch_first=True)
            self.mlp = torch.nn.Sequential(torch.nn.Linear(D, 4 * D), torch.nn.GELU(), torch.nn.Dropout(DROPOUT),
                                           torch.nn.Linear(4 * D, D))
            self.drop = torch.nn.Dropout(DROPOUT)

        def forward(self, q, kv, mask=None):
            h = q + self.drop(self.attn(self.ln1(q), kv, kv, attn_mask=mask, need_weights=False)[0])
            h = h + self.drop(self.mlp(self.ln2(h)))
            return self.lnf(h)

    def sinusoid(length):
        pe = torch.zeros(length, D)
        pos = torch.arange(length).float()[:, None]
        div = torch.pow(10000.0, -torch.arange(0, D, 2).float() / D)
        pe[:, 0::2], pe[:, 1::2] = torch.sin(pos * div), torch.cos(pos * div)
        return pe

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = torch.nn.Embedding(V_ID, D)
            self.register_buffer("dt_table", sinusoid(V_DT))
            self.pos = torch.nn.Parameter(torch.zeros(T, D))
            self.pos_past = torch.nn.Parameter(torch.zeros(TP, D))
            self.state = torch.nn.ModuleList([Block() for _ in range(2)])
            self.history = torch.nn.ModuleList([Block() for _ in range(2)])
            self.final = torch.nn.ModuleList([Block() for _ in range(2)])
            self.head_id = torch.nn.Linear(D, V_ID, bias=False)
            self.head_dt = torch.nn.Linear(D, V_DT, bias=False)
            self.drop = torch.nn.Dropout(DROPOUT)
            self.register_buffer("mask", torch.triu(torch.ones(T, T, dtype=torch.bool), 1))

        def forward(self, x_id, x_dt, p_id, p_dt):
            x = self.drop(self.tok(x_id) + self.dt_table[x_dt] + self.pos)
            p = self.drop(self.tok(p_id) + self.dt_table[p_dt] + self.pos_past)
            for b in self.state:
                x = b(x, x, self.mask)
            for b in self.history:
                x = b(x, p)
            for b in self.final:
                x = b(x, x, self.mask)
            return self.head_id(x), self.head_dt(x)

    model = Model().train()
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and not n.startswith(("tok", "pos"))]
    other = [p for n, p in model.named_parameters() if not (p.dim() == 2 and not n.startswith(("tok", "pos")))]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                                  lr=1e-3, betas=(0.9, 0.95))
    g = torch.Generator().manual_seed(1)
    # Windows shaped like the simulated data: ~8 spikes of 24 slots, then EOS and PAD.
    x_id = torch.full((BATCH, T + 1), N + 2)
    x_dt = torch.full((BATCH, T + 1), V_DT - 1)
    p_id = torch.full((BATCH, TP), N + 2)
    p_dt = torch.full((BATCH, TP), V_DT - 1)
    for b in range(BATCH):
        k = int(torch.randint(2, 16, (1,), generator=g))
        x_id[b, 0], x_dt[b, 0] = N, 0
        x_id[b, 1:k + 1] = torch.randint(0, N, (k,), generator=g)
        x_dt[b, 1:k + 1] = torch.sort(torch.randint(0, 5, (k,), generator=g)).values
        x_id[b, k + 1], x_dt[b, k + 1] = N + 1, V_DT - 2
        kp = int(torch.randint(10, 40, (1,), generator=g))
        p_id[b, 0], p_dt[b, 0] = N, 0
        p_id[b, 1:kp + 1] = torch.randint(0, N, (kp,), generator=g)
        p_dt[b, 1:kp + 1] = torch.sort(torch.randint(0, 15, (kp,), generator=g)).values
        p_id[b, kp + 1] = N + 1
    inputs = (x_id[:, :T], x_dt[:, :T], p_id, p_dt)
    y_id, y_dt = x_id[:, 1:].reshape(-1), x_dt[:, 1:].reshape(-1)

    def step():
        optimizer.zero_grad(set_to_none=True)
        li, ld = model(*inputs)
        loss = 0.75 * (0.6 * torch.nn.functional.cross_entropy(li.reshape(-1, V_ID), y_id, ignore_index=N + 2)
                       + 0.4 * torch.nn.functional.cross_entropy(ld.reshape(-1, V_DT), y_dt, ignore_index=V_DT - 1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss.item()

    fastest, least_cpu = best_step(step, repeats, warmup)
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"seconds": fastest, "cpuSeconds": least_cpu, "parameters": params, "torch": torch.__version__}))


def run_json(command, threads):
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=thread_environment(threads)).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swift", help="path to the neuro-bench-neuroformer binary")
    parser.add_argument("--output", help="markdown file to update")
    parser.add_argument("--torch-worker", type=int, metavar="THREADS", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    if args.torch_worker is not None:
        torch_worker(args.torch_worker, args.repeats, args.warmup)
        return
    if not args.swift or not args.output:
        parser.error("--swift and --output are required")
    swift, ref, swift_cpu, ref_cpu, loads, ratios = {}, {}, {}, {}, [], {1: [], 2: []}
    info = {}
    for _ in range(args.rounds):
        for threads in (1, 2):
            s = run_json([args.swift, "--repeats", str(args.repeats), "--warmup", str(args.warmup)], threads)
            t = run_json([sys.executable, __file__, "--torch-worker", str(threads), "--repeats", str(args.repeats),
                          "--warmup", str(args.warmup)], threads)
            info = {"swiftParameters": s["parameters"], "torchParameters": t["parameters"], "torch": t["torch"]}
            swift[threads] = min(s["seconds"], swift.get(threads, math.inf))
            ref[threads] = min(t["seconds"], ref.get(threads, math.inf))
            swift_cpu[threads] = min(s["cpuSeconds"], swift_cpu.get(threads, math.inf))
            ref_cpu[threads] = min(t["cpuSeconds"], ref_cpu.get(threads, math.inf))
            ratios[threads].append(t["seconds"] / s["seconds"])
            loads.append(os.getloadavg()[0])
            print(f"threads {threads}: NeuroSwift {s['seconds'] * 1e3:.1f} ms (CPU {s['cpuSeconds'] * 1e3:.1f}), "
                  f"PyTorch {t['seconds'] * 1e3:.1f} ms (CPU {t['cpuSeconds'] * 1e3:.1f}) (load {loads[-1]:.1f})", flush=True)
    tokens = BATCH * T
    rows = [f"| {n} | {swift[n] * 1e3:.1f} | {ref[n] * 1e3:.1f} | {tokens / swift[n]:,.0f} | {tokens / ref[n]:,.0f} | "
            f"{ref[n] / swift[n]:.2f} ({min(ratios[n]):.2f}–{max(ratios[n]):.2f}) | {swift_cpu[n] * 1e3:.1f} | {ref_cpu[n] * 1e3:.1f} |"
            for n in (1, 2)]
    write_section(args.output, "neuroformer", "Neuroformer-mini training throughput (Decoding vs PyTorch)", [
        f"Measured {datetime.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores. One training step "
        f"(forward, loss, backward, clip, AdamW) of Neuroformer-mini ({info['swiftParameters']:,} parameters in NeuroSwift, "
        f"{info['torchParameters']:,} in PyTorch: torch's MultiheadAttention packs the same Q/K/V/out weights) on a batch "
        f"of {BATCH} windows × {T} current tokens (+ {TP} past tokens), dropout {DROPOUT}. PyTorch {info['torch']} CPU; "
        f"best of {args.repeats} steps after {args.warmup} warm-up steps × {args.rounds} alternating rounds (ratio range "
        f"over rounds in brackets). Load average during the rounds: {min(loads):.1f}–{max(loads):.1f} (2 cores: above ~1 "
        f"other work shared the machine).",
        "",
        "| threads | NeuroSwift ms/step | PyTorch ms/step | NeuroSwift tokens/s | PyTorch tokens/s | speed ratio (×, >1 = NeuroSwift faster) | NeuroSwift CPU ms | PyTorch CPU ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
    ])


if __name__ == "__main__":
    main()
