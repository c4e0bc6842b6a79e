"""The model proves its own invariants: checked every day under random valid configs, in both engines."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config.psa import sample
from sim.engines import invariants
from sim.engines.model import CareSystemModel
from sim.model import events as ev
from sim.model.columns import INPATIENT, RESPITE
from sim.model.streams import replication_seed

from .conftest import make_cfg


def test_default_run_keeps_every_invariant_every_day():
    cfg = make_cfg("population.n=2000", "burn_in_days=0", "horizon_days=200", "primary_outcome=readmission_30",
                   "debug=true", "care.beds_per_1000=4")
    model = CareSystemModel(cfg).run()
    assert model.events[:, ev.DIVERSIONS].sum() > 0  # beds ran out, so the capacity invariant was tested under pressure
    assert invariants.violations(model) == []


@pytest.mark.parametrize("corrupt, message", [
    (lambda m: m.patients.hope.__setitem__(3, 1.2), "hope outside"),
    (lambda m: m.patients.state.__setitem__(slice(0, m.n_beds + 1), INPATIENT), "bed occupancy"),
    (lambda m: m.patients.state.__setitem__(0, 7), "not conserved"),
    (lambda m: m.patients.state.__setitem__(slice(0, m.n_respite + 1), RESPITE), "respite occupancy"),
    (lambda m: m.events.__setitem__((0, 0), -1), "negative counter"),
])
def test_a_broken_state_is_caught(small_cfg, corrupt, message):
    model = CareSystemModel(small_cfg)
    corrupt(model)
    with pytest.raises(invariants.InvariantError, match=message):
        invariants.check(model)


def test_a_respite_programme_keeps_every_invariant_every_day():
    """Respite stays count among the patients conserved (they did not: debug=true failed at the first one)."""
    cfg = make_cfg("population.n=3000", "burn_in_days=0", "horizon_days=120", "primary_outcome=readmission_30",
                   "debug=true", "program=crisis_respite", "program.respite_places_per_1000=3")
    model = CareSystemModel(cfg).run()
    assert model.events[:, ev.RESPITE_STAYS].sum() > 0
    assert invariants.violations(model) == []


def test_caseload_above_capacity_is_caught(small_cfg):
    model = CareSystemModel(small_cfg)
    cap = int(model.workers.capacity[0])
    model.patients.peer_worker[: cap + 1] = 0
    with pytest.raises(invariants.InvariantError, match="caseload"):
        invariants.check(model)


def test_negative_cost_is_caught():
    with pytest.raises(invariants.InvariantError, match="cost_total"):
        invariants.check_outcomes({"cost_total": -1.0, "readmission_30": 0.1})


PROGRAMMES = ["discharge_support", "self_management", "peer_mentoring", "intentional_peer_support",
              "crisis_respite", "mutual_help"]

# Sized so that respite places (1 per 1,000) exist, caseloads bind and an emulated trial recruits; every
# structural option is among the sampled ones.
configs = st.fixed_dictionaries({
    "program": st.sampled_from(PROGRAMMES),
    "network": st.sampled_from(["small_world", "scale_free", "community", "file"]),
    "trial": st.sampled_from(["none", "core"]),
    "extension": st.sampled_from(["none", "text_reminders"]),
    "psa": st.sampled_from(["none", "default"]),
    "workforce.clinician_acceptance": st.floats(0, 1),
    "workforce.supervision_hours_per_week": st.floats(0, 10),
    "workforce.quit_per_day": st.floats(0, 0.02),
    "workforce.hiring_delay_days": st.integers(0, 60),
    "workforce.burnout_load_per_day": st.floats(0, 0.1),
    "program.disengagement_per_day": st.floats(0, 0.1),
    "contact.match_bonus": st.floats(0, 2),
    "program.diagnosis_matching": st.booleans(),
    "program.self_management_workbook": st.booleans(),
    "contact.self_management_multiplier": st.floats(0, 3),
    "program.max_contacts": st.integers(0, 12),
    "program.min_prior_admissions": st.integers(0, 3),
    "program.lookback_days": st.sampled_from([0, 365, 730]),
    "program.respite_places_per_1000": st.floats(1, 20),
    "population.forensic_share": st.floats(0, 0.5),
    "population.n": st.integers(1000, 1500),
    "network.mean_degree": st.sampled_from([2, 4, 6]),
    "network.rewiring": st.floats(0, 1),
    "care.beds_per_1000": st.floats(0, 40),
    "care.clinician_capacity": st.integers(1, 20),
    "care.diversion_days": st.integers(1, 30),
    "care.followup_rate_per_day": st.floats(0, 1),
    "care.admission_hope_loss": st.floats(0, 1),
    "care.post_discharge_log_hr": st.floats(0, 4),
    "care.post_crisis_team_log_hr": st.floats(0, 4),
    "care.post_respite_log_hr": st.floats(0, 4),
    "care.recent_admission_log_hr": st.floats(0, 1),
    "care.network_spillover_per_day": st.sampled_from([0.0, 0.005, 0.5]),
    "program.workers_per_1000": st.floats(1, 60),
    "program.caseload_capacity": st.integers(1, 15),
    "program.uptake": st.floats(0, 1),
    "program.contacts_per_week": st.floats(0, 7),
    "program.fidelity": st.floats(0, 1),
    "contact.hope_gain": st.floats(0, 0.5),  # psa=default draws around them: a beta needs room on both sides
    "contact.engagement_gain": st.floats(0, 0.5),
    "program.duration_days": st.integers(1, 200),
    "burn_in_days": st.integers(0, 30),
    "horizon_days": st.integers(31, 60),
    "seed": st.integers(0, 2**40),
})


EXAMPLES = int(os.environ.get("SIM_HYPOTHESIS_EXAMPLES", "12"))
TRIAL = ("trial.sample_size=200", "trial.recruitment_days=20", "trial.follow_up_days=10")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=configs, hazard_scale=st.floats(1, 30))
def test_random_valid_configs_keep_invariants_and_engines_agree(values, hazard_scale, tmp_path_factory):
    base = np.array([0.0008, 0.00065, 0.001]) * hazard_scale
    if values["network"] == "file":
        edges = tmp_path_factory.mktemp("net") / "edges.txt"
        n = values["population.n"]
        edges.write_text("".join(f"{i} {(i + 1) % n}\n{i} {(i + 5) % n}\n" for i in range(n)))
        values = {**values, "network.path": str(edges)}
        del values["network.mean_degree"], values["network.rewiring"]
    if values["trial"] == "core" and values["program"] == "crisis_respite":
        values = {**values, "trial": "none"}  # a trial cannot randomise at a crisis (a config error)
    if values["trial"] == "core":
        values = {**values, "horizon_days": max(values["horizon_days"], 31)}
    # group choices first, so the keys that follow override the chosen files
    overrides = sorted((f"{k}={v}" for k, v in values.items()), key=lambda o: "." in o.split("=")[0])
    overrides += ["primary_outcome=readmission_30", "debug=true", "network.blocks=2", "network.within_share=0.8",
                  f"care.relapse_base_per_day=[{base[0]},{base[1]},{base[2]}]"]
    if values["trial"] == "core":
        overrides += list(TRIAL)
    cfg = make_cfg(*overrides)
    cfg, _ = sample(cfg, replication_seed(cfg.seed, 0))  # psa=default: this replication's draws
    fast = CareSystemModel(cfg, engine="numba").run()  # debug=true: invariants checked every day
    reference = CareSystemModel(cfg, engine="mesa").run()
    np.testing.assert_array_equal(fast.events, reference.events)
    np.testing.assert_array_equal(fast.patients.hope, reference.patients.hope)
    np.testing.assert_array_equal(fast.workers.burnout, reference.workers.burnout)
    for column in ("trial_arm", "trial_admissions", "admission_days", "last_episode_end_day", "peer_worker"):
        np.testing.assert_array_equal(getattr(fast.patients, column), getattr(reference.patients, column))
