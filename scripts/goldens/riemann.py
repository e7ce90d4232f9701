"""Goldens for the Riemannian toolkit (Sources/Decoding/Geometric/Riemannian) from pyRiemann,
scikit-learn and MNE: means, distances, tangent space, MDM and TS+LR probabilities on fixed SPD
matrices; OAS / Ledoit-Wolf covariances; CSP+LDA probabilities.

Run: python3 scripts/goldens/riemann.py  (writes Tests/NeuroCoreTests/Goldens/riemann.json)
"""
import json
import pathlib

import mne
import numpy as np
import pyriemann
import sklearn
from mne.decoding import CSP
from pyriemann.classification import MDM
from pyriemann.tangentspace import TangentSpace
from pyriemann.geometry.distance import distance_logeuclid, distance_riemann
from pyriemann.geometry.mean import mean_logeuclid, mean_riemann
from sklearn.covariance import ledoit_wolf, oas
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(20261123)
n = 4


def spd(scale):
    a = rng.normal(size=(n, n))
    return a @ a.T * scale + 0.3 * np.eye(n)


# Two classes: class "b" has an extra variance direction on channel 0.
train_labels = ["a", "b"] * 8
extra = np.zeros((n, n)); extra[0, 0] = 3.0
train = np.array([spd(0.5) + (extra if y == "b" else 0) for y in train_labels])
test_labels = ["a", "b", "b", "a", "b", "a"]
test = np.array([spd(0.5) + (extra if y == "b" else 0) for y in test_labels])

m_r = mean_riemann(train)
m_le = mean_logeuclid(train)
ts = TangentSpace(metric="riemann").fit(train)
t_train = ts.transform(train)
t_test = ts.transform(test)
mdm = MDM(metric="riemann").fit(train, np.array(train_labels))
lr = LogisticRegression(C=1.0, tol=1e-12, max_iter=100000).fit(t_train, np.array(train_labels))
mdm_le = MDM(metric="logeuclid").fit(train, np.array(train_labels))

# Three classes for the multinomial model.
labels3 = ["a", "b", "c"] * 6
extra1 = np.zeros((n, n)); extra1[1, 1] = 3.0
train3 = np.array([spd(0.5) + (extra if y == "b" else extra1 if y == "c" else 0) for y in labels3])
ts3 = TangentSpace(metric="riemann").fit(train3)
lr3 = LogisticRegression(C=0.5, tol=1e-12, max_iter=100000).fit(ts3.transform(train3), np.array(labels3))

# Covariance estimators on one channels x samples block (fewer samples than a comfortable margin).
x = rng.normal(size=(6, 20)) * np.array([[1], [2], [0.5], [1], [3], [1]]) + 0.1
x[1] += 0.8 * x[0]
lw_cov, lw_shrink = ledoit_wolf(x.T)
oas_cov, oas_shrink = oas(x.T)

# CSP + LDA on small two-class epochs (float32, as Epochs stores them).
trials, channels, samples = 24, 6, 64
mix = rng.normal(size=(channels, channels))
epochs = []
csp_labels = []
for t in range(trials):
    y = t % 2
    s = rng.normal(size=(channels, samples))
    s[y] *= 1.12
    epochs.append(mix @ s)
    csp_labels.append("left" if y == 0 else "right")
epochs = np.array(epochs, dtype=np.float32)
ep64 = epochs.astype(np.float64)
csp = CSP(n_components=4)
feats = csp.fit_transform(ep64, np.array(csp_labels))
lda = LinearDiscriminantAnalysis(solver="svd").fit(feats, csp_labels)
csp_proba = lda.predict_proba(feats)


def mat(a):
    return np.asarray(a).tolist()


out = {
    "versions": {"pyriemann": pyriemann.__version__, "sklearn": sklearn.__version__, "mne": mne.__version__,
                 "numpy": np.__version__},
    "train": [mat(a) for a in train], "trainLabels": train_labels,
    "test": [mat(a) for a in test], "testLabels": test_labels,
    "meanRiemann": mat(m_r), "meanLogEuclidean": mat(m_le),
    "distanceRiemann01": float(distance_riemann(train[0], train[1])),
    "distanceLogEuclidean01": float(distance_logeuclid(train[0], train[1])),
    "tangentTrain": mat(t_train), "tangentTest": mat(t_test),
    "mdmProbabilities": mat(mdm.predict_proba(test)),
    "mdmLogEuclideanProbabilities": mat(mdm_le.predict_proba(test)),
    "tslrProbabilities": mat(lr.predict_proba(t_test)),
    "tslrCoefficients": mat(lr.coef_), "tslrIntercept": mat(lr.intercept_),
    "train3": [mat(a) for a in train3], "labels3": labels3,
    "tslr3Probabilities": mat(lr3.predict_proba(ts3.transform(train3))),
    "covarianceData": mat(x),
    "ledoitWolf": mat(lw_cov), "ledoitWolfShrinkage": float(lw_shrink),
    "oas": mat(oas_cov), "oasShrinkage": float(oas_shrink),
    "cspEpochs": epochs.reshape(-1).astype(float).tolist(), "cspShape": [trials, channels, samples],
    "cspLabels": csp_labels, "cspComponents": 4, "cspLDAProbabilities": mat(csp_proba),
}
path = pathlib.Path(__file__).resolve().parents[2] / "Tests/NeuroCoreTests/Goldens/riemann.json"
path.write_text(json.dumps(out, indent=1))
print(f"wrote {path}")
