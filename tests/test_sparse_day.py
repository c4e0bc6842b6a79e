"""The sparse day loop's list helpers: which patients the Numba engine visits after the relapse draw.

(That visiting only yesterday's active patients and crises changes nothing is what the engines'
agreement tests prove: the Mesa engine looks at every patient every day.)"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engines.kernels import _flagged, _merge

indices = st.sets(st.integers(0, 300), max_size=120).map(sorted)


@settings(max_examples=200, deadline=None)
@given(a=indices, b=indices)
def test_merge_is_the_ascending_union(a, b):
    out = np.empty(len(a) + len(b), np.int32)
    count = _merge(np.array(a, np.int32), len(a), np.array(b, np.int32), len(b), out)
    assert out[:count].tolist() == sorted(set(a) | set(b))


@settings(max_examples=200, deadline=None)
@given(flags=st.lists(st.booleans(), max_size=200))
def test_flagged_lists_every_set_flag_in_order(flags):
    padded = np.zeros((len(flags) + 7) // 8 * 8, np.bool_)
    padded[:len(flags)] = flags
    out = np.empty(len(flags), np.int32)
    count = _flagged(padded.view(np.uint64), padded, out)
    assert out[:count].tolist() == [i for i, f in enumerate(flags) if f]
