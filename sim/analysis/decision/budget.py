"""Budget impact: what funding a programme adds to the budget holder's spending, year by year.

As the ISPOR good-practice report asks (Sullivan et al., Value Health 2014;17:5-14): undiscounted costs,
the budget holder's perspective (the model's costs are all health and social care), a population and an
uptake ramp, each cost component apart, with its uncertainty. Year y's impact of a programme is the number
of people it covers that year (the population times the year's coverage) times its undiscounted cost per
patient-year minus usual care's, per parameter draw; the mean and the 2.5th-97.5th percentiles of the draws
are reported. The model's per-patient-year costs come from its counted years, after the burn-in in which
the programme starts: a programme's set-up (first hires and training) is in the burn-in, so year 1 is
costed at the running cost, and covering more people is assumed to scale the cost in proportion.
"""

import numpy as np

from sim.analysis import exact
from sim.analysis.decision.options import TOTAL_COST

INTERVAL = (2.5, 97.5)
TOTAL = "total"


def _row(option, year, people, component, values):
    low, high = np.percentile(values, INTERVAL)
    return {"option": option, "year": year, "people_covered": people, "component": component,
            "mean": exact.mean(values), "low": float(low), "high": float(high)}


def budget_impact(options, people, coverage):
    """Rows per programme (each option after usual care), year and component (and their total): the change in
    undiscounted spending against usual care, with the years' cumulative total as year "all"."""
    rows = []
    for j, name in enumerate(options.names[1:], start=1):
        increments = {c: v[:, j] - v[:, 0] for c, v in options.components.items() if c != TOTAL_COST}
        total = options.components[TOTAL_COST][:, j] - options.components[TOTAL_COST][:, 0]
        cumulative = np.zeros_like(total)
        for year, share in enumerate(coverage, start=1):
            covered = people * share
            for component, values in increments.items():
                rows.append(_row(name, str(year), covered, component, covered * values))
            rows.append(_row(name, str(year), covered, TOTAL, covered * total))
            cumulative = cumulative + covered * total
        rows.append(_row(name, "all", people * exact.total(coverage), TOTAL, cumulative))
    return rows
