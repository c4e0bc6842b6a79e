"""The network phase's memory tricks change no value: the prefetch (a hint; the kernel uses it only from
`PREFETCH_FROM` patients up) and the CSR built by one key sort."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.kernels import PREFETCH_AHEAD, network_support
from sim.network import _csr, small_world_edges


def test_prefetching_changes_no_value():
    n = 5000
    net = _csr(small_world_edges(n, 10, 0.1, 3), n)
    rng = np.random.default_rng(3)
    state = rng.choice(4, n, p=[0.9, 0.05, 0.03, 0.02]).astype(np.int8)
    hope = rng.random(n)
    peer_worker = np.where(rng.random(n) < 0.1, rng.integers(0, 20, n), -1).astype(np.int32)
    group_hope, group_size = rng.random(20) * 5, rng.integers(0, 8, 20).astype(np.int32)
    out = {}
    for ahead in (0, PREFETCH_AHEAD, n + 5):
        neighbours = np.zeros(n)
        network_support(state, hope, peer_worker, net.indptr, net.indices, True, group_hope, group_size,
                        neighbours, ahead)
        out[ahead] = neighbours
    assert np.count_nonzero(out[0]) > n * 0.85  # the community patients got a value
    assert np.array_equal(out[0], out[PREFETCH_AHEAD]) and np.array_equal(out[0], out[n + 5])


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 60).flatmap(lambda n: st.tuples(st.just(n), st.sets(
    st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] < e[1]), max_size=200))))
def test_the_csr_lists_each_patients_neighbours_in_ascending_order(graph):
    """The order the neighbours' hope is summed in (the engines agree because both read this order)."""
    n, edges = graph
    net = _csr(np.array(sorted(edges), dtype=np.int64).reshape(-1, 2), n)
    for i in range(n):
        expected = sorted([b for a, b in edges if a == i] + [a for a, b in edges if b == i])
        assert net.indices[net.indptr[i]:net.indptr[i + 1]].tolist() == expected
