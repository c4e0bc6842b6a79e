"""The model corrections of the second domain model, each with a test that failed before it: random-priority
allocation, acute episodes of three kinds, admission history, network spillover as an option, no
patient-to-peer recruitment, and a length of stay with the configured mean."""

import numpy as np
import pytest

from sim.analysis.history import readmission_by_history
from sim.analysis.outcomes import readmission_rates
from sim.engines.model import CareSystemModel
from sim.engines.pathway import recent_admissions
from sim.model import streams
from sim.model.columns import HISTORY, NEVER, NO_WORKER
from sim.model.parameters import rules_from_config
from sim.model.rules import length_of_stay, relapse_probability

from .conftest import compose_raw, make_cfg

SHORT = ("burn_in_days=0", "primary_outcome=readmission_30")


def test_day_zero_enrolment_is_spread_over_the_ring():
    """A programme open to everyone fills its slots on day 0. In index order it enrolled one arc of the
    small-world ring (each enrolled patient's ring neighbour enrolled too); by random priority an enrolled
    patient's neighbour is enrolled about as often as anyone is (index order: 18% against 7.5% of all; random
    priority: 6.3%). Both engines agree on who."""
    cfg = make_cfg("population.n=3000", *SHORT, "horizon_days=60", "program=intentional_peer_support",
                   "network.rewiring=0.0")
    enrolled = {}
    for engine in ("numba", "mesa"):
        model = CareSystemModel(cfg, engine=engine)
        model.step()
        enrolled[engine] = model.patients.peer_worker != NO_WORKER
    np.testing.assert_array_equal(enrolled["numba"], enrolled["mesa"])
    e = enrolled["numba"]
    share = e.mean()
    assert 0.05 < share < 0.5  # slots bind: the allocation rule decides who gets one
    neighbour_share = (e & np.roll(e, -1)).sum() / e.sum()
    assert neighbour_share < 1.3 * share, (neighbour_share, share)


def test_the_last_beds_do_not_go_by_patient_index():
    """With beds scarce, crises compete for the last bed every day. Patients' attributes do not depend on
    their index, so neither may their chance of a bed. Ward admissions per patient in the two halves,
    pooled over four seeds: in index order the low half had 3,550 and the high half 14 (Welch t = 34); by
    random priority the difference is noise."""
    low, high = [], []
    for seed in range(4):
        cfg = make_cfg("population.n=4000", *SHORT, "horizon_days=730", "care.beds_per_1000=3",
                       "care.relapse_base_per_day=[0.003,0.003,0.003]", f"seed={seed}")
        model = CareSystemModel(cfg).run()
        assert model.events[:, 7].sum() > 0.3 * model.events[:, 0].sum()  # many crises diverted: beds bind
        half = cfg.population.n // 2
        low.append(model.patients.admissions[:half])
        high.append(model.patients.admissions[half:])
    low, high = np.concatenate(low), np.concatenate(high)
    t = (low.mean() - high.mean()) / np.sqrt(low.var(ddof=1) / low.size + high.var(ddof=1) / high.size)
    assert abs(t) < 3, (low.sum(), high.sum(), t)


@pytest.mark.parametrize("ratio", [0.5, 0.693, 0.72, 0.9])
def test_length_of_stay_has_the_configured_mean_and_median(ratio):
    """Stays are Weibull with the diagnosis' mean and the setting's median-to-mean ratio, rounded to whole days:
    the sample's mean and median are the configured ones (a geometric stay, used before, had only the mean)."""
    cfg = make_cfg(f"care.median_to_mean_los={ratio}", "care.mean_los_days=[30.0,25.0,20.0]")
    r = rules_from_config(cfg, cfg.program)
    u = streams.draws(streams.replication_seed(1, 0), streams.LENGTH_OF_STAY, 0, 200_000)
    for diagnosis, mean in enumerate(cfg.care.mean_los_days):
        stays = np.array([length_of_stay(r, diagnosis, 0, x) for x in u])
        assert stays.min() >= 1
        assert abs(stays.mean() - mean) < 0.015 * mean, (stays.mean(), mean)  # rounding adds <0.4% at 20 days
        assert abs(np.median(stays) - ratio * mean) <= 0.5 + 0.01 * mean, (np.median(stays), ratio * mean)


def _diverted_only(*overrides):
    """Every crisis goes to the crisis team (no beds): the readmissions to acute care that follow."""
    cfg = make_cfg("population.n=2000", *SHORT, "horizon_days=365", "care.beds_per_1000=0", *overrides)
    model = CareSystemModel(cfg).run()
    return readmission_rates(model.events, 0, model.n_days), model


def test_risk_follows_the_end_of_a_crisis_team_episode():
    """Before, only a ward discharge raised the risk of another crisis: a crisis-team episode was followed by
    nothing, so in the model an admission caused risk. Now every acute episode is, at its own size."""
    without, model = _diverted_only("care.post_crisis_team_log_hr=0.0")
    with_risk, _ = _diverted_only("care.post_crisis_team_log_hr=2.5")
    assert model.events[:, 0].sum() == 0  # no ward admissions at all
    assert np.isnan(without["readmission_30"])  # no ward discharges: no readmission to a bed
    assert with_risk["acute_readmission_30"] > 1.5 * without["acute_readmission_30"] > 0


def test_the_core_trial_counts_any_acute_episode_as_its_outcome():
    """CORE's primary outcome is readmission to acute care; with no beds, every readmission is a crisis-team
    episode, which a trial counting beds would miss."""
    trial = ("program=self_management", "trial=core", "trial.recruitment_days=200", "trial.follow_up_days=150",
             "care.beds_per_1000=0", "population.n=3000", "burn_in_days=0", "horizon_days=366")
    acute = CareSystemModel(make_cfg(*trial)).run().patients
    bed = CareSystemModel(make_cfg(*trial, "trial.outcome=bed")).run().patients
    assert make_cfg(*trial).trial.outcome == "acute"
    assert (acute.trial_arm >= 0).sum() > 50
    assert acute.trial_admissions.sum() > 0 == bed.trial_admissions.sum()


def test_recruiting_peer_workers_from_patients_is_gone():
    """It changed nothing but a counter; the key is now refused rather than silently ignored."""
    with pytest.raises(Exception, match="recruit_from_patients"):
        compose_raw("workforce.recruit_from_patients=0.3")


def test_each_patient_keeps_the_days_of_their_latest_admissions():
    cfg = make_cfg("population.n=2000", *SHORT, "horizon_days=365")
    model = CareSystemModel(cfg).run()
    p = model.patients
    kept = (p.admission_days != NEVER).sum(axis=1)
    np.testing.assert_array_equal(kept, np.minimum(HISTORY, p.prior_admissions + p.admissions))
    days = p.admission_days[p.admission_days != NEVER]
    assert days.min() >= -cfg.population.prior_history_days and days.max() < model.n_days


def test_targeting_by_admissions_in_a_look_back_window():
    """peer_mentoring targets 3+ admissions in 18 months (Sledge 2011): everyone enrolled qualified that day."""
    cfg = make_cfg("population.n=3000", *SHORT, "horizon_days=200", "program=peer_mentoring",
                   "care.relapse_base_per_day=[0.003,0.003,0.003]")
    assert (cfg.program.min_prior_admissions, cfg.program.lookback_days) == (3, 548)
    model = CareSystemModel(cfg)
    p = model.patients
    enrolled = 0
    while not model.finished:
        before = p.peer_worker.copy()
        model.step()
        new = np.flatnonzero((before == NO_WORKER) & (p.peer_worker != NO_WORKER))
        day = model.day - 1
        for i in new:
            assert recent_admissions(p.admission_days, i, day, 548) >= 3
        enrolled += new.size
    assert enrolled > 0
    assert ((p.prior_admissions + p.admissions)[p.peer_worker != NO_WORKER] >= 3).all()


def test_recent_admissions_raise_the_hazard_and_readmission_rises_with_history():
    """The hazard term, when on; and, at the defaults, readmission rising with admissions in the year before."""
    cfg = make_cfg()
    r = rules_from_config(cfg, cfg.program)
    r = r._replace(daily=r.daily._replace(recent_admission_log_hr=0.2))  # off by default: on here
    risks = [relapse_probability(r, 0, 1, 0, 0.5, 0.5, 0.5, 0.5, 10_000, 1, 10_000, k) for k in range(4)]
    assert risks == sorted(risks) and risks[0] < risks[3]
    model = CareSystemModel(make_cfg("population.n=10000", "horizon_days=730")).run()
    table = readmission_by_history(model.patients, model.n_days)
    rates = [table[g]["readmitted_365"] / table[g]["n"] for g in ("0", "1", "3+")]
    assert rates == sorted(rates), table


def test_network_spillover_is_an_option_that_makes_neighbours_alike():
    """On, each day pulls hope toward the neighbours' mean, so neighbours' hope correlates; off (the default,
    on the evidence), it does not move anyone's hope."""
    assert make_cfg().care.network_spillover_per_day == 0.0
    correlation = {}
    for spillover in (0.0, 0.2):
        cfg = make_cfg("population.n=2000", *SHORT, "horizon_days=60", "program=usual_care",
                       f"care.network_spillover_per_day={spillover}")
        model = CareSystemModel(cfg).run()
        hope = model.resources_today()[0]
        net = model.network
        owner = np.repeat(np.arange(hope.size), np.diff(net.indptr))
        correlation[spillover] = np.corrcoef(hope[owner], hope[net.indices])[0, 1]
    assert correlation[0.2] > correlation[0.0] + 0.2, correlation
