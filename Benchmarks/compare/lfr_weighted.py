"""Weighted undirected LFR benchmark graphs (Lancichinetti & Fortunato, Phys. Rev. E 80, 016118, 2009),
written from the algorithm in the paper for the SBM comparison (Benchmarks/compare/sbm.py).

The methods note's graphs come from the C++ generator `lfrbench_udwov`, which is not packaged (and no
weighted LFR is on PyPI), so this module follows the same steps; its random numbers differ, so a seed
gives a different graph than the C++ program but one from the same distribution:

1. Degrees: a discrete power law p(k) ∝ k^−τ1 on [k_min, k_max], with k_min the integer whose discrete
   mean is closest to the requested mean degree ⟨k⟩ (found from the continuous solution); sum made even.
2. Internal degree of node i: (1 − μt) k_i, rounded up with probability equal to its fraction.
3. Community sizes (range [max(k_min, 3), k_max] unless given): the first community has the largest
   internal degree + 1 nodes (so the highest-degree node fits somewhere), then sizes are drawn from
   p(n) ∝ n^−τ2 while the next draw still fits into N; the smallest community absorbs the remainder.
   A first draw that does not fit stops the sequence, which is how LFR ends up with one community
   for some seeds at N = 125 (the note skips those graphs, and so does the comparison).
4. Membership: nodes from the highest internal degree down, each into a random community that still
   has room and is larger than its internal degree (sizes re-drawn if that gets stuck).
5. Wiring: inside each community a configuration model on the internal degrees (parity fixed by
   moving one stub to the external side), outside one on the external degrees between different
   communities; self-loops, multi-edges and (outside) same-community pairs are removed by random
   double-edge swaps. As in LFR, an external pair that cannot be swapped out of its community is
   kept (so μt comes out below the target when one community holds most nodes), and a self-loop or
   repeated pair that cannot be swapped away is dropped.
6. Weights: strength s_i = k_i^β split into a wished internal part (1 − μw) s_i and external part
   μw s_i. All weights start at 0; sweeps over the nodes (i) spread node i's unassigned strength
   equally over its edges, then (ii) move node i's internal-strength excess (or deficit) from its
   internal edges to its external ones, each change skipped where it would make a weight ≤ 0, until
   the total squared mismatch Σ_i (in_i − wished)² + (out_i − wished)² + (idle_i)² improves by less
   than 1 % in a sweep (or falls below 10⁻⁹ (Σ s_i)²), the paper's strength-fitting procedure.
"""
import numpy as np


def _discrete_powerlaw(lo, hi, exponent):
    values = np.arange(lo, hi + 1)
    p = values.astype(float) ** (-exponent)
    return values, p / p.sum()


def _min_degree(mean_k, max_k, tau):
    """Integer k_min whose discrete power-law mean on [k_min, max_k] is closest to mean_k."""
    def mean(lo):
        v, p = _discrete_powerlaw(lo, max_k, tau)
        return float((v * p).sum())
    best = min(range(1, max_k + 1), key=lambda lo: abs(mean(lo) - mean_k))
    return best


def _sample(rng, values, p, size=None):
    return values[rng.choice(len(values), size=size, p=p)]


def _configuration(rng, stubs_of, forbid=None, keep_forbidden=False):
    """Simple graph from a stub list: random matching, then random double-edge swaps that remove
    self-loops, repeats and forbidden pairs; a pair that finds no valid swap in 200 tries is dropped,
    except that with `keep_forbidden` a forbidden (same-community) pair is kept as an edge."""
    stubs = np.repeat(np.arange(len(stubs_of)), stubs_of)
    rng.shuffle(stubs)
    if len(stubs) % 2:
        stubs = stubs[:-1]
    pairs = [tuple(sorted(p)) for p in stubs.reshape(-1, 2).tolist()]
    def bad(a, b):
        return a == b or (forbid is not None and forbid(a, b))
    edges, seen, pending = [], set(), []
    for a, b in pairs:
        if bad(a, b) or (a, b) in seen:
            pending.append((a, b))
        else:
            seen.add((a, b)); edges.append((a, b))
    for a, b in pending:
        placed = False
        for _ in range(200):
            if not edges:
                break
            k = int(rng.integers(len(edges)))
            c, d = edges[k]
            if rng.uniform() < 0.5:
                c, d = d, c
            e1, e2 = tuple(sorted((a, c))), tuple(sorted((b, d)))
            if bad(*e1) or bad(*e2) or e1 == e2 or e1 in seen or e2 in seen:
                continue
            seen.discard(edges[k]); edges[k] = e1; seen.add(e1)
            seen.add(e2); edges.append(e2)
            placed = True
            break
        if not placed and a != b and (a, b) not in seen and keep_forbidden:
            seen.add((a, b)); edges.append((a, b))  # LFR keeps an external link it cannot move out
        # otherwise dropped, as LFR does when rewiring fails ("one less link")
    return edges


def _memberships(rng, internal, sizes):
    """Community of each node: highest internal degree first, each into a random community with room
    that is larger than its internal degree; None when that gets stuck."""
    room = list(sizes)
    label = np.full(len(internal), -1)
    for i in np.argsort(-internal, kind="stable"):
        fits = [c for c in range(len(sizes)) if room[c] > 0 and sizes[c] > internal[i]]
        if not fits:
            return None
        c = fits[int(rng.integers(len(fits)))]
        label[i] = c
        room[c] -= 1
    return label


def _weights(edges, degree, label, beta, muw, max_sweeps=1000):
    """LFR strength fitting (step 6 of the module docstring), one node at a time as the paper does."""
    n = len(degree)
    a = np.array([e[0] for e in edges]); b = np.array([e[1] for e in edges])
    internal = label[a] == label[b]
    weight = np.zeros(len(edges))
    incident = [[] for _ in range(n)]
    for k, (u, v) in enumerate(edges):
        incident[u].append(k); incident[v].append(k)
    incident = [np.array(x, dtype=int) for x in incident]
    other = [np.where(a[x] == i, b[x], a[x]) for i, x in enumerate(incident)]
    strength = np.array([float(len(x)) ** beta for x in incident])
    wished = np.stack([(1 - muw) * strength, muw * strength], axis=1)
    factual = np.zeros((n, 3))  # internal, external, idle strength
    factual[:, 2] = strength

    def move(i, ks, js, delta, slots):
        """Adds delta[m] to edge ks[m] (between i and js[m]); slot 0 internal, 1 external."""
        weight[ks] += delta
        np.add.at(factual, (js, slots), delta)
        np.add.at(factual[:, 2], js, -delta)
        np.add.at(factual[i], slots, delta)
        factual[i, 2] -= delta.sum()

    def total():
        return float(((factual[:, :2] - wished) ** 2).sum() + (factual[:, 2] ** 2).sum())

    current = total()
    floor = 1e-9 * strength.sum() ** 2
    for _ in range(max_sweeps):
        before = current
        for i in range(n):
            ks, js = incident[i], other[i]
            if len(ks) == 0:
                continue
            slots = np.where(internal[ks], 0, 1)
            spread = factual[i, 2] / len(ks)
            ok = weight[ks] + spread > 0
            move(i, ks[ok], js[ok], np.full(ok.sum(), spread), slots[ok])
            k_in = int(internal[ks].sum()); k_out = len(ks) - k_in
            if k_in > 0:
                excess = factual[i, 0] - wished[i, 0]
                delta = np.where(internal[ks], -excess / k_in, excess / max(k_out, 1))
                ok = (weight[ks] + delta > 0) & (internal[ks] | (k_out > 0))
                move(i, ks[ok], js[ok], delta[ok], slots[ok])
        current = total()
        if current < floor or (before - current) / before < 1e-2:
            break
    return [(int(u), int(v), float(w)) for u, v, w in zip(a, b, weight)]


def lfr_weighted(n, mean_k, max_k, tau1, tau2, mut, muw, beta, seed, min_c=None, max_c=None):
    """(edges [(i, j, w)] with i < j, community labels per node), or None when LFR gives one community."""
    rng = np.random.default_rng(seed)
    k_min = _min_degree(mean_k, max_k, tau1)
    n_min = min_c if min_c is not None else max(k_min, 3)
    n_max = max_c if max_c is not None else max_k
    values, p = _discrete_powerlaw(k_min, max_k, tau1)
    degree = np.sort(_sample(rng, values, p, size=n))
    if degree.sum() % 2:
        degree[-1] -= 1
    frac = (1 - mut) * degree
    internal = np.floor(frac).astype(int)
    internal += rng.uniform(size=n) < frac - internal
    size_values, size_p = _discrete_powerlaw(n_min, n_max, tau2)
    label = None
    for _ in range(100):
        sizes = []
        if internal.max() + 1 > n_min:
            sizes.append(int(internal.max()) + 1)
        while True:
            s = int(_sample(rng, size_values, size_p))
            if s + sum(sizes) > n:
                break
            sizes.append(s)
        if not sizes:
            sizes = [n]
        sizes[int(np.argmin(sizes))] += n - sum(sizes)
        if len(sizes) < 2:
            return None
        label = _memberships(rng, internal, sizes)
        if label is not None:
            break
    if label is None:
        return None
    external = degree - internal
    edges = []
    for c in range(len(sizes)):
        members = np.flatnonzero(label == c)
        k_in = internal[members].copy()
        if k_in.sum() % 2:  # parity: one stub of the highest-internal-degree member goes outside
            top = int(np.argmax(k_in))
            k_in[top] -= 1
            external[members[top]] += 1
        edges += [(int(members[a]), int(members[b])) for a, b in _configuration(rng, k_in)]
    edges += _configuration(rng, external, forbid=lambda a, b: label[a] == label[b], keep_forbidden=True)
    edges = sorted(set(tuple(sorted(e)) for e in edges))
    return _weights(edges, degree, label, beta, muw), label.tolist()


def describe(edges, label):
    """Mean degree, topological mixing (mean over nodes of the external-edge fraction) and weight
    mixing (mean over nodes of the external-strength fraction), for checking a generated graph."""
    n = len(label)
    deg = np.zeros(n); ext = np.zeros(n); s = np.zeros(n); s_ext = np.zeros(n)
    for a, b, w in edges:
        x = label[a] != label[b]
        for u in (a, b):
            deg[u] += 1; ext[u] += x; s[u] += w; s_ext[u] += w * x
    ok = deg > 0
    return {"edges": len(edges), "mean_degree": 2 * len(edges) / n, "max_degree": int(deg.max()),
            "communities": len(set(label)), "mu_t": float((ext[ok] / deg[ok]).mean()),
            "mu_w": float((s_ext[ok] / s[ok]).mean())}
