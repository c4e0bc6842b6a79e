"""Per-patient outcomes from each patient's index discharge (their first in the counted period).

Trials count per participant, services per discharge; frequent readmitters
make the per-discharge rate the higher one (docs/explanation/model.md), so both are
reported. Time to first readmission is a Kaplan-Meier curve, censored where
a patient's follow-up runs out at the end of the horizon.
"""

import numpy as np

from sim.analysis import exact
from sim.model.columns import NEVER

WINDOWS = (30, 90, 365)
CURVE_DAYS = 365


def follow_up(patients, n_days):
    """(days to first readmission or censoring, readmitted?, days of follow-up) of patients with an index."""
    has_index = patients.index_discharge_day != NEVER
    index = patients.index_discharge_day[has_index].astype(np.int64)
    gap = patients.index_readmission_gap[has_index].astype(np.int64)
    available = (n_days - 1) - index
    readmitted = gap >= 0
    time = np.where(readmitted, gap, available)
    return time, readmitted, available


def per_patient_readmission(patients, n_days):
    """{patient_readmission_<w>: share readmitted within w days, among patients followed up for w days}."""
    time, readmitted, available = follow_up(patients, n_days)
    rates = {}
    for w in WINDOWS:
        followed = available >= w
        rates[f"patient_readmission_{w}"] = (exact.share(readmitted[followed] & (time[followed] <= w))
                                             if followed.any() else np.nan)
    return rates


def kaplan_meier(time, event, days=CURVE_DAYS):
    """S(t), t = 0..days: the share not yet readmitted, with censoring."""
    deaths = np.bincount(time[event], minlength=days + 1)[: days + 1]
    leaving = np.bincount(time, minlength=days + 1)
    at_risk = len(time) - np.concatenate([[0], np.cumsum(leaving)[:-1]])[: days + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, deaths / at_risk, 0.0)
    return np.cumprod(1.0 - hazard)


def readmission_free_curve(patients, n_days):
    time, readmitted, _ = follow_up(patients, n_days)
    return kaplan_meier(time, readmitted)
