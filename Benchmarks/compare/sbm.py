#!/usr/bin/env python3
"""Weighted nested SBM: NeuroSwift `NestedWeightedSBM` against graph-tool's `minimize_nested_blockmodel_dl`
(real-exponential edge weights, as the dynamic-connectome benchmark notebook, methods note §A.4/§5.3),
graph by graph on the same weighted LFR graphs: NMI of each against the planted communities, and wall time.

Usage (from the repository root; `make bench` does this):
    python3 Benchmarks/compare/sbm.py --swift Benchmarks/.build/release/neuro-bench-ntf --output docs/performance.md
graph-tool is Debian's python3-graph-tool (2.45) for the system interpreter, so this script runs the
graph-tool side as `/usr/bin/python3 sbm.py --graph-tool-worker G.json` in a subprocess.

Graphs. The note's generator (`lfrbench_udwov`, C++) is not packaged and no weighted LFR is on
PyPI, so `lfr_weighted.py` (next to this script) implements the weighted undirected LFR benchmark from
the Lancichinetti–Fortunato paper: power-law degrees (t1) rescaled by the minimum degree to mean k,
power-law community sizes (t2) in the automatic range [max(k_min, 3), maxk] after a first community
big enough for the largest internal degree, configuration-model wiring with topological mixing μt,
then weights by the strength-fitting sweeps with s_i = k_i^β and weight mixing μw. The note's
settings: N = 125, mean degree 25, max degree 100, t1 = 2, t2 = 1, μt = 0.5, μw = 0.5, β = 2, and the
nine one-factor variations (β ∈ {0.5, 1, 2}, μt ∈ {0.25, 0.5, 0.75}, k = 10, μw ∈ {0.25, 0.75}),
seeds 13–22 (23–32 for the repeated μt = 0.5). The random numbers are numpy's, not the C++ program's,
so a seed gives a different graph from the same distribution (not the note's graph of that seed);
the table reports the measured mean degree, community counts and mixing of the graphs used.
Single-community graphs are skipped, as in the notebook. Both tools fit each graph twice: every edge
once (NeuroSwift's documented convention) and every edge twice (the notebook's doubled multigraph; the
note's reference pooled NMI 0.40 is for that setting), so each is compared with the other on the
same input. Both pick DC or NDC by description length and report the best
NMI over the hierarchy's levels (the notebook's protocol: levels up to the first whose next level has
one block or merges nothing). Time is the whole fit (both DC and NDC), one thread.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def graph_tool_worker(path, single):
    """Runs in /usr/bin/python3: fits every graph of `path` with graph-tool, prints JSON."""
    import numpy as np
    import graph_tool.all as gt
    graphs = json.load(open(path))["graphs"]
    out = []
    for entry in graphs:
        np.random.seed(13)
        gt.seed_rng(13)
        g = gt.Graph(directed=False)
        g.add_vertex(entry["nodes"])
        weight = g.new_edge_property("double")
        edges = entry["edges"] if single else entry["edges"] + entry["edges"]
        g.add_edge_list([(int(i), int(j), w) for i, j, w in edges], eprops=[weight])
        start = time.perf_counter()
        fits = []
        for dc in (False, True):
            state = gt.minimize_nested_blockmodel_dl(
                g, state_args=dict(deg_corr=dc, recs=[weight], rec_types=["real-exponential"]))
            fits.append((state.entropy(), dc, state))
        seconds = time.perf_counter() - start
        entropy, dc, state = min(fits, key=lambda f: f[0])
        labels = np.asarray(state.get_levels()[0].get_blocks().a)
        levels = [labels.tolist()]
        for level in state.get_levels()[1:]:
            labels = np.asarray(level.get_blocks().a)[labels]
            levels.append(labels.tolist())
        out.append({"name": entry["name"], "seconds": seconds, "degree_corrected": dc, "levels": levels,
                    "entropy": {("dc" if f[1] else "ndc"): f[0] for f in fits},
                    "version": gt.__version__.split()[0]})
    print(json.dumps({"graphs": out}))


SETTINGS = [  # (name, overrides of the base setting, seeds)
    ("β=0.5", {"beta": 0.5}, range(13, 23)),
    ("β=1", {"beta": 1.0}, range(13, 23)),
    ("β=2", {"beta": 2.0}, range(13, 23)),
    ("μt=0.25", {"mu": 0.25}, range(13, 23)),
    ("μt=0.50", {"mu": 0.5}, range(23, 33)),
    ("μt=0.75", {"mu": 0.75}, range(13, 23)),
    ("k=10", {"k": 10}, range(13, 23)),
    ("μw=0.25", {"muw": 0.25}, range(13, 23)),
    ("μw=0.75", {"muw": 0.75}, range(13, 23)),
]
# The note's §5.3 reference: graph-tool 2.45 on the `lfrbench_udwov` graphs, mean NMI (single, doubled).
NOTE_NMI = {"β=0.5": (0.10, 0.32), "β=1": (0.18, 0.28), "β=2": (0.14, 0.30), "μt=0.25": (0.70, 0.66),
            "μt=0.50": (0.28, 0.41), "μt=0.75": (0.40, 0.48), "k=10": (0.03, 0.19), "μw=0.25": (0.32, 0.49),
            "μw=0.75": (0.51, 0.59), "all": (0.28, 0.40)}
BASE = {"n": 125, "k": 25, "maxk": 100, "t1": 2.0, "t2": 1.0, "mu": 0.5, "muw": 0.5, "beta": 2.0}


def lfr_graph(p, seed):
    """(edges [[i, j, w]], planted labels) or None when LFR gives one community (see lfr_weighted.py)."""
    from lfr_weighted import lfr_weighted
    made = lfr_weighted(p["n"], p["k"], p["maxk"], p["t1"], p["t2"], p["mu"], p["muw"], p["beta"], seed)
    if made is None:
        return None
    edges, labels = made
    # LFR's strength fitting can leave an edge at weight 0 (β = 0.5 only, up to ~2 % of the edges): a
    # zero affinity is no edge for NeuroSwift's AffinityGraph, so both tools get the graph without them.
    return [[i, j, w] for i, j, w in edges if w > 0], labels


def best_nmi(levels, truth):
    """The notebook's protocol: best NMI over levels, up to the first whose next level has one block or merges nothing."""
    from sklearn.metrics import normalized_mutual_info_score as nmi
    best = 0.0
    for l, labels in enumerate(levels):
        best = max(best, nmi(truth, labels))
        if l + 1 >= len(levels):
            break
        following = len(set(levels[l + 1]))
        if following <= 1 or following == len(set(labels)):
            break
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--swift", default="Benchmarks/.build/release/neuro-bench-ntf")
    parser.add_argument("--output", default="docs/performance.md")
    parser.add_argument("--graph-tool-python", default="/usr/bin/python3")
    parser.add_argument("--seeds", type=int, default=10, help="seeds per setting (10 in the note)")
    parser.add_argument("--graph-tool-worker")
    parser.add_argument("--single", action="store_true", help="graph-tool worker: edges once, not doubled")
    parser.add_argument("--restarts", type=int, default=1, help="NeuroSwift restarts per graph (best description length kept)")
    parser.add_argument("--gt-cache", help="JSON file of graph-tool results: reused when it holds the same graphs, else written")
    parser.add_argument("--gt-only", action="store_true", help="only run graph-tool (into --gt-cache) and stop")
    args = parser.parse_args()
    if args.graph_tool_worker:
        return graph_tool_worker(args.graph_tool_worker, args.single)

    import numpy as np
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from report import write_section
    from lfr_weighted import describe
    graphs, truth, setting_of, stats = [], {}, {}, {}
    for name, overrides, seeds in SETTINGS:
        p = dict(BASE, **overrides)
        for seed in list(seeds)[: args.seeds]:
            made = lfr_graph(p, seed)
            if made is None:
                continue
            key = f"{name} seed {seed}"
            graphs.append({"name": key, "nodes": p["n"], "edges": made[0]})
            truth[key], setting_of[key] = made[1], name
            stats[key] = describe(made[0], made[1])
    doubled = [dict(g, edges=g["edges"] + g["edges"]) for g in graphs]
    runs, totals = {}, {}
    fingerprint = hashlib.sha256(json.dumps(graphs).encode()).hexdigest()
    cached = None
    if args.gt_cache and os.path.exists(args.gt_cache):
        cached = json.load(open(args.gt_cache))
        if cached.get("fingerprint") != fingerprint:
            cached = None
    with tempfile.TemporaryDirectory() as tmp:
        json.dump({"graphs": graphs}, open(os.path.join(tmp, "graphs-single.json"), "w"))
        json.dump({"graphs": doubled}, open(os.path.join(tmp, "graphs-doubled.json"), "w"))
        for variant in ("single", "doubled"):
            if cached is not None:
                runs["gt", variant], totals["gt", variant] = cached[variant], cached[variant + "_total"]
                continue
            start = time.perf_counter()
            # The worker doubles the edges itself unless --single; it always gets the single-edge file.
            worker = [args.graph_tool_python, os.path.abspath(__file__), "--graph-tool-worker",
                      os.path.join(tmp, "graphs-single.json")] + (["--single"] if variant == "single" else [])
            runs["gt", variant] = json.loads(subprocess.run(worker, check=True, capture_output=True, text=True).stdout)["graphs"]
            totals["gt", variant] = time.perf_counter() - start
        if args.gt_cache and cached is None:
            json.dump({"fingerprint": fingerprint, **{v: runs["gt", v] for v in ("single", "doubled")},
                       **{v + "_total": totals["gt", v] for v in ("single", "doubled")}}, open(args.gt_cache, "w"))
        if args.gt_only:
            return
        for variant in ("single", "doubled"):
            path = os.path.join(tmp, f"graphs-{variant}.json")
            start = time.perf_counter()
            runs["swift", variant] = json.loads(subprocess.run(
                [args.swift, "sbm", "--graphs", path, "--seed", "13", "--sbm-restarts", str(args.restarts)],
                check=True, capture_output=True, text=True).stdout)["graphs"]
            totals["swift", variant] = time.perf_counter() - start
    rows = []
    for k, g in enumerate(graphs):
        key = g["name"]
        row = {"name": key, "setting": setting_of[key], "truth_blocks": len(set(truth[key]))}
        for tool in ("swift", "gt"):
            for variant in ("single", "doubled"):
                fit = runs[tool, variant][k]
                assert fit["name"] == key
                row[tool, variant] = best_nmi(fit["levels"], truth[key])
                row[tool, variant, "s"] = fit["seconds"]
                row[tool, variant, "blocks"] = len(set(fit["levels"][0]))
        rows.append(row)
    version = runs["gt", "single"][0]["version"] if rows else "?"
    lines = [
        f"Nested weighted SBM on {len(rows)} weighted LFR graphs (N = 125, `Benchmarks/compare/lfr_weighted.py`, the "
        f"Lancichinetti–Fortunato weighted LFR with the note §5.3 settings; single-community graphs skipped): NeuroSwift `NestedWeightedSBM` ({args.restarts} restart"
        f"{'s' if args.restarts > 1 else ''}) against graph-tool {version} `minimize_nested_blockmodel_dl`, real-exponential "
        "weights, DC vs NDC by description length, each fitted to the same graphs with every edge once (*single*) and "
        "with every edge twice as the notebook does (*doubled*, the setting of the note's 0.40 reference). Best NMI over "
        "levels against the planted communities; time per graph for the whole fit (DC and NDC), one thread. "
        f"Measured {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M')} UTC on {platform.machine()}, "
        f"2 shared cores (load {os.getloadavg()[0]:.1f} at the end).",
        "",
        "| setting | graphs | NMI NeuroSwift, single | NMI graph-tool, single | difference, single (per graph) | "
        "NMI NeuroSwift, doubled | NMI graph-tool, doubled | difference, doubled (per graph) | "
        "note's graph-tool NMI (single / doubled) | s/graph NeuroSwift (single / doubled) | s/graph graph-tool (single / doubled) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, _, _ in SETTINGS + [("all", None, None)]:
        sel = [r for r in rows if name == "all" or r["setting"] == name]
        if not sel:
            continue
        cells = [name, str(len(sel))]
        for variant in ("single", "doubled"):
            a = np.array([r["swift", variant] for r in sel]); b = np.array([r["gt", variant] for r in sel])
            cells += [f"{a.mean():.2f} ± {a.std():.2f}", f"{b.mean():.2f} ± {b.std():.2f}", f"{(a - b).mean():+.2f} ± {(a - b).std():.2f}"]
        cells.append("{:.2f} / {:.2f}".format(*NOTE_NMI[name]))
        for tool in ("swift", "gt"):
            cells.append(" / ".join(f"{np.mean([r[tool, v, 's'] for r in sel]):.2f}" for v in ("single", "doubled")))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "The graphs (measured on the generated graphs used; μt, μw: mean over nodes of the external share of "
              "edges and of strength; targets in the setting name or 0.5):", "",
              f"| setting | graphs used (of {args.seeds}) | planted communities | mean degree | max degree | μt | μw |",
              "|---|---|---|---|---|---|---|"]
    for name, _, _ in SETTINGS + [("all", None, None)]:
        sel = [stats[r["name"]] for r in rows if name == "all" or r["setting"] == name]
        if not sel:
            continue
        comms = [s["communities"] for s in sel]
        lines.append(f"| {name} | {len(sel)} | {min(comms)}–{max(comms)} | {np.mean([s['mean_degree'] for s in sel]):.1f} | "
                     f"{max(s['max_degree'] for s in sel)} | {np.mean([s['mu_t'] for s in sel]):.2f} | "
                     f"{np.mean([s['mu_w'] for s in sel]):.2f} |")
    lines += ["", "<details><summary>Graph by graph</summary>", "",
              "| graph | planted | blocks at level 0, NeuroSwift (single / doubled) | blocks at level 0, graph-tool (single / doubled) | "
              "NMI NeuroSwift (single / doubled) | NMI graph-tool (single / doubled) |",
              "|---|---|---|---|---|---|"]
    for r in rows:
        cells = [r["name"], str(r["truth_blocks"])]
        for tool in ("swift", "gt"):
            cells.append(" / ".join(str(r[tool, v, "blocks"]) for v in ("single", "doubled")))
        for tool in ("swift", "gt"):
            cells.append(" / ".join(f"{r[tool, v]:.2f}" for v in ("single", "doubled")))
        lines.append("| " + " | ".join(cells) + " |")
    swift_time = sum(totals["swift", v] for v in ("single", "doubled"))
    gt_time = sum(totals["gt", v] for v in ("single", "doubled"))
    lines += ["", "</details>", "",
              f"Totals including process start (both variants): NeuroSwift {swift_time:.1f} s, graph-tool {gt_time:.1f} s "
              f"(graph-tool time ÷ NeuroSwift time {gt_time / swift_time:.2f}×)."]
    section = write_section(args.output, "sbm", "Weighted nested SBM (NeuroSwift vs graph-tool)", lines)
    print(section)


if __name__ == "__main__":
    main()
