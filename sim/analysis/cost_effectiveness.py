"""Incremental cost-effectiveness of the programme against usual care, per cohort patient-year.

The ICER (ratio of mean increments) is named by its quadrant of the
cost-effectiveness plane, so a ratio never hides which way it points. Beside
the cash, the capacity released: bed-days and diverted crises. With acute beds
about 96% occupied a freed bed is refilled, so its cost is not saved: the
incremental cost "if freed beds are refilled" leaves bed-day costs out.

The economic verdict, the probabilities of being cost-effective and
cost-saving and the acceptability curve say how sure a decision-maker can be
given what is not known about the parameters, so they come from parameter
uncertainty only (per-draw means of a PSA); Monte Carlo spread between
replications is not uncertainty about the decision, and without parameter
draws they are absent. With draws the verdict is the expected-value decision
(the NICE reference case): cost-effective if the mean net monetary benefit at
the threshold is positive.
"""

import math

import numpy as np

from sim.analysis import exact
from sim.analysis.statistics import LEVEL, effect_summary, paired_effects, per_draw_effects, replications_per_draw

NOT_ASSESSED = "not assessed (needs parameter uncertainty)"  # a table's word for a run without an economic verdict
QUADRANTS = {
    "north-east": "more costly, more effective",
    "south-west": "less costly, less effective",
    "north-west": "more costly, less effective",
    "south-east": "less costly, more effective",
}


def icer(d_cost, d_qaly):
    """Mean incremental cost over mean incremental QALYs, with its quadrant (None without a difference)."""
    if d_cost == 0 and d_qaly == 0:
        return {"quadrant": None, "value": None, "text": "no difference"}
    if d_qaly > 0 and d_cost > 0:
        quadrant, text = "north-east", f"{d_cost / d_qaly:,.0f} per QALY gained"
    elif d_qaly < 0 and d_cost < 0:
        quadrant, text = "south-west", f"{d_cost / d_qaly:,.0f} saved per QALY lost"
    elif d_qaly >= 0 and d_cost <= 0:
        quadrant, text = "south-east", "dominant"
    else:
        quadrant, text = "north-west", "dominated"
    value = d_cost / d_qaly if quadrant in ("north-east", "south-west") else None
    return {"quadrant": quadrant, "value": value, "text": f"{text} ({quadrant}: {QUADRANTS[quadrant]})"}


def economic_verdict(mean_nmb, mean_cost, mean_qalys, threshold):
    """The expected-value decision: cost-saving (cheaper, no fewer QALYs), else cost-effective or not at
    the threshold by the sign of the mean net monetary benefit."""
    if mean_cost < 0 and mean_qalys >= 0:
        return "cost-saving"
    verdict = "cost-effective" if mean_nmb > 0 else "not cost-effective"
    return f"{verdict} at {threshold:,.0f} per QALY"


def label_probability(economics):
    """The share of parameter draws on the economic label's side: for "cost-saving" P(cost-saving), the draws
    that save money (the label also asks the mean QALYs not to fall); for "cost-effective" P(cost-effective) at
    the threshold; for "not cost-effective" 1 - that; None without a label. `economics` is a summary's
    "economics" block."""
    verdict = economics.get("verdict")
    if verdict is None:
        return None
    if verdict == "cost-saving":
        return economics["probability_cost_saving"]
    p = economics["probability_cost_effective"][f"{economics['threshold']:g}"]
    return 1.0 - p if verdict.startswith("not ") else p


def label_text(verdict, probability):
    """An economic label with its probability, "cost-effective at 20,000 per QALY, P 0.94"; NOT_ASSESSED
    without a label, the label alone without a probability (None or NaN read back from a table)."""
    if not isinstance(verdict, str) or not verdict:
        return NOT_ASSESSED
    if probability is None or probability != probability:
        return verdict
    return f"{verdict}, P {probability:.2f}"


def economic_label(economics):
    """A summary's economic verdict with the share of draws on its side (`label_probability`)."""
    return label_text(economics.get("verdict"), label_probability(economics))


def _thresholds(economics):
    return sorted({*map(float, economics.willingness_to_pay), float(economics.threshold)})


def per_draw_cost_and_qalys(table, intervention, comparator, parameter_uncertainty=True):
    """Each parameter draw's mean incremental cost and QALYs (discounted); each replication's without draws."""
    return (per_draw_effects(table, "cost_total_discounted", intervention, comparator, parameter_uncertainty),
            per_draw_effects(table, "qalys_discounted", intervention, comparator, parameter_uncertainty))


def economic_decision(d_cost, d_qaly, economics):
    """The economic verdict and its probabilities, from the per-draw incremental costs and QALYs (only with
    parameter draws)."""
    threshold = float(economics.threshold)
    nmb = threshold * d_qaly - d_cost
    return {
        "verdict": economic_verdict(exact.mean(nmb), exact.mean(d_cost), exact.mean(d_qaly), threshold),
        "probability_cost_saving": exact.share(d_cost < 0),
        "probability_cost_effective": {f"{t:g}": exact.share(t * d_qaly - d_cost > 0) for t in _thresholds(economics)},
    }


def incremental_analysis(table, intervention, comparator, economics, parameter_uncertainty, level=LEVEL):
    """The incremental results of one comparison (per patient-year); the decision only with parameter draws."""
    arms = (intervention, comparator)
    replications = replications_per_draw(table, parameter_uncertainty)

    def summary(values):
        """A derived per-draw series (no within-draw SD of its own)."""
        return effect_summary(values, None, replications, parameter_uncertainty, level)

    measured = paired_effects(table, ["cost_total_discounted", "qalys_discounted"], *arms, parameter_uncertainty,
                              level)
    d = {m: per_draw_effects(table, m, *arms, parameter_uncertainty) for m in (
        "cost_total_discounted", "qalys_discounted", "cost_total", "cost_bed_days", "readmitted_30_per_1000py",
        "bed_days_per_1000py", "diversions_per_1000py")}
    averted = -exact.mean(d["readmitted_30_per_1000py"]) / 1000.0  # per cohort patient-year, as the costs
    undiscounted_cost = exact.mean(d["cost_total"])
    result = {
        "incremental_cost": measured["cost_total_discounted"],
        "incremental_qalys": measured["qalys_discounted"],
        "icer": icer(exact.mean(d["cost_total_discounted"]), exact.mean(d["qalys_discounted"])),
        "net_monetary_benefit": {f"{t:g}": summary(t * d["qalys_discounted"] - d["cost_total_discounted"])
                                 for t in _thresholds(economics)},
        "readmissions_30_averted_per_patient_year": averted,
        "cost_per_readmission_averted": undiscounted_cost / averted if averted > 0 else math.nan,
        "bed_days_released_per_patient_year": -exact.mean(d["bed_days_per_1000py"]) / 1000.0,
        "diversions_prevented_per_patient_year": -exact.mean(d["diversions_per_1000py"]) / 1000.0,
        "incremental_cost_if_beds_refilled": summary(d["cost_total"] - d["cost_bed_days"]),
        "threshold": float(economics.threshold),
        "verdict": None, "probability_cost_saving": None, "probability_cost_effective": None,
    }
    if parameter_uncertainty:
        result.update(economic_decision(d["cost_total_discounted"], d["qalys_discounted"], economics))
    return result


def acceptability_curve(table, intervention, comparator, thresholds):
    """Probability cost-effective at each threshold: the share of parameter draws (per-draw means of their
    paired replications) with positive net benefit. Meaningful only with parameter draws."""
    d_cost, d_qaly = per_draw_cost_and_qalys(table, intervention, comparator)
    return np.array([exact.share(t * d_qaly - d_cost > 0) for t in thresholds])
