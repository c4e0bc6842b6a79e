"""Paired statistics: each replication's intervention minus comparator, on the same seed.

Pairing removes the between-replication noise both arms share (common random
numbers), so the confidence interval of a difference is far narrower than
with independent seeds.
"""

import math

import numpy as np
from scipy import stats

from sim.analysis import exact

LEVEL = 0.95


def mean_ci(values, level=LEVEL):
    """Mean with a t-based confidence interval and a two-sided one-sample t-test p-value against 0."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    mean = exact.mean(x)
    if n < 2:
        return {"mean": mean, "ci_low": math.nan, "ci_high": math.nan, "p_value": math.nan, "n": n}
    se = exact.std(x, ddof=1) / math.sqrt(n)
    if se == 0.0:
        p = 1.0 if mean == 0.0 else 0.0
        return {"mean": mean, "ci_low": mean, "ci_high": mean, "p_value": p, "n": n}
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * se
    p = float(2 * stats.t.sf(abs(mean) / se, n - 1))
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "p_value": p, "n": n}


def paired_differences(table, metric, intervention, comparator):
    """Per replication: intervention minus comparator."""
    wide = table.pivot(index="replication", columns="arm", values=metric)
    return wide[intervention] - wide[comparator]


def paired_effects(table, metrics, intervention, comparator):
    """{metric: mean difference with CI and p-value}."""
    return {m: mean_ci(paired_differences(table, m, intervention, comparator)) for m in metrics}


def arm_summaries(table, metrics):
    """{arm: {metric: mean with CI}} in the table's arm order."""
    return {arm: {m: mean_ci(rows[m]) for m in metrics} for arm, rows in table.groupby("arm", sort=False)}
