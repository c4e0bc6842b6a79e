"""A pyabc sampler whose population depends on the seed alone, not on the number or speed of the workers.

pyabc's own samplers keep the first particles accepted (multicore, Dask) or seed each worker from the
operating system (`MappingSampler`), so the same calibration gives another posterior on another machine.
Here each of a generation's n particles is one task with its own seed, a function of (calibration seed,
generation, particle): the task proposes, simulates and repeats until it accepts, and `map` returns the
tasks in order. Any `map` (the built-in one, or a Dask client's) gives the same population, and a resumed
generation is the one an uninterrupted run would have made.
"""

import random

import cloudpickle
import numpy as np
from pyabc.sampler import MappingSampler


def task_seed(seed, generation, particle):
    """The seed of one particle's task (generations from -2: pyabc numbers its prior sample -1)."""
    return int(np.random.SeedSequence([int(seed), int(generation) + 2, int(particle)]).generate_state(1)[0])


class SeededMappingSampler(MappingSampler):
    """`MappingSampler` with one seeded task per accepted particle."""

    def __init__(self, map_=map, seed=0):
        super().__init__(map_=map_)
        self.seed = seed

    def __getstate__(self):
        return (*super().__getstate__(), self.seed)

    def __setstate__(self, state):
        *rest, self.seed = state
        super().__setstate__(tuple(rest))

    def map_function(self, simulate_one, seed):
        simulate_one = self.unpickle(simulate_one)
        np.random.seed(seed)
        random.seed(seed)
        sample = self._create_empty_sample()
        evaluations = 0
        while True:
            particle = simulate_one()
            evaluations += 1
            sample.append(particle)
            if particle.accepted:
                return sample, evaluations

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        task = _Task(self, cloudpickle.dumps(simulate_one))
        results, evaluations = zip(*self.map_(task, [task_seed(self.seed, t, i) for i in range(n)]), strict=True)
        self.nr_evaluations_ = sum(evaluations)
        sample = self._create_empty_sample()
        for result in results:
            sample += result
        return sample


class _Task:
    """One particle's task, picklable for Dask (a bound method would carry the client)."""

    def __init__(self, sampler, simulate_one):
        self.sampler = sampler
        self.simulate_one = simulate_one

    def __call__(self, seed):
        return self.sampler.map_function(self.simulate_one, seed)
