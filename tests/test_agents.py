"""Agents are Mesa views onto the state arrays."""

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
