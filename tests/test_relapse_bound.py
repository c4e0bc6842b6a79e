"""Exact early rejection: the Numba engine's relapse bound is never below the relapse probability on any
day it is used for, so skipping the exact hazard when the day's draw is at or above it cannot change an
outcome."""

import ast
import inspect
import textwrap

import numba
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.parameters import rules_from_config
from sim.model.rules import (
    BOUND_SLACK,
    POST_DISCHARGE_DAYS,
    daily_relapse_bound,
    daily_relapse_probability,
    drifted,
    fixed_log_hr,
    post_discharge_factor,
    relapse_bound_from,
    relapse_probability,
)

from .conftest import make_cfg

DEFAULT = make_cfg()
RULES = rules_from_config(DEFAULT, DEFAULT.program)
unit = st.floats(0.0, 1.0)
log_hr = st.floats(0.0, 10.0)
NEVER_DISCHARGED = 2**30  # days since discharge of a patient never discharged (day - NEVER)


@settings(max_examples=500, deadline=None)
@given(severity=unit, hope=unit, baseline_hope=unit, engagement=unit, baseline_engagement=unit,
       neighbours=unit, diagnosis=st.integers(0, 2), age_group=st.integers(0, 2), forensic=st.integers(0, 1),
       since_discharge=st.integers(0, 2 * POST_DISCHARGE_DAYS) | st.just(NEVER_DISCHARGED),
       later=st.integers(0, 2000), since_followup=st.integers(-(2**30), 400),
       hope_hr=log_hr, engagement_hr=log_hr, network_hr=st.floats(-10.0, 10.0),
       followup_hr=st.floats(-10.0, 10.0), post_hr=log_hr, severity_hr=st.floats(-5.0, 5.0),
       hope_decay=st.floats(0.0, 5.0), engagement_decay=st.floats(0.0, 5.0), base=st.floats(1e-9, 0.5),
       kind=st.integers(1, 3), recent=st.integers(0, 8), aged_out=st.integers(0, 8),
       recent_hr=st.floats(0.0, 5.0), crisis_team_hr=log_hr, respite_hr=log_hr)
def test_the_bound_holds_on_every_later_day(severity, hope, baseline_hope, engagement, baseline_engagement,
                                            neighbours, diagnosis, age_group, forensic, since_discharge, later,
                                            since_followup, hope_hr, engagement_hr, network_hr, followup_hr,
                                            post_hr, severity_hr, hope_decay, engagement_decay, base, kind, recent,
                                            aged_out, recent_hr, crisis_team_hr, respite_hr):
    """Set when hope and engagement were last set (or at the end of an episode of any kind), the bound covers
    every later day until they change again: whatever the neighbours' hope and the follow-up, however far
    they drifted, and however many recent admissions have since left the history window."""
    daily = RULES.daily._replace(hope_log_hr=hope_hr, engagement_log_hr=engagement_hr, network_log_hr=network_hr,
                                 followup_log_hr=followup_hr, post_discharge_log_hr=post_hr,
                                 post_crisis_team_log_hr=crisis_team_hr, post_respite_log_hr=respite_hr,
                                 recent_admission_log_hr=recent_hr, hope_decay=hope_decay,
                                 engagement_decay=engagement_decay)
    r = RULES._replace(severity_log_hr=severity_hr, relapse_base=(base, base, base), daily=daily)
    bound = relapse_bound_from(daily, base, fixed_log_hr(r, age_group, forensic, severity), hope, baseline_hope,
                               engagement, baseline_engagement, since_discharge, kind, recent)
    risk = relapse_probability(r, diagnosis, age_group, forensic, severity,
                               drifted(hope, baseline_hope, hope_decay, later),
                               drifted(engagement, baseline_engagement, engagement_decay, later), neighbours,
                               since_discharge + later, kind, since_followup, max(0, recent - aged_out))
    assert risk <= bound + BOUND_SLACK


@settings(max_examples=300, deadline=None)
@given(severity=unit, hope=unit, baseline_hope=unit, pulled_hope=unit, engagement=unit, baseline_engagement=unit,
       neighbours=unit, since_discharge=st.integers(0, 2 * POST_DISCHARGE_DAYS) | st.just(NEVER_DISCHARGED),
       later=st.integers(0, 2000), hope_hr=log_hr, network_hr=st.floats(-10.0, 10.0), post_hr=log_hr,
       base=st.floats(1e-9, 0.5), kind=st.integers(1, 3), recent=st.integers(0, 8))
def test_with_network_spillover_the_bound_holds_whatever_the_pulls_did_to_hope(
        severity, hope, baseline_hope, pulled_hope, engagement, baseline_engagement, neighbours, since_discharge,
        later, hope_hr, network_hr, post_hr, base, kind, recent):
    """Spillover pulls hope toward the neighbours' mean every day, out of the range between its value and
    baseline: set once, the bound still covers any hope in [0, 1] on every later day, so the Numba engine
    need not recompute anyone's bound after the pulls."""
    daily = RULES.daily._replace(hope_log_hr=hope_hr, network_log_hr=network_hr, post_discharge_log_hr=post_hr,
                                 post_crisis_team_log_hr=post_hr, post_respite_log_hr=post_hr,
                                 network_spillover=0.005)
    r = RULES._replace(relapse_base=(base, base, base), daily=daily)
    fixed = fixed_log_hr(r, 1, 0, severity)
    bound = relapse_bound_from(daily, base, fixed, hope, baseline_hope, engagement, baseline_engagement,
                               since_discharge, kind, recent)
    risk = daily_relapse_probability(daily, base, fixed, pulled_hope,
                                     drifted(engagement, baseline_engagement, daily.engagement_decay, later),
                                     neighbours, since_discharge + later, kind, 400, recent)
    assert risk <= bound + BOUND_SLACK


def test_the_compiled_bound_equals_the_python_one():
    daily = RULES.daily
    compiled = numba.njit(relapse_bound_from)
    for hope in np.linspace(0, 1, 5):
        for since in (0, 7, 100, POST_DISCHARGE_DAYS + 1, NEVER_DISCHARGED):
            args = (daily, 0.001, 0.3, hope, 0.5, 1 - hope, 0.6, since, 1 + int(hope * 2), 2)
            assert compiled(*args) == relapse_bound_from(*args)


def test_the_bound_rejects_most_patient_days_at_the_defaults():
    """The point of the bound: with the default rules nearly every day's draw is above it (about 0.1-0.2%
    of days need the exact hazard); a bound near 1 would make the shortcut useless."""
    r = RULES
    settled = [relapse_bound_from(r.daily, r.relapse_base[d], fixed_log_hr(r, a, f, 0.5), 0.5, 0.5, 0.5, 0.5,
                                  NEVER_DISCHARGED, 1, 0) for d in range(3) for a in range(3) for f in range(2)]
    assert max(settled) < 0.01


def _daily_terms(function):
    """The `daily.<name>` parameters a rule's source reads."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(getattr(function, "py_func", function))))
    return {node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "daily"}


def test_every_term_of_the_hazard_has_a_counterpart_in_its_bound():
    """A term added to the relapse hazard without its counterpart in the early-rejection bound would let the
    Numba engine skip crises the Mesa engine finds. Every parameter the hazard reads must be read by the bound
    too, except the follow-up window's length: the bound allows the protection to be on or off
    (max(0, -followup_log_hr)), whatever the window."""
    hazard = _daily_terms(daily_relapse_probability)
    bound = _daily_terms(daily_relapse_bound) | _daily_terms(post_discharge_factor)
    assert hazard, "no daily.<name> read by the hazard: the test no longer sees its terms"
    assert hazard - bound == {"followup_protection_days"}, hazard - bound
