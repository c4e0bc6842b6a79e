"""Outcomes of one arm of one replication, read off the daily event table.

Readmission rates are per discharge (service statistics' unit): the
readmission rate for a window counts only discharges inside the counted period
whose whole window is observed before the horizon ends. Every per-year count
(`<event>_per_1000py`) is per 1,000 cohort patient-years (every patient of day 0
times the counted years), the denominator of the costs and QALYs beside them, so
bed-days per 1,000 patient-years times the bed-day price is the bed cost; only
`deaths_per_1000_at_risk_py` is per 1,000 years lived, as mortality is published. Two definitions:
readmission to a bed (a ward admission after a ward discharge,
`readmission_<w>`) and readmission to acute care (any acute episode, ward,
crisis team or respite, after the end of any, `acute_readmission_<w>`).
"""

import numpy as np

from sim.analysis.economics import arm_economics, living
from sim.analysis.survival import per_patient_readmission
from sim.model import events as ev

PER_1000_PY = ("admissions", "acute_episodes", "readmitted_30", "bed_days", "diversions", "crisis_days",
               "respite_stays", "respite_days", "followups", "peer_contacts", "enrolments", "dropouts", "deaths")


def readmission_rates(events, first_day, n_days):
    """Per-discharge readmission within each window, to a bed and to acute care (NaN where no discharge, or
    episode end, is observable)."""
    rates = {}
    for name, ends, windows in (("readmission", ev.DISCHARGES, ev.READMISSION_WINDOWS),
                                ("acute_readmission", ev.EPISODE_ENDS, ev.ACUTE_READMISSION_WINDOWS)):
        for window, column in windows:
            rows = events[first_day:n_days - window]
            count = rows[:, ends].sum()
            rates[f"{name}_{window}"] = rows[:, column].sum() / count if count else np.nan
    return rates


def arm_outcomes(model):
    """One row of the results table for a finished model."""
    cfg = model.cfg
    first = cfg.burn_in_days
    totals = model.events[first:model.n_days].sum(axis=0)
    patient_years = cfg.population.n * (model.n_days - first) / 365.0  # the cohort's, as the costs'
    lived = int(living(model.events, cfg.population.n)[first:model.n_days].sum()) / 365.0
    row = readmission_rates(model.events, first, model.n_days)
    row.update(per_patient_readmission(model.patients, model.n_days))
    for name in PER_1000_PY:
        row[f"{name}_per_1000py"] = totals[ev.COLUMNS.index(name)] * 1000.0 / patient_years
    row["deaths_per_1000_at_risk_py"] = totals[ev.DEATHS] * 1000.0 / lived if lived else np.nan
    row["discharges"] = int(totals[ev.DISCHARGES])
    row["mean_enrolled"] = totals[ev.ENROLLED] / cfg.horizon_days
    row.update(workforce_outcomes(totals, model.workers.capacity.size, cfg.horizon_days))
    row.update(arm_economics(model.events, model.extension_costs, first, cfg.population.n, model.program,
                             cfg.workforce, cfg.care, cfg.costs, cfg.economics))
    return row


def mean_occupancy(model):
    """Mean bed occupancy over the counted period: bed-days over beds times days (NaN without beds)."""
    counted = model.events[model.cfg.burn_in_days:model.n_days, ev.BED_DAYS]
    return float(counted.sum()) / (model.n_beds * counted.size) if model.n_beds else np.nan


def workforce_outcomes(totals, posts, horizon_days):
    """Peer-workforce turnover, vacancy, absence and burnout over the counted period (NaN without posts)."""
    worker_days = totals[ev.WORKER_DAYS]
    post_years = posts * horizon_days / 365.0
    return {
        "peer_worker_posts": int(posts),
        "turnover_per_post_year": totals[ev.QUITS] / post_years if posts else np.nan,
        "vacancy_share": 1.0 - worker_days / (posts * horizon_days) if posts else np.nan,
        "absence_share": totals[ev.WORKER_ABSENT_DAYS] / worker_days if worker_days else np.nan,
        "mean_burnout": totals[ev.BURNOUT_MILLI] / 1000.0 / worker_days if worker_days else np.nan,
    }
