"""The CSR built by one key sort lists neighbours in a fixed order (the order their hope is summed in)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.network import _csr


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
