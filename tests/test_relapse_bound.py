"""Exact early rejection: `relapse_bound` is never below `relapse_probability`, so skipping the exact
hazard when the day's draw is at or above the bound cannot change an outcome."""

import numba
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.rules import POST_DISCHARGE_DAYS, relapse_bound, relapse_probability, rules_from_config

from .conftest import make_cfg

DEFAULT = make_cfg()
RULES = rules_from_config(DEFAULT, DEFAULT.program)
unit = st.floats(0.0, 1.0)
log_hr = st.floats(0.0, 10.0)


@settings(max_examples=500, deadline=None)
@given(severity=unit, hope=unit, engagement=unit, neighbours=unit, diagnosis=st.integers(0, 2),
       age_group=st.integers(0, 2), forensic=st.integers(0, 1),
       since_discharge=st.integers(-(2**30), 2 * POST_DISCHARGE_DAYS),
       since_followup=st.integers(-(2**30), 400),
       hope_hr=log_hr, engagement_hr=log_hr, network_hr=st.floats(-10.0, 10.0),
       followup_hr=st.floats(-10.0, 10.0), post_hr=log_hr, severity_hr=st.floats(-5.0, 5.0),
       base=st.floats(1e-6, 0.5))
def test_the_bound_is_never_below_the_hazard(severity, hope, engagement, neighbours, diagnosis, age_group,
                                             forensic, since_discharge, since_followup, hope_hr, engagement_hr,
                                             network_hr, followup_hr, post_hr, severity_hr, base):
    daily = RULES.daily._replace(hope_log_hr=hope_hr, engagement_log_hr=engagement_hr, network_log_hr=network_hr,
                                 followup_log_hr=followup_hr, post_discharge_log_hr=post_hr)
    r = RULES._replace(severity_log_hr=severity_hr, relapse_base=(base, base, base), daily=daily)
    risk = relapse_probability(r, diagnosis, age_group, forensic, severity, hope, engagement, neighbours,
                               since_discharge, since_followup)
    after_discharge = 0 <= since_discharge <= POST_DISCHARGE_DAYS
    assert risk <= relapse_bound(r, diagnosis, age_group, forensic, severity, after_discharge)


def test_the_compiled_bound_equals_the_python_one():
    r = RULES
    compiled = numba.njit(lambda r, d, a, f, s, w: relapse_bound(r, d, a, f, s, w))
    for severity in np.linspace(0, 1, 7):
        for after in (False, True):
            assert compiled(r, 1, 2, 1, severity, after) == relapse_bound(r, 1, 2, 1, severity, after)


def test_the_bound_rejects_most_patient_days_at_the_defaults():
    """The point of the bound: with the default rules most days' draws are above it (about 1-2%
    of days need the exact hazard); a bound near 1 would make the shortcut useless."""
    r = RULES
    settled = [relapse_bound(r, d, a, f, 0.5, False) for d in range(3) for a in range(3) for f in range(2)]
    assert max(settled) < 0.05
