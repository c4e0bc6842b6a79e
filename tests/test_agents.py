"""Agents are Mesa views onto the state arrays."""

from dataclasses import replace

import numpy as np
import pytest

from sim.engines.agents import Clinician, Patient, PeerWorker
from sim.engines.model import CareSystemModel


def test_agents_by_type_and_properties_read_the_arrays(small_cfg):
    model = CareSystemModel(small_cfg)
    patients = model.agents_by_type[Patient]
    assert len(patients) == small_cfg.population.n
    assert len(model.agents_by_type[PeerWorker]) == model.workers.capacity.size > 0
    assert len(model.agents_by_type[Clinician]) == model.clinicians.capacity.size
    patient = list(patients)[17]
    model.patients.hope[17] = 0.123
    assert patient.hope == 0.123
    patient.engagement = 0.9
    assert model.patients.engagement[17] == 0.9


def test_agentset_queries_see_live_state(small_cfg):
    model = CareSystemModel(small_cfg)
    for _ in range(60):
        model.step()
    in_bed = model.agents_by_type[Patient].select(lambda a: a.state == 1)
    assert len(in_bed) == int((model.patients.state == 1).sum()) > 0


def test_setting_hope_between_days_touches_only_that_patient(small_cfg):
    """A write through the agent is as of the next day to run, for that patient alone (O(1), not O(n)): the
    patient's engagement keeps its drifted value, everyone else's columns are untouched."""
    model = CareSystemModel(small_cfg)
    for _ in range(30):
        model.step()
    before = {name: getattr(model.patients, name).copy() for name in ("hope", "engagement", "resources_day")}
    engagement_today = model.resources_today()[1][17]
    patient = list(model.agents_by_type[Patient])[17]
    patient.hope = 0.95
    assert patient.hope == 0.95 and patient.engagement == engagement_today
    assert model.patients.resources_day[17] == model.day
    others = np.arange(small_cfg.population.n) != 17
    for name, values in before.items():
        assert np.array_equal(getattr(model.patients, name)[others], values[others]), name


def test_hope_is_read_only_while_a_day_runs(small_cfg, monkeypatch):
    """A rule written as `self.hope = ...` inside an agent's step would break start-of-day semantics and the
    engines' agreement: it is refused with a message saying how to write a rule."""
    model = CareSystemModel(replace(small_cfg, engine="mesa"))

    def step(self):
        self.hope = 1.0

    monkeypatch.setattr(Patient, "step", step)
    with pytest.raises(AttributeError, match="read-only while a day runs.*set_resources"):
        model.step()
    assert not model.day_running


def test_a_column_written_through_an_agent_between_days_is_seen_by_the_numba_engine(small_cfg):
    """The Numba engine keeps each patient's relapse bound from one day to the next; a write through an agent
    (here a severity, which raises the hazard above the kept bound) makes it look at that patient again, so
    the run equals the Mesa engine's with the same write."""
    runs = []
    for engine in ("numba", "mesa"):
        model = CareSystemModel(replace(small_cfg, engine=engine))
        for _ in range(20):
            model.step()
        for patient in list(model.agents_by_type[Patient])[:200]:
            patient.severity = 1.0
        runs.append(model.run())
    fast, reference = runs
    np.testing.assert_array_equal(fast.events, reference.events)
    for name in fast.patients._fields:
        np.testing.assert_array_equal(getattr(fast.patients, name), getattr(reference.patients, name), err_msg=name)
