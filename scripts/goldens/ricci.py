#!/usr/bin/env python3
"""Goldens for the manifold pipeline (Ollivier–Ricci curvature, Ricci flow, optimal transport,
Laplacian eigenmap), from GraphRicciCurvature 0.6.1 / POT / scipy.

Writes Tests/DecodingTests/Goldens/ricci.json. Run: python3 scripts/goldens/ricci.py
"""
import json, math, os, sys, importlib.metadata as md
import numpy as np
import networkx as nx
import ot
import scipy.linalg
from GraphRicciCurvature.OllivierRicci import OllivierRicci

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "DecodingTests", "Goldens", "ricci.json")


def indexed(G):
    nodes = list(G.nodes())
    index = {v: i for i, v in enumerate(nodes)}
    return nodes, index


def graph_record(name, G, alpha, method="OTD", weight_attr=True):
    nodes, index = indexed(G)
    H = nx.relabel_nodes(G, index)
    if weight_attr:
        for u, v in H.edges():
            H[u][v].setdefault("weight", 1.0)
    orc = OllivierRicci(H, alpha=alpha, method=method, verbose="ERROR", proc=1)
    orc.compute_ricci_curvature()
    edges = [[int(u), int(v)] for u, v in H.edges()]
    return {
        "name": name, "alpha": alpha, "method": method, "nodes": H.number_of_nodes(), "edges": edges,
        "lengths": [float(H[u][v]["weight"]) for u, v in H.edges()],
        "curvature": [float(orc.G[u][v]["ricciCurvature"]) for u, v in H.edges()],
        "nodeCurvature": [float(orc.G.nodes[i].get("ricciCurvature", 0.0)) for i in range(H.number_of_nodes())],
    }


def flow_record(name, G, alpha, step, iterations, delta=1e-4):
    nodes, index = indexed(G)
    H = nx.relabel_nodes(G, index)
    for u, v in H.edges():
        H[u][v].setdefault("weight", 1.0)
    edges = [[int(u), int(v)] for u, v in H.edges()]
    lengths0 = [float(H[u][v]["weight"]) for u, v in H.edges()]
    orc = OllivierRicci(H, alpha=alpha, method="OTD", verbose="ERROR", proc=1)
    orc.compute_ricci_flow(iterations=iterations, step=step, delta=delta)
    return {
        "name": name, "alpha": alpha, "step": step, "iterations": iterations, "delta": delta,
        "nodes": H.number_of_nodes(), "edges": edges, "lengths": lengths0,
        "flowedLengths": [float(orc.G[u][v]["weight"]) for u, v in edges],
        "curvature": [float(orc.G[u][v]["ricciCurvature"]) for u, v in edges],
    }


def main():
    rng = np.random.default_rng(20261123)
    graphs = []
    K4 = nx.complete_graph(4)
    for u, v in K4.edges():
        K4[u][v]["weight"] = 1.0
    K4[0][1]["weight"] = 0.5
    # Random geometric weighted graph: lengths = Euclidean distances (a connected one).
    while True:  # first connected draw of a 3-nearest-neighbour graph on 14 random points
        pts = rng.uniform(size=(14, 2))
        R = nx.Graph()
        R.add_nodes_from(range(14))
        for i in range(14):
            d = np.linalg.norm(pts - pts[i], axis=1)
            for j in np.argsort(d)[1:4]:
                R.add_edge(i, int(j), weight=float(d[j]) * 3)
        if nx.is_connected(R):
            break
    grid = nx.grid_2d_graph(5, 5)
    grid = nx.relabel_nodes(grid, {(r, c): r * 5 + c for r, c in grid.nodes()})
    grid = nx.Graph(sorted(grid.edges()))
    grid.add_nodes_from(range(25))
    grid = nx.convert_node_labels_to_integers(grid, ordering="sorted")
    cases = [("K5", nx.complete_graph(5)), ("C6", nx.cycle_graph(6)), ("C4", nx.cycle_graph(4)),
             ("P4", nx.path_graph(4)), ("star3", nx.star_graph(3)), ("grid5x5", grid),
             ("barbell5", nx.barbell_graph(5, 0))]
    for alpha in (0.0, 0.5):
        for name, G in cases:
            graphs.append(graph_record(name, G, alpha))
    graphs.append(graph_record("K4short", K4, 0.5))
    graphs.append(graph_record("random14", R, 0.5))
    graphs.append(graph_record("random14", R, 0.25))
    sinkhorn = [graph_record("barbell5", nx.barbell_graph(5, 0), 0.5, method="Sinkhorn"),
                graph_record("random14", R, 0.5, method="Sinkhorn")]
    flows = [flow_record("barbell5", nx.barbell_graph(5, 0), 0.5, 0.1, 10),
             flow_record("barbell5", nx.barbell_graph(5, 0), 0.5, 1.0, 3),
             flow_record("random14", R, 0.5, 0.3, 6)]
    # Transport problems: exact (ot.emd2) and Sinkhorn (ot.sinkhorn2, reg 0.1).
    transport = []
    for n, m in ((3, 4), (6, 6), (9, 5)):
        a = rng.uniform(0.1, 1, n); a /= a.sum()
        b = rng.uniform(0.1, 1, m); b /= b.sum()
        C = rng.uniform(0, 3, (n, m))
        transport.append({"supply": a.tolist(), "demand": b.tolist(), "cost": C.ravel().tolist(),
                          "exact": float(ot.emd2(a, b, C)),
                          "sinkhorn": float(ot.sinkhorn2(a, b, C, 1e-1, method="sinkhorn"))})
    # Laplacian eigenmap: generalized problem L y = λ D y on a fixed weighted graph.
    Wg = np.zeros((8, 8))
    E = [(0, 1, 1.0), (1, 2, 0.5), (2, 3, 2.0), (3, 0, 0.7), (3, 4, 0.3), (4, 5, 1.2), (5, 6, 0.9), (6, 7, 1.5), (7, 4, 0.4), (1, 6, 0.2)]
    for i, j, w in E:
        Wg[i, j] = Wg[j, i] = w
    D = np.diag(Wg.sum(1))
    L = D - Wg
    vals, vecs = scipy.linalg.eigh(L, D)
    eigenmap = {"nodes": 8, "edges": [[i, j] for i, j, _ in E], "affinities": [w for _, _, w in E],
                "eigenvalues": vals.tolist(), "eigenvectors": vecs.T.tolist()}
    doc = {"tool": "GraphRicciCurvature", "versions": {k: md.version(k) for k in ("GraphRicciCurvature", "POT", "networkx", "numpy", "scipy")},
           "graphs": graphs, "sinkhorn": sinkhorn, "flows": flows, "transport": transport, "eigenmap": eigenmap}
    text = json.dumps(doc, separators=(",", ":"))
    with open(OUT, "w") as f:
        f.write(text + "\n")
    print("wrote", OUT, len(text), "bytes")


if __name__ == "__main__":
    main()
