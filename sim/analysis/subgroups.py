"""Results by subgroup, the value of targeting, and a distributional cost-effectiveness view, from the
per-patient records of paired runs (`records=patients`).

Both arms of a run hold the same patients (common random numbers), and every subgroup is defined by a baseline
attribute, so a subgroup's paired difference compares the same people under the two options. Each figure is
per patient-year of the subgroup (its patients x the counted years), discounted costs and QALYs, with both
kinds of interval (`sim.analysis.statistics.both_intervals`): the CI of the expected value, over the per-draw
means (the replications of a draw are one cluster), and the prediction interval over parameter draws, the
headline's kind. Only the second says whether a group gains under most parameter values; a narrow first
interval says only that the average is well estimated.

Targeting is read from the same runs: offering the programme only to patients with an attribute in a set of
groups gives those patients the programme arm's outcomes, and those outside it whom the programme reached
(offered a peer worker or taken into respite) usual care's; the patients it never reached keep the programme
arm's outcomes, since they live in the same care system either way. Two staffing assumptions
bound the programme's shared costs: the same posts (fixed staff) or posts shrunk with the caseload (staff
scaled). It assumes no interaction between patients (a slot left free is not taken by another, and nobody's
hope spills to a neighbour), so the best rule is a screen to confirm by running it (an eligibility config).
"""

import itertools

import numpy as np
import pandas as pd

from sim.analysis import exact
from sim.analysis.statistics import both_intervals
from sim.config.experiment_groups import SUBGROUPS

METRICS = ("cost_total_discounted", "qalys_discounted", "net_monetary_benefit", "admissions", "acute_episodes",
           "bed_days", "died")
INTERVAL_COLUMNS = ("mean_ci_low", "mean_ci_high", "prediction_low", "prediction_high")
TARGETING_COLUMNS = ("qalys_discounted", "cost_own_discounted", "cost_shared_discounted", "offers", "respite_stays")


class Paired:
    """Both arms' records as runs x patients arrays (patients in index order; each run its own population)."""

    def __init__(self, records, comparator, intervention, threshold, years, replications_per_draw=None):
        """`replications_per_draw`: R when the runs drew parameters (run k is of draw k // R), else None."""
        self.arms, self.years, self.threshold = (comparator, intervention), years, threshold
        self.parameter_uncertainty = replications_per_draw is not None
        records = records.assign(net_monetary_benefit=threshold * records["qalys_discounted"]
                                 - records["cost_total_discounted"])
        runs = np.unique(records["replication"].to_numpy())  # the same runs in both arms
        self.runs = len(runs)
        self.draw_of_run = runs // replications_per_draw if self.parameter_uncertainty else runs
        self.values = {}
        for arm in self.arms:
            one = records[records["arm"] == arm].sort_values(["replication", "patient"])
            self.values[arm] = {c: one[c].to_numpy(dtype=float).reshape(self.runs, -1)
                                for c in (*METRICS, *TARGETING_COLUMNS)}
            self.values[arm].update({c: one[c].to_numpy().reshape(self.runs, -1) for c in SUBGROUPS})
        self.n = self.values[comparator]["qalys_discounted"].shape[1]

    def groups(self, attribute):
        """runs x patients labels of a baseline attribute (the same in both arms)."""
        return self.values[self.arms[0]][attribute]

    def per_patient_year(self, arm, column, inside):
        """Each run's total of `column` over the patients `inside` (runs x patients mask), per patient-year."""
        v = self.values[arm][column]
        return np.array([exact.total(v[r][inside[r]]) / (inside[r].sum() * self.years) if inside[r].any()
                         else np.nan for r in range(self.runs)])


def _intervals(paired, per_run, mean_key="difference", prefix=""):
    """{mean_key: the mean, prefix + mean_ci_low, mean_ci_high, prediction_low, prediction_high} of a per-run
    series (`both_intervals`)."""
    s = both_intervals(per_run, paired.draw_of_run, paired.parameter_uncertainty)
    return {mean_key: s.pop("mean"), **{f"{prefix}{k}": v for k, v in s.items()}}


def subgroup_table(paired):
    """Each attribute's groups: each metric per patient-year under both options, and the paired difference with
    its interval."""
    comparator, intervention = paired.arms
    rows = []
    for attribute, groups in SUBGROUPS.items():
        labels = paired.groups(attribute)
        for group in groups:
            inside = labels == group
            if not inside.any():
                continue
            for metric in METRICS:
                a = paired.per_patient_year(comparator, metric, inside)
                b = paired.per_patient_year(intervention, metric, inside)
                rows.append({"attribute": attribute, "group": group,
                             "patients_per_run": exact.mean(inside.sum(axis=1)), "metric": metric,
                             comparator: exact.mean(a[np.isfinite(a)]), intervention: exact.mean(b[np.isfinite(b)]),
                             **_intervals(paired, b - a)})
    return pd.DataFrame(rows)


def _rules():
    """Candidate eligibility rules: for each attribute, every non-empty set of its groups; the set of all groups
    (the programme as configured) once."""
    yield "as configured", None, None
    for attribute, groups in SUBGROUPS.items():
        for size in range(1, len(groups)):
            for chosen in itertools.combinations(groups, size):
                yield f"{attribute} in {{{', '.join(chosen)}}}", attribute, chosen


def targeting_table(paired):
    """Each candidate rule's incremental net monetary benefit per patient-year against usual care, with the
    programme's shared costs fixed (the same posts) or scaled to the caseload targeted, and its gain over the
    programme as configured (paired by run), each with its interval; `best` marks the rule with the highest
    mean under each assumption."""
    comparator, intervention = paired.arms
    u, p, lam = paired.values[comparator], paired.values[intervention], paired.threshold
    gain = lam * (p["qalys_discounted"] - u["qalys_discounted"]) - (p["cost_own_discounted"] - u["cost_own_discounted"])
    shared = p["cost_shared_discounted"] - u["cost_shared_discounted"]
    reached = (p["offers"] > 0) | (p["respite_stays"] > 0)
    person_years = paired.n * paired.years
    rows, configured = [], {}
    for rule, attribute, chosen in _rules():
        inside = np.ones_like(gain, bool) if attribute is None else np.isin(paired.groups(attribute), chosen)
        kept = inside | ~reached  # whose programme-arm outcomes the rule keeps
        by_staff = {
            "fixed": np.array([(exact.total(gain[r][kept[r]]) - exact.total(shared[r])) / person_years
                               for r in range(paired.runs)]),
            "scaled": np.array([(exact.total(gain[r][kept[r]]) - exact.total(shared[r][inside[r]])) / person_years
                                for r in range(paired.runs)]),
        }
        configured = configured or by_staff
        row = {"rule": rule, "eligible_share": exact.mean(inside.mean(axis=1))}
        for staff, values in by_staff.items():
            for name, series in ((f"inmb_{staff}_staff", values),
                                 (f"gain_over_configured_{staff}_staff", values - configured[staff])):
                row.update(_intervals(paired, series, name, f"{name}_"))
        rows.append(row)
    table = pd.DataFrame(rows)
    for staff in ("fixed", "scaled"):
        column = f"inmb_{staff}_staff"
        table[f"best_{staff}_staff"] = table[column] == table[column].max()
    return table


def value_of_targeting(table):
    """{staffing: the best rule, its iNMB, the iNMB as configured, and the value of targeting (the best rule's
    gain over the programme as configured, with its interval)}, per patient-year."""
    configured = table.iloc[0]
    out = {}
    for staff in ("fixed", "scaled"):
        best = table[table[f"best_{staff}_staff"]].iloc[0]
        gain = f"gain_over_configured_{staff}_staff"
        out[staff] = {"best_rule": best["rule"], "inmb_best": best[f"inmb_{staff}_staff"],
                      "inmb_as_configured": configured[f"inmb_{staff}_staff"], "value_of_targeting": best[gain],
                      **{k: best[f"{gain}_{k}"] for k in INTERVAL_COLUMNS}}
    return out


def distributional_table(paired, by, weights=None):
    """For each group of `by`: incremental QALYs, costs (shared costs borne by who used the service) and net
    health benefit (QALYs - costs / threshold) per patient-year, with intervals; then the population's total
    net health benefit per patient-year, unweighted and with the equity weights (each group's benefit times its
    weight)."""
    comparator, intervention = paired.arms
    groups = SUBGROUPS[by]
    weights = list(weights) if weights is not None else [1.0] * len(groups)
    labels = paired.groups(by)
    lam = paired.threshold
    rows = []
    totals = {"unweighted": np.zeros(paired.runs), "equity_weighted": np.zeros(paired.runs)}
    for group, weight in zip(groups, weights, strict=True):
        inside = labels == group
        if not inside.any():
            continue
        dq = (paired.per_patient_year(intervention, "qalys_discounted", inside)
              - paired.per_patient_year(comparator, "qalys_discounted", inside))
        dc = (paired.per_patient_year(intervention, "cost_total_discounted", inside)
              - paired.per_patient_year(comparator, "cost_total_discounted", inside))
        nhb = dq - dc / lam
        share = inside.mean(axis=1)
        totals["unweighted"] += share * nhb
        totals["equity_weighted"] += weight * share * nhb
        rows.append({"by": by, "group": group, "population_share": exact.mean(share), "equity_weight": weight,
                     **_intervals(paired, dq, "incremental_qalys_difference", "incremental_qalys_"),
                     **_intervals(paired, dc, "incremental_cost_difference", "incremental_cost_"),
                     **_intervals(paired, nhb, "net_health_benefit_difference", "net_health_benefit_")})
    for name, values in totals.items():
        rows.append({"by": by, "group": f"all ({name})", "population_share": 1.0,
                     **_intervals(paired, values, "net_health_benefit_difference", "net_health_benefit_")})
    return pd.DataFrame(rows)
