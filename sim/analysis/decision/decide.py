"""The decision among all options: the incremental table, net benefit and acceptability at each threshold,
the decision in plain words, and the value of further research.

The decision at a threshold is the option with the highest expected net monetary benefit over the parameter
draws (the NICE reference case); with the frontier's ICERs rising, it is also the costliest frontier option
whose ICER is within the threshold (tests/test_decision.py checks the two agree). Values are per cohort
patient-year (the model's economic unit), discounted; the population values multiply them by the people
whose care the decision changes each year over the decision's horizon.
"""

from dataclasses import dataclass, field

import numpy as np

from sim.analysis import exact
from sim.analysis.decision import acceptability as acc
from sim.analysis.decision.budget import budget_impact
from sim.analysis.decision.frontier import FRONTIER, incremental_analysis
from sim.analysis.decision.value_of_information import evppi, population_factor

INTERVAL = (2.5, 97.5)  # percentiles of the draws: where 95% of the parameter uncertainty puts a value


@dataclass
class DecisionSettings:
    thresholds: list  # the willingness-to-pay grid of the curves (currency per QALY)
    decisions: list  # the thresholds at which a decision is stated (economics.willingness_to_pay)
    people_per_year: int
    years: int
    discount_rate: float
    parameter_groups: dict = field(default_factory=dict)  # name -> drawn config keys
    seed: int = 0  # EVPPI's standard-error draws
    budget_people: int = 0  # budget impact: the people the budget holder covers (0: no budget impact)
    budget_coverage: list = field(default_factory=list)  # the share of them a programme reaches, each year


def _interval(values):
    low, high = np.percentile(values, INTERVAL)
    return float(low), float(high)


def option_table(options, decisions):
    """One row per option, in the incremental analysis's order: means with 95% intervals over the draws, the
    frontier status, increments and ICER, and at each decision threshold the net benefit and acceptability."""
    index = {name: j for j, name in enumerate(options.names)}
    mean_cost = acc.expected(options.costs)
    mean_effect = acc.expected(options.effects)
    rows = []
    for o in incremental_analysis(options.names, mean_cost, mean_effect):
        j = index[o.name]
        row = {"option": o.name, "cost": o.cost, "cost_low": _interval(options.costs[:, j])[0],
               "cost_high": _interval(options.costs[:, j])[1], "qalys": o.effect,
               "qalys_low": _interval(options.effects[:, j])[0], "qalys_high": _interval(options.effects[:, j])[1],
               "status": o.status, "dominated_by": o.dominated_by, "incremental_cost": o.incremental_cost,
               "incremental_qalys": o.incremental_effect, "icer": o.icer}
        for t in decisions:
            nmb = acc.net_benefit(options.costs, options.effects, t)
            row[f"nmb_{t:g}"] = exact.mean(nmb[:, j])
            row[f"nmb_{t:g}_low"], row[f"nmb_{t:g}_high"] = _interval(nmb[:, j])
            row[f"probability_best_{t:g}"] = float(acc.acceptability(nmb)[j])
        rows.append(row)
    return rows


def _words(name, comparator):
    return "usual care (none of the programmes)" if name == comparator else name.replace("_", " ")


def decision_at(options, threshold, factor, comparator):
    """The decision at one threshold, its confidence and what resolving the uncertainty would be worth."""
    nmb = acc.net_benefit(options.costs, options.effects, threshold)
    means = acc.expected(nmb)
    chosen = int(np.argmax(means))
    low, high = _interval(nmb[:, chosen])
    confidence = float(acc.acceptability(nmb)[chosen])
    evpi = acc.evpi(nmb)
    text = (f"At {threshold:,.0f} per QALY, fund {_words(options.names[chosen], comparator)}: it has the highest "
            f"expected net monetary benefit ({means[chosen]:,.0f} per patient-year; 95% of parameter draws "
            f"{low:,.0f} to {high:,.0f}) and is the best option in {confidence:.0%} of the draws. Perfect "
            f"information would be worth {evpi:,.2f} per patient-year, {evpi * factor:,.0f} over the population "
            "and horizon.")
    return {"threshold": float(threshold), "option": options.names[chosen], "expected_nmb": float(means[chosen]),
            "probability_best": confidence, "evpi_per_person": evpi, "evpi_population": evpi * factor, "text": text}


def decide(options, settings, comparator):
    """Everything the decision needs, as plain data."""
    factor = population_factor(settings.people_per_year, settings.years, settings.discount_rate)
    curves = acc.curves(options.costs, options.effects, settings.thresholds)
    table = option_table(options, settings.decisions)
    groups = []
    for t in settings.decisions:
        nmb = acc.net_benefit(options.costs, options.effects, t)
        for name, keys in settings.parameter_groups.items():
            present = [k for k in keys if k in options.parameters.columns]
            value = evppi(options.parameters[present].to_numpy(), nmb, settings.seed, present)
            groups.append({"threshold": float(t), "group": name, "parameters": present, "evppi_per_person":
                           value.value, "standard_error": value.standard_error,
                           "evppi_population": value.value * factor})
    return {
        "options": options.names,
        "draws": int(options.costs.shape[0]),
        "population_factor": factor,
        "table": table,
        "frontier": [r["option"] for r in table if r["status"] == FRONTIER],
        "decisions": [decision_at(options, t, factor, comparator) for t in settings.decisions],
        "curves": curves,
        "evppi": groups,
        "budget_impact": budget_impact(options, settings.budget_people, settings.budget_coverage)
        if settings.budget_people else [],
    }
