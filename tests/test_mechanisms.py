"""Each mechanism pushes in the direction the evidence says, in the same random world (paired seeds).

Effects are paired differences programme - usual care, averaged over a few
replications of a small care system; settings that make a mechanism visible
are chosen per test and stated.
"""

import numpy as np
import pandas as pd
import pytest

from sim.engines.agents import Patient
from sim.engines.kernels import begin_day_kernel
from sim.engines.model import CareSystemModel
from sim.experiment.replications import run_replication
from sim.model.columns import NO_WORKER

from .conftest import make_cfg

BASE = ("population.n=3000", "burn_in_days=90", "horizon_days=400", "primary_outcome=readmission_30")


def outcomes(*overrides, replications=3):
    """Per-arm means and the mean paired difference of every outcome."""
    cfg = make_cfg(*BASE, *overrides)
    table = pd.DataFrame([row for r in range(replications) for row in run_replication(cfg, r)])
    arms = table.groupby("arm", sort=False).mean(numeric_only=True)
    return arms.loc[cfg.program.name], arms.loc[cfg.program.name] - arms.loc["usual_care"]


def test_supervision_lowers_burnout_and_strengthens_the_effect():
    # burnout matters a lot here: it takes the whole effect of a contact at burnout 1
    heavy = ("workforce.burnout_effect_loss=1.0", "workforce.burnout_load_per_day=0.02")
    none, none_effect = outcomes(*heavy, "workforce.supervision_hours_per_week=0")
    lots, lots_effect = outcomes(*heavy, "workforce.supervision_hours_per_week=4")
    assert lots["mean_burnout"] < none["mean_burnout"]
    assert lots_effect["admissions_per_1000py"] < none_effect["admissions_per_1000py"] < 0


def test_fading_engagement_shrinks_the_effect():
    _, steady = outcomes("program.disengagement_per_day=0.0")
    _, fading = outcomes("program.disengagement_per_day=0.05")  # ~25% still engaged at 30 days (ED programmes)
    assert steady["admissions_per_1000py"] < fading["admissions_per_1000py"]
    assert steady["peer_contacts_per_1000py"] > fading["peer_contacts_per_1000py"]


def test_fidelity_strengthens_the_effect():
    _, low = outcomes("program.fidelity=0.1")
    _, high = outcomes("program.fidelity=1.0")
    assert high["admissions_per_1000py"] < low["admissions_per_1000py"]


def test_lived_experience_match_strengthens_the_effect():
    _, plain = outcomes("contact.match_bonus=0.0")
    _, matched = outcomes("contact.match_bonus=2.0")
    assert matched["admissions_per_1000py"] < plain["admissions_per_1000py"]


def test_role_ambiguity_stigma_and_extra_duties_raise_burnout_and_turnover():
    good, _ = outcomes("workforce.clinician_acceptance=1.0", "workforce.colleague_stigma=0.0",
                       "workforce.extra_duties=0.0")
    bad, _ = outcomes("workforce.clinician_acceptance=0.0", "workforce.colleague_stigma=1.0",
                      "workforce.extra_duties=0.8")
    assert bad["mean_burnout"] > good["mean_burnout"]
    assert bad["turnover_per_post_year"] > good["turnover_per_post_year"]


def test_fuller_caseloads_raise_burnout():
    light, _ = outcomes("program.caseload_capacity=30", "program.workers_per_1000=5")
    full, _ = outcomes("program.caseload_capacity=9", "program.workers_per_1000=2")
    assert full["mean_burnout"] > light["mean_burnout"]


def test_burnout_raises_absence():
    calm, _ = outcomes("workforce.absence_burnout_log_or=0.0", "workforce.burnout_load_per_day=0.05")
    strained, _ = outcomes("workforce.absence_burnout_log_or=4.0", "workforce.burnout_load_per_day=0.05")
    assert strained["absence_share"] > calm["absence_share"]


def test_hiring_delay_leaves_posts_vacant():
    fast, _ = outcomes("workforce.hiring_delay_days=0", "workforce.quit_per_day=0.005")
    slow, _ = outcomes("workforce.hiring_delay_days=180", "workforce.quit_per_day=0.005")
    assert fast["vacancy_share"] == 0.0 < slow["vacancy_share"]
    assert slow["cost_peer_workers"] < fast["cost_peer_workers"]


def test_crisis_respite_replaces_admissions_with_respite_stays():
    arm, effect = outcomes("program=crisis_respite")
    assert arm["respite_stays_per_1000py"] > 0
    assert effect["admissions_per_1000py"] < 0 and effect["bed_days_per_1000py"] < 0
    assert arm["cost_respite"] > 0


def test_mutual_help_ties_carry_a_members_hope_to_the_others():
    def risk_gap(ties):
        """Mean relapse risk of a group's other members when its first member has no hope, less with full hope."""
        risks = []
        for hope in (0.0, 1.0):
            model = CareSystemModel(make_cfg(*BASE, "program=mutual_help", f"program.group_ties={ties}"))
            for _ in range(2):
                model.step()
            members = np.flatnonzero(model.patients.peer_worker == 0)
            assert members.size > 2
            model.set_resources([members[0]], hope=hope)
            begin_day_kernel(model.patients, model.workers, model.clinicians, model.snapshot, model.rules,
                             model.events, model.n_beds, model.n_respite, model.day,
                             np.arange(model.cfg.population.n, dtype=np.int32), model.cfg.population.n,
                             np.empty(model.cfg.population.n, np.int32))
            agents = list(model.agents_by_type[Patient])
            risks.append(np.mean([agents[i].relapse_risk() for i in members[1:]]))
        return risks[0] - risks[1]

    assert risk_gap("true") > risk_gap("false") >= 0.0


def test_targeting_enrols_only_eligible_patients():
    cfg = make_cfg(*BASE, "program=peer_mentoring", "program.diagnoses=[true,false,true]",
                   "program.age_groups=[false,true,true]", "program.forensic=false")
    model = CareSystemModel(cfg)
    enrolled_ever = np.zeros(cfg.population.n, bool)
    for _ in range(365):  # a year: England's readmission rates make high utilisers rarer than before
        model.step()
        enrolled_ever |= model.patients.peer_worker != NO_WORKER
    p = model.patients
    assert enrolled_ever.sum() > 10
    assert (p.diagnosis[enrolled_ever] != 1).all() and (p.age_group[enrolled_ever] != 0).all()
    assert (p.forensic[enrolled_ever] == 0).all()
    assert (p.prior_admissions[enrolled_ever] + p.admissions[enrolled_ever] >= 2).all()


def test_dose_cap_limits_contacts():
    cfg = make_cfg(*BASE, "program=self_management", "program.contacts_per_week=7")
    model = CareSystemModel(cfg)
    most = 0
    for _ in range(150):
        model.step()
        most = max(most, int(model.patients.programme_contacts.max()))
    assert most == 10


@pytest.mark.parametrize("family", ["small_world", "scale_free", "community"])
def test_network_families_have_the_configured_mean_degree(family):
    cfg = make_cfg(*BASE, f"network={family}")
    model = CareSystemModel(cfg)
    degree = np.diff(model.network.indptr)
    assert abs(degree.mean() - cfg.network.mean_degree) < 1.0
    if family == "scale_free":
        assert degree.max() > 5 * cfg.network.mean_degree  # hubs


def test_forensic_patients_stay_longer_and_youth_relapse_more():
    cfg = make_cfg(*BASE, "population.forensic_share=0.3", "program=usual_care")
    model = CareSystemModel(cfg).run()
    p = model.patients
    # admissions per patient by group: youth (log HR +0.2) above older adults (-0.2)
    assert p.admissions[p.age_group == 0].mean() > p.admissions[p.age_group == 2].mean()
    # stays: forensic patients in hospital at the end have more days left on average
    inpatient = p.state == 1
    assert p.days_left[inpatient & (p.forensic == 1)].mean() > p.days_left[inpatient & (p.forensic == 0)].mean()


def test_a_peer_worker_makes_a_due_follow_up_likelier_and_both_engines_agree():
    """The how-to's example mechanism (`program.peer_followup_odds_ratio`): off at 1, it changes nothing; at 4
    the programme arm gets more clinician follow-ups than with it off, on the same seeds, while usual care
    (no peer workers) is untouched; and the Mesa engine, which calls the same decision, agrees."""
    off, off_effect = outcomes()
    on, on_effect = outcomes("program.peer_followup_odds_ratio=4.0")
    assert on["followups_per_1000py"] > off["followups_per_1000py"]
    assert on["followups_per_1000py"] - on_effect["followups_per_1000py"] \
        == off["followups_per_1000py"] - off_effect["followups_per_1000py"]  # usual care's, unchanged
    cfg = make_cfg("population.n=600", "burn_in_days=0", "horizon_days=200", "primary_outcome=readmission_30",
                   "program.peer_followup_odds_ratio=4.0")
    numba_run = CareSystemModel(cfg, engine="numba").run()
    mesa_run = CareSystemModel(cfg, engine="mesa").run()
    assert np.array_equal(numba_run.events, mesa_run.events)
    for name in numba_run.patients._fields:
        assert np.array_equal(getattr(numba_run.patients, name), getattr(mesa_run.patients, name)), name
