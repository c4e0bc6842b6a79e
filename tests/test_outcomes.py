"""Readmission rates count only discharges whose whole window is observed."""

import numpy as np
import pytest

from sim.analysis.outcomes import readmission_rates
from sim.model import events as ev


def test_readmission_windows_are_censored_at_the_horizon():
    n_days = 400
    events = np.zeros((n_days, len(ev.COLUMNS)), np.int64)
    events[10, ev.DISCHARGES] = 4
    events[10, ev.READMISSIONS_30] = 1
    events[10, ev.READMISSIONS_365] = 2
    events[390, ev.DISCHARGES] = 5  # its 30-day window is cut off by the horizon
    events[390, ev.READMISSIONS_7] = 5
    rates = readmission_rates(events, first_day=0, n_days=n_days)
    assert rates["readmission_30"] == pytest.approx(0.25)
    assert rates["readmission_365"] == pytest.approx(0.5)
    assert rates["readmission_7"] == pytest.approx(5 / 9)


def test_discharges_in_burn_in_are_not_counted():
    events = np.zeros((100, len(ev.COLUMNS)), np.int64)
    events[5, ev.DISCHARGES] = 10
    events[5, ev.READMISSIONS_30] = 10
    events[50, ev.DISCHARGES] = 10
    rates = readmission_rates(events, first_day=20, n_days=100)
    assert rates["readmission_30"] == 0.0
