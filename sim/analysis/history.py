"""Readmission by admission history: the unit trials and services use to define high utilisers.

Each patient's index discharge (their first in the counted period) is grouped by
the ward admissions they had in the year before it, not counting the index stay
itself (0, 1, 2, 3+), and the share readmitted to a bed within 30 and 365 days
is computed per group: the table the model is to be shown against (docs/explanation/validation.md).
Admissions are read from each patient's ring of the latest `HISTORY` admission
days, so a patient with more than `HISTORY` - 1 admissions after the index
discharge has the oldest ones forgotten (they then count in 3+ at most).
"""

import numpy as np

from sim.model.columns import NEVER

GROUPS = ("0", "1", "2", "3+")


def previous_admissions(admission_days, index_day, lookback=365):
    """Per patient: ward admissions in the `lookback` days up to the index discharge, less the index stay's."""
    before = (admission_days <= index_day[:, None]) & (index_day[:, None] - admission_days <= lookback)
    return np.maximum(before.sum(axis=1) - 1, 0)


def readmission_by_history(patients, n_days, lookback=365):
    """{group: {"n", "readmitted_30", "readmitted_365"}} (counts) over patients whose index discharge has a
    whole year observed after it."""
    index_day = patients.index_discharge_day.astype(np.int64)
    observed = (index_day != NEVER) & (index_day + 365 < n_days)
    previous = previous_admissions(patients.admission_days.astype(np.int64), index_day, lookback)
    gap = patients.index_readmission_gap
    table = {}
    for k, name in enumerate(GROUPS):
        members = observed & ((previous >= 3) if name == "3+" else (previous == k))
        gaps = gap[members]
        table[name] = {
            "n": int(members.sum()),
            "readmitted_30": int(((gaps >= 0) & (gaps <= 30)).sum()),
            "readmitted_365": int(((gaps >= 0) & (gaps <= 365)).sum()),
        }
    return table
