"""The informal social network: built with networkx, converted once to CSR arrays for the kernels."""

import networkx as nx
import numpy as np

from sim.columns import Network


def build_graph(cfg, n, seed):
    """A networkx graph over patients 0..n-1 of the configured family."""
    net = cfg.network
    if net.kind == "small_world":
        return nx.watts_strogatz_graph(n, net.mean_degree, net.rewiring, seed=seed)
    raise ValueError(f"network.kind = {net.kind!r}: unknown graph family")


def to_csr(graph, n):
    """Neighbour lists as CSR arrays, each list sorted, so sums run in one fixed order."""
    edges = np.array(list(graph.edges()), dtype=np.int64).reshape(-1, 2)
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    order = np.lexsort((dst, src))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return Network(indptr=indptr, indices=dst[order].astype(np.int32))
