#!/usr/bin/env python3
"""Golden values for the Bayesian bi-clustering tests (Tests/ModelsTests/BiClusteringGoldens.swift).

ModelsTests has no resource bundle, so this script writes a Swift source file with the constants
(regenerate with `python3 scripts/goldens/bicluster_goldens.py`). Every value is computed here from
the closed forms with numpy/scipy, independently of the Swift code:

* MFM coefficients log V_n(t) (Miller & Harrison 2018), n = 30, gamma = 1, K ~ Geometric(0.2), by the
  series summed with mpmath at 50 digits; and n = 6 for the brute-force partition check.
* MNIW posterior (pybasicbayes' affine regression convention: K0 a column precision) on fixed data.
* Kalman filter + RTS smoother (covariance form) on a small switching linear-Gaussian system with a
  NaN observation: smoothed means and covariances.
* Laplace vs exact marginal: log of the integral over beta in R^2 of the NB likelihood times N(0, I),
  by 2-D Gauss-Hermite quadrature (exact to many digits), for a fixed small data set.
"""
import json, os, sys
import numpy as np
import scipy
import mpmath

mpmath.mp.dps = 50
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "ModelsTests", "BiClusteringGoldens.swift")


def log_v(n, t, gamma, r):
    total = mpmath.mpf(0)
    k = t
    while True:
        term = mpmath.exp(mpmath.loggamma(k + 1) - mpmath.loggamma(k - t + 1)
                          - (mpmath.loggamma(gamma * k + n) - mpmath.loggamma(gamma * k))
                          + mpmath.log(r) + (k - 1) * mpmath.log(1 - r))
        total += term
        if k > t + 20 and term < total * mpmath.mpf(10) ** -40:
            break
        k += 1
    return float(mpmath.log(total))


mfm30 = [log_v(30, t, 1.0, 0.2) for t in range(1, 8)]
mfm6 = [log_v(6, t, 1.0, 0.2) for t in range(1, 7)]

# MNIW posterior on fixed data: D = 2, n = 25 pairs.
rng = np.random.default_rng(2024)
D = 2
xs = np.zeros((26, D))
A_true = np.array([[0.9, 0.2], [-0.1, 0.8]])
for t in range(1, 26):
    xs[t] = A_true @ xs[t - 1] + np.array([0.3, -0.2]) + 0.1 * rng.standard_normal(D)
X = xs[1:]
U = np.hstack([xs[:-1], np.ones((25, 1))])
k0, s0, nu_off = 1.0, 0.01, 2.0
M0 = np.hstack([np.eye(D), np.zeros((D, 1))])
K0 = k0 * np.eye(D + 1)
Sxx, Sxu, Suu = X.T @ X, X.T @ U, U.T @ U
Kn = Suu + K0
Mn = (Sxu + M0 @ K0) @ np.linalg.inv(Kn)
Sn = s0 * np.eye(D) + Sxx + M0 @ K0 @ M0.T - Mn @ Kn @ Mn.T
nun = D + nu_off + 25

# Kalman/RTS on a switching system: D = 2, T = 12, two regimes, observations y_t = C x_t + noise (R diag).
T = 12
dyn = [
    (np.array([[0.95, 0.1], [-0.1, 0.95]]), np.array([0.05, 0.0]), np.array([[0.02, 0.005], [0.005, 0.03]])),
    (np.array([[0.5, 0.0], [0.2, 0.6]]), np.array([0.0, 0.1]), np.array([[0.05, 0.0], [0.0, 0.04]])),
]
states = [0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0]
C = np.array([[1.0, 0.5], [0.2, -1.0], [0.7, 0.7]])
Rdiag = np.array([0.3, 0.5, 0.2])
y = rng.standard_normal((T, 3))
y[4, 1] = np.nan
y[8, :] = np.nan
# Filter: x_{-1} ~ N(0, I), x_0 = b + A x_{-1} + e under regime states[0].
means_f, covs_f, means_p, covs_p = [], [], [], []
m, P = np.zeros(D), np.eye(D)
for t in range(T):
    A, b, Q = dyn[states[t]]
    mp, Pp = A @ m + b, A @ P @ A.T + Q
    means_p.append(mp); covs_p.append(Pp)
    obs = ~np.isnan(y[t])
    if obs.any():
        Ct, Rt = C[obs], np.diag(Rdiag[obs])
        S = Ct @ Pp @ Ct.T + Rt
        K = Pp @ Ct.T @ np.linalg.inv(S)
        m = mp + K @ (y[t, obs] - Ct @ mp)
        P = Pp - K @ Ct @ Pp
    else:
        m, P = mp, Pp
    means_f.append(m); covs_f.append(P)
ms, Ps = [None] * T, [None] * T
ms[-1], Ps[-1] = means_f[-1], covs_f[-1]
for t in range(T - 2, -1, -1):
    A = dyn[states[t + 1]][0]
    G = covs_f[t] @ A.T @ np.linalg.inv(covs_p[t + 1])
    ms[t] = means_f[t] + G @ (ms[t + 1] - means_p[t + 1])
    Ps[t] = covs_f[t] + G @ (Ps[t + 1] - covs_p[t + 1]) @ G.T

# Laplace marginal vs Gauss-Hermite quadrature: NB, p = 2, T = 60.
Tl = 60
xrows = rng.standard_normal((2, Tl))
xrows -= xrows.mean(axis=1, keepdims=True)
xrows /= np.linalg.norm(xrows, axis=1, keepdims=True)
offset = 0.3 + 0.2 * np.sin(np.arange(Tl) / 5.0)
beta_true = np.array([4.0, -3.0])
r_nb = 8.0
mu = np.exp(offset + beta_true @ xrows)
ycounts = rng.negative_binomial(r_nb, r_nb / (r_nb + mu)).astype(float)


def loglik(beta):
    eta = offset + beta @ xrows
    return float(np.sum(ycounts * eta - (ycounts + r_nb) * np.logaddexp(np.log(r_nb), eta)))


# Quadrature centred at the mode with the Laplace scale, 80 x 80 Gauss-Hermite nodes.
from scipy.optimize import minimize
obj = lambda b: -(loglik(b) - 0.5 * b @ b)
res = minimize(obj, np.zeros(2), method="BFGS", options={"gtol": 1e-10})
mode = res.x
eps = 1e-4
H = np.zeros((2, 2))
for i in range(2):
    for j in range(2):
        e_i, e_j = np.eye(2)[i] * eps, np.eye(2)[j] * eps
        H[i, j] = (obj(mode + e_i + e_j) - obj(mode + e_i - e_j) - obj(mode - e_i + e_j) + obj(mode - e_i - e_j)) / (4 * eps * eps)
L = np.linalg.cholesky(np.linalg.inv(H))
nodes, weights = np.polynomial.hermite.hermgauss(80)
vals = []
for a, wa in zip(nodes, weights):
    for c, wc in zip(nodes, weights):
        z = np.sqrt(2) * np.array([a, c])
        b = mode + L @ z
        # integrand / Gaussian kernel weight exp(-|z|^2/2) folded into Hermite weights
        vals.append(np.log(wa * wc) + (loglik(b) - 0.5 * b @ b) + 0.5 * z @ z)
vals = np.array(vals)
log_integral = np.log(2.0) + np.log(abs(np.linalg.det(L))) + (np.max(vals) + np.log(np.sum(np.exp(vals - np.max(vals))))) - np.log(2 * np.pi)
# log m = log ∫ exp(loglik(b)) N(b; 0, I) db; the factor 2 = (sqrt 2)^2 from the change of variables.

def arr(v):
    return "[" + ", ".join(repr(float(x)) for x in np.ravel(v)) + "]"

lines = [
    "// Generated by scripts/goldens/bicluster_goldens.py — do not edit by hand.",
    f"// numpy {np.__version__}, scipy {scipy.__version__}, mpmath {mpmath.__version__}, python {sys.version.split()[0]}",
    "",
    "enum BiClusteringGoldens {",
    f"    /// log V_30(t), t = 1…7, γ = 1, K ~ Geometric(0.2).",
    f"    static let mfmLogV30 = {arr(mfm30)}",
    f"    /// log V_6(t), t = 1…6.",
    f"    static let mfmLogV6 = {arr(mfm6)}",
    f"    static let mniwPrevious = {arr(xs[:-1])}",
    f"    static let mniwNext = {arr(X)}",
    f"    static let mniwMean = {arr(Mn)}",
    f"    static let mniwColumnPrecision = {arr(Kn)}",
    f"    static let mniwScale = {arr(Sn)}",
    f"    static let mniwDegrees = {float(nun)!r}",
    f"    static let kalmanStates = {list(states)}",
    f"    static let kalmanA = [{arr(dyn[0][0])}, {arr(dyn[1][0])}]",
    f"    static let kalmanB = [{arr(dyn[0][1])}, {arr(dyn[1][1])}]",
    f"    static let kalmanQ = [{arr(dyn[0][2])}, {arr(dyn[1][2])}]",
    f"    static let kalmanC = {arr(C)}",
    f"    static let kalmanR = {arr(Rdiag)}",
    f"    static let kalmanY: [Double] = {arr(y).replace('nan', '.nan')}",
    f"    static let smoothedMeans = {arr(np.array(ms))}",
    f"    static let smoothedCovariances = {arr(np.array(Ps))}",
    f"    static let laplaceRows = {arr(xrows)}",
    f"    static let laplaceOffset = {arr(offset)}",
    f"    static let laplaceCounts = {arr(ycounts)}",
    f"    static let laplaceDispersion = {r_nb!r}",
    f"    /// log ∫ NB(y | offset + βᵀx, r) N(β; 0, I) dβ by 80 × 80 Gauss–Hermite quadrature.",
    f"    static let laplaceExactLogMarginal = {float(log_integral)!r}",
    "}",
    "",
]
with open(OUT, "w") as f:
    f.write("\n".join(lines))
print("wrote", OUT)
print("log V_30:", [round(v, 4) for v in mfm30[:6]])
print("exact log marginal:", log_integral)
