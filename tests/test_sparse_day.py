"""The sparse day loop's helpers: which patients the Numba engine visits after the relapse draw, and the drift
factors its daily pass over everyone's hope reads.

(That visiting only yesterday's active patients and crises changes nothing is what the engines'
agreement tests prove: the Mesa engine looks at every patient every day.)"""

import math
import struct

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engines.kernels import _flagged, _merge, drift_factors_kernel
from sim.model.rules import drifted, drifted_by

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


@settings(max_examples=300, deadline=None)
@given(value=st.floats(0, 1).map(abs), baseline=st.floats(0, 1).map(abs), recovery=st.floats(1e-4, 0.5),
       days=st.integers(0, 3000))
def test_drift_factors_and_the_baseline_shortcut_give_the_formula_s_value_to_the_bit(value, baseline, recovery,
                                                                                    days):
    """The daily pass over everyone's hope reads exp(-decay * days) from a table made once per run (compiled,
    as the kernels make it), and a value at its baseline is returned as it is: both give, bit for bit, what
    the closed form gives (hope and engagement lie in [0, 1]; no negative zero)."""
    decay = -np.log1p(-recovery)
    formula = value if days == 0 else baseline + (value - baseline) * math.exp(-decay * days)
    factor = drift_factors_kernel(decay, days + 1)[days]
    for got in (drifted_by(value, baseline, factor, days), drifted(value, baseline, decay, days)):
        assert struct.pack("<d", got) == struct.pack("<d", formula)
