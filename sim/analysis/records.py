"""One row per patient of one arm of one run (`records=patients`): who they are, what happened to them in the
counted period, and what it cost and gained.

The costs a patient incurs (bed-days, diverted crises, respite days, follow-ups, peer-contact expenses) are
their own. The programme's shared costs (peer-worker salaries, supervision, training of new hires, an
extension's costs) are shared among its patients in proportion to their days with a peer worker (assumption:
staff time follows caseload; discounted days for discounted costs); a programme without caseloads (peer-run
respite) shares them equally among the patients it reached, and one that reached no one over the cohort.
QALYs are `arm_economics`'s, patient by patient: the utility of where each living day was spent plus the
health-state term of hope. So the rows add up to the arm's totals (a test checks it).
"""

import numpy as np
import pandas as pd

from sim.analysis import exact
from sim.analysis.economics import daily_costs, discount_factors, living
from sim.config.experiment_groups import SUBGROUPS
from sim.model.columns import (
    AGE_GROUP_NAMES,
    ALIVE,
    DIAGNOSIS_NAMES,
    RECORD_COSTS,
    RECORD_COUNT,
    RECORD_OUTCOMES,
    TALLY_NAMES,
)

SHARED_COSTS = ("cost_peer_workers", "cost_supervision", "cost_training", "cost_extension")
DAYS_AWAY = ("bed_days", "crisis_days", "respite_days")


def history_group(prior_admissions):
    """The admission-history group of each patient: ward admissions before the simulation starts (a baseline
    attribute, the same in every arm, so a subgroup is not defined by what the programme changed)."""
    return np.asarray(SUBGROUPS["admission_history"])[np.minimum(prior_admissions, 2)]


def _shares(weights, reached):
    """Each patient's share of the programme's shared costs: by `weights` (days with a peer worker), else among
    those the programme reached (a respite stay: a programme without caseloads), else over the cohort."""
    for w in (weights, reached.astype(float), np.ones(reached.size)):
        total = exact.total(w)
        if total > 0:
            return w / total


def patient_records(model):
    """The arm's per-patient table (one row per patient of the cohort, the dead of the burn-in included)."""
    cfg, p = model.cfg, model.patients
    prices, economics = cfg.costs, cfg.economics
    n, first = cfg.population.n, cfg.burn_in_days
    counts = {name: p.record[:, RECORD_COUNT, k] for k, name in enumerate(TALLY_NAMES)}
    for_costs = {name: p.record[:, RECORD_COSTS, k] for k, name in enumerate(TALLY_NAMES)}
    for_outcomes = {name: p.record[:, RECORD_OUTCOMES, k] for k, name in enumerate(TALLY_NAMES)}
    days = model.n_days - first
    by_day = daily_costs(model.events, model.extension_costs, living(model.events, n), model.program, cfg.workforce,
                         cfg.care, prices)
    shared_by_day = sum(cost[first:] for key, cost in by_day.items() if key in SHARED_COSTS)
    shared = exact.total(shared_by_day)
    shared_discounted = exact.dot(shared_by_day, discount_factors(days, economics.discount_rate_costs))

    def at_home(tally):
        return tally["alive_days"] - sum(tally[k] for k in DAYS_AWAY)

    def own_cost(tally):
        return (tally["bed_days"] * prices.bed_day + tally["diversions"] * prices.diverted_crisis
                + tally["respite_days"] * prices.respite_day + tally["followups"] * prices.clinician_followup
                + tally["peer_contacts"] * model.program.cost_per_contact
                + at_home(tally) * (cfg.care.community_contacts_per_year / 365.0) * prices.community_contact)

    def qalys(tally):
        return ((at_home(tally) * economics.utility_community + tally["bed_days"] * economics.utility_inpatient
                 + tally["crisis_days"] * economics.utility_crisis
                 + tally["respite_days"] * economics.utility_respite) / 365.0
                + tally["hope_above_half_micro"] * (economics.utility_per_hope * 1e-6 / 365.0))

    died = (p.death_day >= first) & (p.death_day != ALIVE)
    table = pd.DataFrame({
        "patient": np.arange(n),
        "diagnosis": np.asarray(DIAGNOSIS_NAMES)[p.diagnosis],
        "age_group": np.asarray(AGE_GROUP_NAMES)[p.age_group],
        "forensic": np.asarray(SUBGROUPS["forensic"])[p.forensic],
        "admission_history": history_group(p.prior_admissions),
        "prior_admissions": p.prior_admissions,
        "severity": p.severity,
        "baseline_hope": p.baseline_hope,
        "alive_at_start": p.death_day >= first,
        **{name: counts[name].astype(np.int64) for name in TALLY_NAMES if name != "hope_above_half_micro"},
        "died": died,
        "death_day": np.where(died, p.death_day - first, -1),
        "life_years": counts["alive_days"] / 365.0,
        "life_years_discounted": for_outcomes["alive_days"] / 365.0,
        "qalys": qalys(counts),
        "qalys_discounted": qalys(for_outcomes),
    })
    own, own_discounted = own_cost(counts), own_cost(for_costs)
    table["cost_own"] = own
    reached = (counts["offers"] > 0) | (counts["respite_stays"] > 0)
    table["cost_shared"] = shared * _shares(counts["enrolled_days"].astype(float), reached)
    table["cost_total"] = own + table["cost_shared"]
    table["cost_own_discounted"] = own_discounted
    table["cost_shared_discounted"] = shared_discounted * _shares(for_costs["enrolled_days"], reached)
    table["cost_total_discounted"] = own_discounted + table["cost_shared_discounted"]
    return table
