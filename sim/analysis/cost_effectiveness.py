"""Incremental cost-effectiveness of the programme against usual care, from paired replications.

Each replication gives a paired incremental cost and incremental QALYs
(discounted, per patient-year). From them: the ICER (ratio of mean
increments, or `dominant` / `dominated`), net monetary benefit at each
willingness-to-pay threshold, the probability the programme is cost-saving
and cost-effective (the share of replications; with parameter uncertainty
sampled per replication this is the probabilistic sensitivity analysis), and
the cost per 30-day readmission averted.
"""

import math

import numpy as np

from sim.analysis import exact
from sim.analysis.statistics import mean_ci, paired_differences

COST_SAVING = "cost-saving"
NOT_COST_EFFECTIVE = "not cost-effective"


def icer(d_cost, d_qaly):
    """Mean incremental cost over mean incremental QALYs, with the dominance cases named."""
    if d_qaly > 0 and d_cost <= 0:
        return "dominant"
    if d_qaly <= 0 and d_cost >= 0:
        return "dominated"
    return d_cost / d_qaly


def economic_verdict(incremental_cost, nmb_at_threshold, threshold):
    """cost-saving if the whole 95% CI of the incremental cost is below 0; cost-effective at the threshold
    if the whole 95% CI of the net monetary benefit there is above 0; else not cost-effective."""
    if incremental_cost["ci_high"] < 0:
        return COST_SAVING
    if nmb_at_threshold["ci_low"] > 0:
        return f"cost-effective at {threshold:,.0f} per QALY"
    return NOT_COST_EFFECTIVE


def incremental_analysis(table, intervention, comparator, economics):
    """The incremental results of one comparison (per patient-year, discounted)."""
    d_cost = paired_differences(table, "cost_total_discounted", intervention, comparator).to_numpy()
    d_qaly = paired_differences(table, "qalys_discounted", intervention, comparator).to_numpy()
    d_readmitted = paired_differences(table, "readmitted_30_per_1000py", intervention, comparator).to_numpy()
    thresholds = sorted({*map(float, economics.willingness_to_pay), float(economics.threshold)})
    nmb = {f"{t:g}": mean_ci(t * d_qaly - d_cost) for t in thresholds}
    averted = -exact.mean(d_readmitted) / 1000.0  # per patient-year
    result = {
        "incremental_cost": mean_ci(d_cost),
        "incremental_qalys": mean_ci(d_qaly),
        "icer": icer(exact.mean(d_cost), exact.mean(d_qaly)),
        "net_monetary_benefit": nmb,
        "probability_cost_saving": exact.share(d_cost < 0),
        "probability_cost_effective": {f"{t:g}": exact.share(t * d_qaly - d_cost > 0) for t in thresholds},
        "readmissions_30_averted_per_patient_year": averted,
        "cost_per_readmission_averted": exact.mean(d_cost) / averted if averted > 0 else math.nan,
        "threshold": float(economics.threshold),
    }
    result["verdict"] = economic_verdict(result["incremental_cost"], nmb[f"{float(economics.threshold):g}"],
                                         economics.threshold)
    return result


def acceptability_curve(table, intervention, comparator, thresholds):
    """Probability cost-effective (share of replications with positive net benefit) at each threshold."""
    d_cost = paired_differences(table, "cost_total_discounted", intervention, comparator).to_numpy()
    d_qaly = paired_differences(table, "qalys_discounted", intervention, comparator).to_numpy()
    return np.array([exact.share(t * d_qaly - d_cost > 0) for t in thresholds])
