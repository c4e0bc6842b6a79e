"""The informal social network: built with networkx, converted once to CSR arrays for the kernels."""

import os
from functools import lru_cache

import networkx as nx
import numpy as np

from sim.columns import Network
from sim.errors import ConfigError


def read_edge_list(path, n):
    """Edges among patients 0..n-1 from a 'u v' per line file; a clear error names the file and line."""
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError as err:
        raise ConfigError(f"network.path = {path}: cannot read the file ({err.strerror})") from None
    return _read_edge_list(str(path), stamp, n)


@lru_cache(maxsize=4)
def _read_edge_list(path, stamp, n):
    edges = []
    largest = -1
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                text = line.strip()
                if not text or text.startswith("#"):
                    continue
                fields = text.split()
                if len(fields) != 2 or not all(f.isdigit() for f in fields):
                    raise ConfigError(f"{path}, line {number}: expected two non-negative integer patient ids, "
                                         f"got {text!r}")
                u, v = int(fields[0]), int(fields[1])
                if u == v:
                    raise ConfigError(f"{path}, line {number}: self-loop on patient {u}")
                largest = max(largest, u, v)
                if u < n and v < n:
                    edges.append((u, v))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text edge list (not UTF-8)") from None
    if largest < 0:
        raise ConfigError(f"{path}: no edges (the file is empty or only comments)")
    if largest + 1 < n:
        raise ConfigError(f"{path}: has patient ids up to {largest}, fewer than population.n = {n}")
    return np.array(edges, dtype=np.int64).reshape(-1, 2)


def build_graph(cfg, n, seed):
    """A networkx graph over patients 0..n-1 of the configured family."""
    net = cfg.network
    if net.kind == "small_world":
        return nx.watts_strogatz_graph(n, net.mean_degree, net.rewiring, seed=seed)
    graph = nx.empty_graph(n)
    graph.add_edges_from(map(tuple, read_edge_list(net.path, n)))
    return graph


def to_csr(graph, n):
    """Neighbour lists as CSR arrays, each list sorted, so sums run in one fixed order."""
    edges = np.array(list(graph.edges()), dtype=np.int64).reshape(-1, 2)
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    order = np.lexsort((dst, src))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return Network(indptr=indptr, indices=dst[order].astype(np.int32))
