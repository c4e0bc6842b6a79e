"""Random numbers are a pure function of (seed, stream, day, agent), identical in Python and Numba."""

import numpy as np
from numba import njit
from scipy import stats

from sim.model import streams


@njit
def _scalar_draws(seed, stream, day, n):
    out = np.empty(n)
    for i in range(n):
        out[i] = streams.uniform(seed, stream, np.uint64(day), np.uint64(i))
    return out


def test_numba_scalar_draws_equal_numpy_vector_draws():
    seed = streams.replication_seed(7, 3)
    np.testing.assert_array_equal(_scalar_draws(seed, streams.RELAPSE, 12, 1000),
                                  streams.draws(seed, streams.RELAPSE, 12, 1000))


def test_draws_are_uniform_and_streams_independent():
    seed = streams.replication_seed(1, 0)
    a = streams.draws(seed, streams.RELAPSE, 5, 20000)
    b = streams.draws(seed, streams.LENGTH_OF_STAY, 5, 20000)
    assert a.min() >= 0.0 and a.max() < 1.0
    assert stats.kstest(a, "uniform").pvalue > 1e-4
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.03
    assert not np.array_equal(a, streams.draws(seed, streams.RELAPSE, 6, 20000))


def test_an_agents_draw_does_not_depend_on_how_many_agents_there_are():
    seed = streams.replication_seed(1, 0)
    np.testing.assert_array_equal(streams.draws(seed, streams.FOLLOWUP, 9, 100),
                                  streams.draws(seed, streams.FOLLOWUP, 9, 5000)[:100])


def test_every_stream_has_its_own_id():
    ids = [int(s) for s in streams.STREAMS.values()]
    assert len(set(ids)) == len(ids)
