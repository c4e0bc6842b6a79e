"""Costs, life-years and QALYs of one arm, from the daily event table, per cohort patient-year.

The denominator is the cohort (every patient of day 0) times the counted years, so a death, which ends a
patient's costs and QALYs, lowers the arm's figures. Costs by component (currency and price year of
the setting, `conf/setting/`): bed-days, diverted crises, respite days, clinician follow-ups, community
mental-health team contacts of the living at home, and the peer programme:
salaries of filled posts, supervision time, training of new hires, contact expenses, and any extension's
costs. QALYs: each living patient-day weighted by the utility of where it was spent (location) plus the
health-state term, `utility_per_hope` x (hope - 0.5) (`conf/economics/`): QALYs = location part + health
part, so a programme moves them through deaths, where days are spent, and hope. All are also discounted day
by day from the start of the counted period, at the NICE reference-case 3.5% a year by default.
"""

import numpy as np

from sim.analysis import exact
from sim.model import events as ev

COMPONENTS = ("cost_bed_days", "cost_diversions", "cost_respite", "cost_followups", "cost_community",
              "cost_peer_workers", "cost_supervision", "cost_training", "cost_peer_contacts", "cost_extension")


def daily_costs(events, extension_by_day, alive, program, workforce, care, prices):
    """{component: cost on each day (rows of the event table)}, given the patients alive on each day."""
    worker_days = events[:, ev.WORKER_DAYS].astype(float)
    at_home = community_days(events, alive)
    return {
        "cost_bed_days": events[:, ev.BED_DAYS] * prices.bed_day,
        "cost_diversions": events[:, ev.DIVERSIONS] * prices.diverted_crisis,
        "cost_respite": events[:, ev.RESPITE_DAYS] * prices.respite_day,
        "cost_followups": events[:, ev.FOLLOWUPS] * prices.clinician_followup,
        "cost_community": at_home * (care.community_contacts_per_year / 365.0) * prices.community_contact,
        "cost_peer_workers": worker_days * (prices.peer_worker_per_year / 365.0),
        "cost_supervision": worker_days * (workforce.supervision_hours_per_week / 7.0) * prices.clinician_hour,
        "cost_training": events[:, ev.HIRES] * prices.training_per_hire,
        "cost_peer_contacts": events[:, ev.PEER_CONTACTS] * program.cost_per_contact,
        "cost_extension": np.asarray(extension_by_day, dtype=float),
    }


def living(events, n_patients):
    """Patients alive on each day (the dead die at the start of their day)."""
    return n_patients - np.cumsum(events[:, ev.DEATHS])


def community_days(events, alive):
    """The living at home on each day: neither in a bed, nor with a crisis team, nor in respite."""
    return alive - events[:, ev.BED_DAYS] - events[:, ev.CRISIS_DAYS] - events[:, ev.RESPITE_DAYS]


def daily_location_qalys(events, alive, economics):
    """QALYs accrued on each day by the living, by where each spent the day."""
    inpatient = events[:, ev.BED_DAYS]
    crisis = events[:, ev.CRISIS_DAYS]
    respite = events[:, ev.RESPITE_DAYS]
    community = community_days(events, alive)
    return (community * economics.utility_community + inpatient * economics.utility_inpatient
            + crisis * economics.utility_crisis + respite * economics.utility_respite) / 365.0


def daily_health_qalys(events, economics):
    """QALYs accrued on each day by the living's hope above (or below) 0.5."""
    return events[:, ev.HOPE_ABOVE_HALF_MICRO] * (economics.utility_per_hope * 1e-6 / 365.0)


def discount_factors(n_days, rate):
    """Day t of the counted period is worth (1 + rate) ** -(t / 365) of day 0."""
    return (1.0 + rate) ** (-np.arange(n_days) / 365.0)


def arm_economics(events, extension_by_day, first_day, n_patients, program, workforce, care, prices, economics):
    """Per cohort patient-year: each cost component, total cost, life-years and QALYs (with their location and
    health parts), undiscounted and discounted."""
    counted = slice(first_day, events.shape[0])
    days = events.shape[0] - first_day
    patient_years = n_patients * days / 365.0
    alive_by_day = living(events, n_patients)
    costs = {k: v[counted] for k, v in daily_costs(events, extension_by_day, alive_by_day, program, workforce, care,
                                                   prices).items()}
    total_by_day = sum(costs.values())
    alive = alive_by_day[counted]
    location = daily_location_qalys(events[counted], alive, economics)
    health = daily_health_qalys(events[counted], economics)
    qalys_by_day = location + health
    cost_discount = discount_factors(days, economics.discount_rate_costs)
    outcome_discount = discount_factors(days, economics.discount_rate_outcomes)
    row = {k: exact.total(v) / patient_years for k, v in costs.items()}
    row["cost_total"] = exact.total(total_by_day) / patient_years
    row["cost_total_discounted"] = exact.dot(total_by_day, cost_discount) / patient_years
    row["life_years"] = exact.total(alive) / 365.0 / patient_years
    row["life_years_discounted"] = exact.dot(alive / 365.0, outcome_discount) / patient_years
    row["qalys"] = exact.total(qalys_by_day) / patient_years
    row["qalys_discounted"] = exact.dot(qalys_by_day, outcome_discount) / patient_years
    row["qalys_location_discounted"] = exact.dot(location, outcome_discount) / patient_years
    row["qalys_health_discounted"] = exact.dot(health, outcome_discount) / patient_years
    return row
