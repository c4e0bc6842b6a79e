"""Common random numbers: the arms see the same random world, so a programme that reaches
nobody reproduces usual care exactly, and the same seed reproduces a run exactly."""

import dataclasses

import numpy as np
import pandas as pd

from sim.engines.model import CareSystemModel
from sim.experiment.replications import run_replication, usual_care_of
from sim.model import events as ev
from sim.model.population import make_population
from sim.model.streams import replication_seed


def _pair(cfg, program_a, program_b):
    population = make_population(cfg, replication_seed(cfg.seed, 0))
    a = CareSystemModel(cfg, program_a, population=population).run()
    b = CareSystemModel(cfg, program_b, population=population).run()
    return a, b


def test_zero_coverage_programme_reproduces_usual_care_exactly(small_cfg):
    """Employed peer workers who reach nobody change nothing for patients (only the workforce columns)."""
    staffed_but_unused = dataclasses.replace(small_cfg.program, uptake=0.0)
    assert staffed_but_unused.workers_per_1000 > 0
    usual, unused = _pair(small_cfg, usual_care_of(small_cfg.program), staffed_but_unused)
    patient_events = list(ev.PATIENT_COLUMNS)
    np.testing.assert_array_equal(usual.events[:, patient_events], unused.events[:, patient_events])
    assert unused.events[:, ev.WORKER_DAYS].sum() > 0 == usual.events[:, ev.WORKER_DAYS].sum()
    for name in usual.patients._fields:
        np.testing.assert_array_equal(getattr(usual.patients, name), getattr(unused.patients, name), err_msg=name)


def test_programme_changes_the_outcome_it_acts_on(small_cfg):
    usual, programme = _pair(small_cfg, usual_care_of(small_cfg.program), small_cfg.program)
    assert not np.array_equal(usual.patients.hope, programme.patients.hope)
    assert not np.array_equal(usual.events, programme.events)


def test_same_seed_gives_identical_results_twice(small_cfg):
    first = pd.DataFrame(run_replication(small_cfg, 0))
    second = pd.DataFrame(run_replication(small_cfg, 0))
    pd.testing.assert_frame_equal(first, second)


def test_replications_get_different_seeds(small_cfg):
    a = pd.DataFrame(run_replication(small_cfg, 0))
    b = pd.DataFrame(run_replication(small_cfg, 1))
    assert a["seed"].iloc[0] != b["seed"].iloc[0]
    assert not a["admissions_per_1000py"].equals(b["admissions_per_1000py"])
