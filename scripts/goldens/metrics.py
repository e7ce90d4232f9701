#!/usr/bin/env python3
"""Golden values for NeuroCore's Statistics, Metrics and LinearAssignment.

Generates fixed inputs (numpy default_rng with fixed seeds), evaluates numpy / scipy / scikit-learn
on them and writes inputs and outputs to Tests/NeuroCoreTests/Goldens/metrics.json, so the Swift tests
read both and never need Python. JSON has no NaN or infinity: every value written is finite, and
forbidden pairs in assignment costs are written as null (meaning +inf when minimising, -inf when
maximising). Cases whose answers are NaN or infinite are tested in Swift by their closed forms.

Run from the repository root:  python3 scripts/goldens/metrics.py
"""
import json
import math
import platform
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import scipy
import sklearn
from scipy.optimize import linear_sum_assignment
from scipy.special import log_softmax, logsumexp
from scipy.stats import pearsonr, zscore
from sklearn.metrics import (
    accuracy_score,
    adjusted_rand_score,
    balanced_accuracy_score,
    confusion_matrix,
    mutual_info_score,
    normalized_mutual_info_score,
    roc_auc_score,
)

OUT = Path(__file__).resolve().parents[2] / "Tests" / "NeuroCoreTests" / "Goldens" / "metrics.json"


def ints(a):
    return [int(v) for v in a]


def floats(a):
    out = [float(v) for v in np.ravel(a)]
    assert all(np.isfinite(out)), "JSON cannot hold non-finite values"
    return out


def rows(m):
    return [floats(r) for r in np.asarray(m)]


# MARK: clustering ------------------------------------------------------------------------------

def clustering_cases():
    rng = np.random.default_rng(20240101)
    cases = []

    def add(name, truth, pred):
        truth, pred = np.asarray(truth), np.asarray(pred)
        cases.append({
            "name": name,
            "truth": ints(truth),
            "predicted": ints(pred),
            "ari": float(adjusted_rand_score(truth, pred)),
            "nmi": float(normalized_mutual_info_score(truth, pred)),  # average_method="arithmetic"
            "mi": float(mutual_info_score(truth, pred)),
        })

    add("random n=10, 3 vs 3 clusters", rng.integers(0, 3, 10), rng.integers(0, 3, 10))
    add("random n=50, 4 vs 6 clusters", rng.integers(0, 4, 50), rng.integers(0, 6, 50))
    add("random n=200, 10 vs 5 clusters", rng.integers(0, 10, 200), rng.integers(0, 5, 200))
    add("random n=500, 20 vs 20 clusters", rng.integers(0, 20, 500), rng.integers(0, 20, 500))
    truth = rng.integers(0, 5, 300)
    noisy = truth.copy()
    flip = rng.random(300) < 0.2
    noisy[flip] = rng.integers(0, 5, flip.sum())
    add("n=300, 5 clusters, 20% relabelled at random", truth, noisy)
    truth = rng.integers(0, 8, 100)
    add("identical n=100, 8 clusters", truth, truth)
    perm = rng.permutation(8) + 10
    add("permuted names n=100, 8 clusters", truth, perm[truth])
    add("one cluster both n=20", np.zeros(20, int), np.full(20, 7))
    add("one cluster vs random 4 clusters n=30", np.zeros(30, int), rng.integers(0, 4, 30))
    add("all singletons both n=25", np.arange(25), rng.permutation(25))
    add("all singletons vs one cluster n=40", np.arange(40), np.zeros(40, int))
    add("all singletons vs random 7 clusters n=500", np.arange(500), rng.integers(0, 7, 500))
    add("split of a 2-cluster truth into 4 n=12", [0] * 6 + [1] * 6, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3])
    add("anti-correlated n=4 (ARI -0.5)", [0, 0, 1, 1], [0, 1, 0, 1])
    return cases


# MARK: ROC AUC ---------------------------------------------------------------------------------

def roc_cases():
    rng = np.random.default_rng(20240202)
    cases = []

    def add(name, labels, scores):
        labels, scores = np.asarray(labels), np.asarray(scores, dtype=float)
        cases.append({"name": name, "labels": ints(labels), "scores": floats(scores),
                      "auc": float(roc_auc_score(labels, scores))})

    y = rng.integers(0, 2, 100)
    add("random balanced n=100 with signal", y, rng.normal(size=100) + 0.8 * y)
    y = rng.integers(0, 2, 200)
    add("integer scores 0..4 (heavy ties) n=200", y, np.clip(np.round(rng.normal(2 + y, 1.2)), 0, 4))
    y = np.zeros(300, int)
    y[rng.choice(300, 5, replace=False)] = 1
    add("imbalanced 5 of 300 positive", y, rng.normal(size=300) + 1.5 * y)
    y = rng.integers(0, 2, 60)
    add("perfect separation n=60", y, y * 10 + rng.random(60))
    add("perfectly reversed n=60", y, -(y * 10 + rng.random(60)))
    add("all scores tied n=30", rng.permutation([0] * 12 + [1] * 18), np.full(30, 0.25))
    y = rng.integers(0, 2, 1000)
    add("n=1000, scores rounded to 0.1 (ties), imbalanced 70/30", (rng.random(1000) < 0.3).astype(int),
        np.round(rng.random(1000), 1))
    add("two samples, tied", [0, 1], [3.0, 3.0])
    return cases


def ovr_cases():
    rng = np.random.default_rng(20240303)
    cases = []

    def add(name, labels, probs):
        labels, probs = np.asarray(labels), np.asarray(probs, dtype=float)
        cases.append({"name": name, "labels": ints(labels), "scores": rows(probs),
                      "auc": float(roc_auc_score(labels, probs, multi_class="ovr", average="macro"))})

    y = rng.integers(0, 3, 150)
    add("3 classes n=150, Dirichlet probabilities", y, rng.dirichlet(np.ones(3), 150))
    y = rng.integers(0, 5, 300)
    logits = rng.normal(size=(300, 5))
    logits[np.arange(300), y] += 1.0
    add("5 classes n=300 with signal", y, np.exp(logits) / np.exp(logits).sum(1, keepdims=True))
    y = rng.integers(0, 4, 200)
    logits = rng.integers(0, 3, (200, 4)).astype(float)
    logits[np.arange(200), y] += 1.0
    add("4 classes n=200, discrete logits (many ties)", y,
        np.exp(logits) / np.exp(logits).sum(1, keepdims=True))
    y = np.array([0] * 80 + [1] * 15 + [2] * 5)
    rng.shuffle(y)
    logits = rng.normal(size=(100, 3))
    logits[np.arange(100), y] += 0.7
    add("3 imbalanced classes 80/15/5", y, np.exp(logits) / np.exp(logits).sum(1, keepdims=True))
    return cases


# MARK: classification ---------------------------------------------------------------------------

def classification_cases():
    rng = np.random.default_rng(20240404)
    cases = []

    def add(name, truth, pred, labels=None):
        truth, pred = np.asarray(truth), np.asarray(pred)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "y_pred contains classes not in y_true" is a tested case
            case = {
                "name": name,
                "truth": ints(truth),
                "predicted": ints(pred),
                "accuracy": float(accuracy_score(truth, pred)),
                "balancedAccuracy": float(balanced_accuracy_score(truth, pred)),
                "confusion": [ints(r) for r in confusion_matrix(truth, pred, labels=labels)],
            }
            present = np.unique(truth).size
            case["adjustedBalancedAccuracy"] = (
                float(balanced_accuracy_score(truth, pred, adjusted=True)) if present > 1 else None)
        case["labels"] = None if labels is None else ints(labels)
        cases.append(case)

    y = rng.integers(0, 4, 100)
    p = np.where(rng.random(100) < 0.6, y, rng.integers(0, 4, 100))
    add("4 classes n=100, 60% correct", y, p)
    y = np.array([0] * 70 + [1] * 20 + [2] * 10)
    add("imbalanced 70/20/10, always predicts class 0", y, np.zeros(100, int))
    y = rng.integers(0, 3, 50)
    p = np.where(rng.random(50) < 0.5, y, 3)  # class 3 never occurs in the truth
    add("prediction holds a class absent from the truth", y, p)
    y = rng.integers(0, 3, 60)
    p = np.where(rng.random(60) < 0.7, y, rng.integers(0, 3, 60))
    add("given label order [2, 0, 1]", y, p, labels=[2, 0, 1])
    add("given label subset [0, 2]", y, p, labels=[0, 2])
    add("given labels with one never seen [1, 5, 0]", y, p, labels=[1, 5, 0])
    add("perfect n=20", np.arange(20) % 4, np.arange(20) % 4)
    add("single true class", np.ones(10, int), rng.integers(0, 2, 10))
    return cases


def string_confusion_case():
    truth = ["cat", "dog", "dog", "bird", "cat", "cat", "bird", "dog"]
    pred = ["cat", "cat", "dog", "bird", "bird", "cat", "dog", "dog"]
    return {"truth": truth, "predicted": pred, "labels": sorted(set(truth) | set(pred)),
            "confusion": [ints(r) for r in confusion_matrix(truth, pred)],
            "balancedAccuracy": float(balanced_accuracy_score(truth, pred))}


# MARK: assignment -------------------------------------------------------------------------------

def assignment_cases():
    rng = np.random.default_rng(20240505)
    cases = []

    def add(name, cost, maximize=False):
        # Six decimals keep the JSON small; the costs stay continuous, so ties have probability ~0
        # and the optimal assignment is unique (the Swift test compares it as well as the total).
        cost = np.round(np.asarray(cost, dtype=float), 6)
        r, c = linear_sum_assignment(cost, maximize=maximize)
        forbidden = np.inf if not maximize else -np.inf
        cases.append({
            "name": name,
            "cost": [[None if v == forbidden else float(v) for v in row] for row in cost],
            "maximize": maximize,
            "rows": ints(r),
            "columns": ints(c),
            "totalCost": float(cost[r, c].sum()),
        })

    add("6x6 uniform", rng.random((6, 6)))
    add("10x10 uniform", rng.random((10, 10)))
    add("50x50 uniform", rng.random((50, 50)))
    add("100x100 normal (negative costs)", rng.normal(size=(100, 100)))
    add("5x8 wide", rng.random((5, 8)))
    add("8x5 tall", rng.random((8, 5)))
    add("30x12 tall, maximise", rng.random((30, 12)), maximize=True)
    add("12x40 wide, maximise", rng.normal(size=(12, 40)), maximize=True)
    add("1x7 single row", rng.random((1, 7)))
    add("large-magnitude costs 20x20 (1e6 scale)", 1e6 * rng.random((20, 20)))
    c = rng.random((8, 8))
    c[rng.random((8, 8)) < 0.35] = np.inf
    add("8x8 with forbidden pairs (+inf)", c)
    c = rng.random((6, 9))
    c[rng.random((6, 9)) < 0.3] = -np.inf
    add("6x9 maximise with forbidden pairs (-inf)", c, maximize=True)
    return cases


# MARK: descriptive statistics -------------------------------------------------------------------

def exact_zscores(x):
    """z-scores with an exactly rounded mean and variance (rational arithmetic).

    scipy's zscore subtracts numpy's float mean, which for 1e9 + N(0, 1) is one ulp (1.2e-7) off, so
    its z-scores carry errors ~1e-7; the Swift code refines the mean and is compared with these exact
    values at 1e-12, and with scipy's at scipy's own rounding level.
    """
    xs = [Fraction(float(v)) for v in x]
    mean = sum(xs) / len(xs)
    sd = math.sqrt(sum((v - mean) ** 2 for v in xs) / len(xs))
    return [float(v - mean) / sd for v in xs]


def descriptive_cases():
    rng = np.random.default_rng(20240606)
    cases = []

    def add(name, x):
        x = np.asarray(x, dtype=float)
        cases.append({
            "name": name, "x": floats(x),
            "mean": float(np.mean(x)),
            "variance": float(np.var(x)),             # ddof=0
            "sampleVariance": float(np.var(x, ddof=1)),
            "standardDeviation": float(np.std(x)),
            "zScores": floats(exact_zscores(x)),
            "zScoresScipy": floats(zscore(x)),        # ddof=0
        })

    add("normal n=1000", rng.normal(3, 2, 1000))
    add("offset 1e9 + N(0, 1) n=500", 1e9 + rng.normal(size=500))
    add("exponential n=37", rng.exponential(5, 37))
    add("two values", [1.5, -2.25])
    return cases


def pearson_cases():
    rng = np.random.default_rng(20240707)
    cases = []

    def add(name, x, y):
        x, y = np.asarray(x, float), np.asarray(y, float)
        cases.append({"name": name, "x": floats(x), "y": floats(y), "r": float(pearsonr(x, y).statistic)})

    x = rng.normal(size=10)
    add("n=10 independent", x, rng.normal(size=10))
    x = rng.normal(size=100)
    add("n=100 r≈0.8", x, 0.8 * x + 0.6 * rng.normal(size=100))
    x = rng.normal(size=1000)
    add("n=1000 negative", x, -0.5 * x + rng.normal(size=1000))
    x = rng.normal(size=300)
    add("offset 1e6, n=300", 1e6 + x, 2e6 + x + 0.3 * rng.normal(size=300))
    add("exactly linear n=5", [1, 2, 3, 4, 5], [3, 5, 7, 9, 11])
    add("two points", [0.0, 1.0], [5.0, -1.0])
    return cases


def covariance_cases():
    rng = np.random.default_rng(20240808)
    cases = []

    def add(name, data):
        data = np.asarray(data, float)
        cases.append({"name": name, "data": rows(data),
                      # numpy returns 0-d arrays for a single variable; keep the p x p shape.
                      "covariance": rows(np.atleast_2d(np.cov(data, rowvar=False))),
                      "correlation": rows(np.atleast_2d(np.corrcoef(data, rowvar=False)))})

    add("10x3 normal", rng.normal(size=(10, 3)))
    mixing = rng.normal(size=(7, 7))
    add("200x7 correlated with offsets", rng.normal(size=(200, 7)) @ mixing + np.arange(7) * 100)
    add("2x4 (two observations)", rng.normal(size=(2, 4)))
    add("500x1 single variable", rng.exponential(size=(500, 1)))
    return cases


def logsumexp_cases():
    rng = np.random.default_rng(20240909)
    cases = []

    def add(name, x):
        x = np.asarray(x, float)
        cases.append({"name": name, "x": floats(x), "value": float(logsumexp(x)),
                      "logSoftmax": floats(log_softmax(x))})

    add("normal x 10, n=50", 10 * rng.normal(size=50))
    add("around +1000, n=20", 1000 + rng.normal(size=20))
    add("around -1000, n=20", -1000 + rng.normal(size=20))
    add("one dominating entry", [0.0, -40.0, -50.0, -60.0])
    add("single entry", [3.5])
    add("wide range", [-700.0, 0.0, 700.0, 699.0])
    return cases


def main():
    goldens = {
        "generator": "scripts/goldens/metrics.py",
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "scipy": scipy.__version__, "scikit-learn": sklearn.__version__},
        "clustering": clustering_cases(),
        "roc": roc_cases(),
        "rocOneVsRest": ovr_cases(),
        "classification": classification_cases(),
        "stringConfusion": string_confusion_case(),
        "assignment": assignment_cases(),
        "descriptive": descriptive_cases(),
        "pearson": pearson_cases(),
        "covariance": covariance_cases(),
        "logSumExp": logsumexp_cases(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # repr-exact floats: json writes the shortest string that round-trips each double.
    OUT.write_text(json.dumps(goldens, allow_nan=False, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
