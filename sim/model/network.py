"""The informal social network: built with networkx, converted once to CSR arrays for the kernels.

Families: small world (Watts-Strogatz), scale free (Barabasi-Albert), community
(random partition: dense blocks, sparse ties between them), or a file (an edge
list or GraphML). Any networkx graph can also be passed to `CareSystemModel`
or `make_population` as `graph=`.
"""

import os
from functools import lru_cache
from pathlib import Path

import networkx as nx
import numpy as np

from sim.errors import ConfigError
from sim.model.columns import Network


def read_graph_file(path, n):
    """Edges among patients 0..n-1 from an edge list or a .graphml file; errors name the file."""
    if Path(path).is_dir():
        raise ConfigError(f"network.path = {path}: is a folder; give an edge list or a .graphml file")
    if str(path).endswith(".graphml"):
        return _read_graphml(path, n)
    return read_edge_list(path, n)


def _read_graphml(path, n):
    try:
        graph = nx.read_graphml(path)
    except OSError as err:
        raise ConfigError(f"network.path = {path}: cannot read the file ({err.strerror})") from None
    except Exception as err:  # networkx raises several parser errors
        raise ConfigError(f"{path}: not a readable GraphML file ({' '.join(str(err).split())})") from None
    return edges_of(graph, n, str(path))


def edges_of(graph, n, name="the graph"):
    """Edges among patients 0..n-1 of a networkx graph whose nodes are integer patient ids."""
    try:
        ids = {node: int(node) for node in graph.nodes}
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: node ids must be integer patient ids") from None
    if len(ids) and min(ids.values()) < 0:
        raise ConfigError(f"{name}: node ids must be non-negative")
    if not ids or max(ids.values()) + 1 < n:
        largest = max(ids.values()) if ids else -1
        raise ConfigError(f"{name}: has patient ids up to {largest}, fewer than population.n = {n}")
    edges = []
    for u, v in graph.edges():
        a, b = ids[u], ids[v]
        if a == b:
            raise ConfigError(f"{name}: self-loop on patient {a}")
        if a < n and b < n:
            edges.append((a, b))
    return np.array(edges, dtype=np.int64).reshape(-1, 2)


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


# From this many patients up, the default small-world family is built straight into edge arrays with
# numpy (networkx took 10.9 s and 1.3 GB at 1,000,000); smaller networks keep networkx's generator.
LARGE_NETWORK = 100_000


def small_world_edges(n, k, p, seed):
    """Watts-Strogatz edges as an (m, 2) array: a ring where each patient links to its k/2 next
    neighbours, then each edge's far end is rewired with probability p to a patient chosen uniformly
    (redrawn if that would make a self-loop or a duplicate; after 10 draws the edge keeps its lattice end)."""
    rng = np.random.default_rng(seed)
    u = np.repeat(np.arange(n, dtype=np.int64), k // 2)
    v = (u + np.tile(np.arange(1, k // 2 + 1, dtype=np.int64), n)) % n
    lattice = v.copy()
    pending = np.flatnonzero(rng.random(u.size) < p)
    for _ in range(10):
        if pending.size == 0:
            break
        v[pending] = rng.integers(0, n, pending.size)
        key = np.minimum(u, v) * n + np.maximum(u, v)
        _, first = np.unique(key, return_index=True)
        clash = np.ones(u.size, bool)
        clash[first] = False  # a duplicate: every copy of a key but its first
        pending = pending[(u[pending] == v[pending]) | clash[pending]]
    v[pending] = lattice[pending]
    key = np.minimum(u, v) * n + np.maximum(u, v)
    _, keep = np.unique(key, return_index=True)
    return np.stack([u[np.sort(keep)], v[np.sort(keep)]], axis=1)


def build_network(cfg, n, seed):
    """The CSR network of the configured family over patients 0..n-1."""
    net = cfg.network
    if net.kind == "small_world" and n >= LARGE_NETWORK:
        return _csr(small_world_edges(n, net.mean_degree, net.rewiring, seed), n)
    return to_network(build_graph(cfg, n, seed), n)


def build_graph(cfg, n, seed):
    """A networkx graph over patients 0..n-1 of the configured family."""
    net = cfg.network
    if net.kind == "small_world":
        return nx.watts_strogatz_graph(n, net.mean_degree, net.rewiring, seed=seed)
    if net.kind == "scale_free":
        return nx.barabasi_albert_graph(n, net.mean_degree // 2, seed=seed)
    if net.kind == "community":
        sizes = [n // net.blocks + (1 if b < n % net.blocks else 0) for b in range(net.blocks)]
        size = n / net.blocks
        p_in = min(1.0, net.mean_degree * net.within_share / max(size - 1, 1))
        p_out = min(1.0, net.mean_degree * (1 - net.within_share) / max(n - size, 1))
        return nx.random_partition_graph(sizes, p_in, p_out, seed=seed)
    graph = nx.empty_graph(n)
    graph.add_edges_from(map(tuple, read_graph_file(net.path, n)))
    return graph


def to_network(graph, n):
    """The CSR network of any networkx graph over integer patient ids (checked like a file)."""
    edges = edges_of(graph, n)
    return _csr(edges, n)


def _csr(edges, n):
    """Neighbour lists as CSR arrays, each list sorted, so sums run in one fixed order."""
    src = np.concatenate([edges[:, 0], edges[:, 1]]).astype(np.int64)
    dst = np.concatenate([edges[:, 1], edges[:, 0]]).astype(np.int64)
    key = src * n + dst  # one sort of (patient, neighbour) keys: 0.46 s at 1M patients, lexsort took 1.56 s
    key.sort()
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return Network(indptr=indptr, indices=(key % n).astype(np.int32))
