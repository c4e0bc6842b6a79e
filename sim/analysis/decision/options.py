"""Every option's per-draw mean cost and QALYs, from the runs of a sweep over programmes.

Each job of the sweep pairs one programme with usual care on the same seeds and the same parameter draws
(`sim.config.psa`: one quantile per key and draw, whatever the programme), so usual care is the same
simulation in every job. That is checked, number by number, before its rows are shared: the options are
then compared on common random numbers, draws included. A draw's value is the mean of its paired
replications; its parameters are the drawn `psa:` columns, the same in every job that draws the key.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis import exact
from sim.analysis.economics import COMPONENTS
from sim.errors import ConfigError

COST = "cost_total_discounted"  # per cohort patient-year, discounted
EFFECT = "qalys_discounted"
TOTAL_COST = "cost_total"  # per cohort patient-year, undiscounted: the budget's total
PARAMETER = "psa:"


@dataclass
class Options:
    names: list  # usual care first, then the programmes in job order
    costs: np.ndarray  # draws x options
    effects: np.ndarray
    parameters: pd.DataFrame  # draws x drawn keys (without the psa: prefix)
    components: dict | None = None  # cost component (and the total) -> draws x options, undiscounted


def _per_draw(rows, column):
    return np.array([exact.mean(group[column]) for _, group in rows.groupby("draw", sort=True)])


def _usual_care(tables, comparator):
    """Usual care's rows, checked identical across the jobs (outcome columns every job has)."""
    first_job, first = next(iter(tables.items()))
    reference = first[first["arm"] == comparator].reset_index(drop=True)
    for job, table in tables.items():
        rows = table[table["arm"] == comparator].reset_index(drop=True)
        shared = [c for c in reference.columns if c in rows.columns and not c.startswith(PARAMETER)]
        if len(rows) != len(reference) or not rows[shared].equals(reference[shared]):
            raise ConfigError(f"job {job}: its usual-care runs differ from job {first_job}'s: the options are not "
                              "on the same seeds and parameter draws (run them as one sweep of `program`)")
    return reference


def _parameters(tables):
    """Each drawn key's value per draw; a key drawn in several jobs must have the same draws in each."""
    found = {}
    for job, table in tables.items():
        for column in (c for c in table.columns if c.startswith(PARAMETER)):
            values = table.groupby("draw", sort=True)[column].first().to_numpy()
            key = column[len(PARAMETER):]
            if key in found and not np.array_equal(found[key][1], values):
                raise ConfigError(f"job {job}: its draws of {key} differ from job {found[key][0]}'s")
            found.setdefault(key, (job, values))
    return pd.DataFrame({key: values for key, (_, values) in found.items()})


def gather_options(tables, comparator):
    """Options from {job: replications table} of a sweep over programmes (each job one programme against
    the `comparator` arm, usual care)."""
    if not tables:
        raise ConfigError("no jobs to compare")
    usual = _usual_care(tables, comparator)
    names, costs, effects = [comparator], [_per_draw(usual, COST)], [_per_draw(usual, EFFECT)]
    parts = {c: [_per_draw(usual, c)] for c in (*COMPONENTS, TOTAL_COST)}
    for job, table in tables.items():
        arms = [a for a in dict.fromkeys(table["arm"]) if a != comparator]
        if len(arms) != 1 or arms[0] in names:
            raise ConfigError(f"job {job}: needs exactly one programme arm not already compared (found {arms})")
        rows = table[table["arm"] == arms[0]]
        names.append(arms[0])
        costs.append(_per_draw(rows, COST))
        effects.append(_per_draw(rows, EFFECT))
        for c in parts:
            parts[c].append(_per_draw(rows, c))
    return Options(names, np.column_stack(costs), np.column_stack(effects), _parameters(tables),
                   {c: np.column_stack(v) for c, v in parts.items()})
