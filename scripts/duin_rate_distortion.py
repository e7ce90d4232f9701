#!/usr/bin/env python3
"""Du-IN criterion 3a (held-out reconstruction R² >= 0.5) against information theory.

The simulator's background (DuINSimulation: per channel a sum of five AR(1) processes with time
constants 2 ms ... 1 s, equal variance, independent across channels) is Gaussian, so its rate-distortion
function is known: reverse water-filling over the eigenvalues of a 4 s crop's covariance (1000 samples
at 250 Hz per channel, 10 channels). A VQ-VAE with 512 codes sends log2(512) = 9 bits per 100 ms patch,
i.e. 360 bits per 40-patch crop; no decoder, however good, can beat the R² printed for that rate.
The word-related components of channels 0-5 (a high-gamma carrier, itself random, and a small evoked
wave) only add variance that costs further bits. Usage: python3 scripts/duin_rate_distortion.py
"""
import numpy as np
fs, n, channels = 250.0, 1000, 10
taus = [0.002, 0.01, 0.05, 0.2, 1.0]
lag = np.arange(n)
acov = sum((1 / len(taus)) * np.exp(-1 / (t * fs)) ** lag for t in taus)  # unit variance, sum of AR(1)
acov = acov.copy(); acov[0] += 0.0  # (line noise 0.1 amplitude adds 0.005 variance; ignored)
cov = acov[np.abs(lag[:, None] - lag[None, :])]
ev = np.sort(np.linalg.eigvalsh(cov))[::-1]
ev = np.clip(ev, 0, None)
total_var = ev.sum()
def best_r2(bits_total):
    # reverse water-filling: D_i = min(theta, ev_i); R = sum 0.5 log2(ev_i / D_i)
    lo, hi = 1e-12, ev.max()
    for _ in range(200):
        th = np.sqrt(lo * hi)
        R = 0.5 * np.log2(np.maximum(ev / th, 1)).sum()
        if R > bits_total: lo = th
        else: hi = th
    D = np.minimum(ev, hi).sum()
    return 1 - D / total_var
for bits_per_patch in [9, 18, 45, 90]:
    per_channel_bits = bits_per_patch * 40 / channels  # the crop's bits shared by 10 independent channels
    print(f"{bits_per_patch:3d} bits/patch: best R² {best_r2(per_channel_bits):.3f}")
