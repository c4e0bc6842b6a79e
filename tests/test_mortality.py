"""Deaths: excess all-cause mortality of serious mental illness and suicide after discharge, in both engines;
the dead accrue nothing, and QALYs move with deaths, location and hope."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.economics import arm_economics, living
from sim.engines.invariants import violations
from sim.engines.model import CareSystemModel
from sim.errors import ConfigError
from sim.model import events as ev
from sim.model.columns import ALIVE, DEAD, NO_WORKER
from sim.model.parameters import rules_from_config
from sim.model.rules import death_probability, fixed_mortality, suicide_excess

from .conftest import make_cfg

DEFAULT = make_cfg()
RULES = rules_from_config(DEFAULT, DEFAULT.program)
NO_RELAPSE = "care.relapse_base_per_day=[0.0,0.0,0.0]"


def test_engines_agree_when_many_die():
    """High mortality, a targeted programme: deaths in the community and in care, of patients with peer
    workers and neighbours, the same in both engines, column by column."""
    cfg = make_cfg("population.n=400", "burn_in_days=100", "horizon_days=400", "program=peer_mentoring",
                   "care.general_mortality_per_year=[0.05,0.05,0.1]")
    fast = CareSystemModel(cfg, engine="numba").run()
    reference = CareSystemModel(cfg, engine="mesa").run()
    assert fast.events[:, ev.DEATHS].sum() > 30
    np.testing.assert_array_equal(fast.events, reference.events)
    for name in fast.patients._fields:
        np.testing.assert_array_equal(getattr(fast.patients, name), getattr(reference.patients, name), err_msg=name)
    assert violations(fast) == []


def test_without_crises_deaths_follow_the_configured_all_cause_rate():
    """No relapse, so no discharges: the death rate is general mortality x the diagnosis's rate ratio."""
    cfg = make_cfg("population.n=20000", "burn_in_days=0", "horizon_days=730", NO_RELAPSE,
                   "care.general_mortality_per_year=[0.02,0.02,0.02]")
    model = CareSystemModel(cfg).run()
    p = model.patients
    expected = sum(fixed_mortality(RULES._replace(general_mortality=(0.02,) * 3), a, d)
                   for a, d in zip(p.age_group, p.diagnosis, strict=True))  # deaths per year if nobody died
    years = cfg.horizon_days / 365.0
    deaths = int(model.events[:, ev.DEATHS].sum())
    at_risk_years = living(model.events, cfg.population.n).sum() / 365.0
    rate = deaths / at_risk_years
    target = expected / cfg.population.n
    assert abs(rate - target) < 3 * math.sqrt(deaths) / at_risk_years, (rate, target, years)


def test_suicide_risk_is_raised_after_discharge():
    """The excess after a discharge falls by window and ends after a year; the long-term rate the all-cause
    term holds is taken off."""
    d = RULES.daily
    excess = [suicide_excess(d, days) for days in (0, 7, 8, 30, 31, 91, 92, 365, 366, 2**30, -1)]
    long_term = DEFAULT.care.suicide_long_term_per_year
    published = DEFAULT.care.suicide_after_discharge_per_year
    assert excess[:8] == pytest.approx([published[0] - long_term] * 2 + [published[1] - long_term] * 2
                                       + [published[2] - long_term] * 2 + [published[3] - long_term] * 2)
    assert excess[8:] == [0.0, 0.0, 0.0]
    assert excess == sorted(excess, reverse=True)[:8] + [0.0] * 3
    mortality = fixed_mortality(RULES, 1, 0)
    rate = -math.log1p(-death_probability(d, mortality, 3, True)) * 365.0  # per year
    assert rate == pytest.approx(mortality + published[0] - long_term, rel=1e-9)
    assert rate > 4 * -math.log1p(-death_probability(d, mortality, 400, True)) * 365.0
    assert death_probability(d, mortality, 3, False) == death_probability(d, mortality, 400, True)


@settings(max_examples=200, deadline=None)
@given(since=st.integers(0, 800) | st.just(2**30), later=st.integers(0, 800), age=st.integers(0, 2),
       diagnosis=st.integers(0, 2))
def test_the_chance_of_death_never_rises_until_the_next_discharge(since, later, age, diagnosis):
    """What makes the early-rejection bound exact with deaths: today's chance bounds every later day's."""
    mortality = fixed_mortality(RULES, age, diagnosis)
    assert death_probability(RULES.daily, mortality, since + later, True) <= \
        death_probability(RULES.daily, mortality, since, True)


def test_the_dead_accrue_nothing():
    cfg = make_cfg("population.n=2000", "burn_in_days=0", "horizon_days=365", "primary_outcome=readmission_30",
                   "program=intentional_peer_support",
                   "care.general_mortality_per_year=[0.2,0.2,0.2]")
    model = CareSystemModel(cfg).run()
    p = model.patients
    dead = p.state == DEAD
    assert dead.sum() == model.events[:, ev.DEATHS].sum() > 300
    assert (p.death_day[dead] < model.n_days).all() and (p.death_day[~dead] == ALIVE).all()
    assert (p.peer_worker[dead] == NO_WORKER).all() and (p.days_left[dead] == 0).all()
    # nobody is admitted after death: admission days never follow the death day
    assert (p.admission_days[dead] < p.death_day[dead, None]).all()
    # every day's living hold every bed-day, crisis-team day and respite day
    alive = living(model.events, cfg.population.n)
    held = model.events[:, ev.BED_DAYS] + model.events[:, ev.CRISIS_DAYS] + model.events[:, ev.RESPITE_DAYS]
    assert (held <= alive).all()


def test_qalys_are_the_location_part_plus_the_health_part_and_fall_with_deaths():
    cfg = make_cfg("population.n=1000", "burn_in_days=0", "horizon_days=365", "primary_outcome=readmission_30")
    model = CareSystemModel(cfg).run()
    row = arm_economics(model.events, model.extension_costs, 0, 1000, model.program, cfg.workforce, cfg.care, cfg.costs,
                        cfg.economics)
    assert row["qalys_discounted"] == pytest.approx(row["qalys_location_discounted"] + row["qalys_health_discounted"],
                                                    rel=1e-12)
    assert row["qalys_health_discounted"] != 0.0
    more_deaths = model.events.copy()
    more_deaths[10, ev.DEATHS] += 100  # a hundred more die on day 10, all from the community
    fewer = arm_economics(more_deaths, model.extension_costs, 0, 1000, model.program, cfg.workforce, cfg.care,
                          cfg.costs, cfg.economics)
    lost_days = 100 * (365 - 10)
    assert row["life_years"] - fewer["life_years"] == pytest.approx(lost_days / 365.0 / 1000, rel=1e-9)
    assert row["qalys_location_discounted"] > fewer["qalys_location_discounted"]


def test_hope_moves_qalys_in_proportion_to_utility_per_hope():
    """Undiscounted, the health part is utility_per_hope x the living's patient-days of hope above 0.5."""
    cfg = make_cfg("population.n=1000", "burn_in_days=0", "horizon_days=365", "primary_outcome=readmission_30",
                   "economics.discount_rate_outcomes=0.0")
    model = CareSystemModel(cfg).run()
    hope_days = model.events[:, ev.HOPE_ABOVE_HALF_MICRO].sum() * 1e-6  # patient-days x (hope - 0.5)
    assert hope_days != 0.0
    row = arm_economics(model.events, model.extension_costs, 0, 1000, model.program, cfg.workforce, cfg.care, cfg.costs,
                        cfg.economics)
    assert row["qalys_health_discounted"] == pytest.approx(cfg.economics.utility_per_hope * hope_days / 365.0 / 1000,
                                                           rel=1e-9)


def test_mortality_needs_all_its_keys():
    with pytest.raises(ConfigError, match="care.mortality_rate_ratio = null"):
        make_cfg("care.mortality_rate_ratio=null")


def test_a_suicide_rate_that_rises_after_discharge_is_refused():
    """A rising rate would break the exact early rejection (today's chance of death bounds later days')."""
    with pytest.raises(ConfigError, match="care.suicide_after_discharge_per_year"):
        make_cfg("care.suicide_after_discharge_per_year=[0.0,0.5,0.5,0.5]")


def test_without_mortality_nobody_dies_and_results_do_not_move():
    """Switching mortality off (every key null) leaves no deaths; with it off the relapse draw decides
    crises exactly as before (u below the relapse probability)."""
    off = ("care.general_mortality_per_year=null", "care.mortality_rate_ratio=null",
           "care.suicide_after_discharge_per_year=null", "care.suicide_long_term_per_year=null")
    cfg = make_cfg("population.n=1000", "burn_in_days=0", "horizon_days=365", "primary_outcome=readmission_30", *off)
    model = CareSystemModel(cfg).run()
    assert model.events[:, ev.DEATHS].sum() == 0
    assert model.events[:, ev.ADMISSIONS].sum() > 0
