"""Paired statistics: each replication's intervention minus comparator, on the same seed.

Pairing removes the between-replication noise both arms share (common random
numbers), so the confidence interval of a difference is far narrower than
with independent seeds. That interval measures Monte Carlo error only: with
enough replications it excludes any effect, however small. With parameter
uncertainty (PSA as an outer loop of draws, each run for R paired
replications) an effect is judged over the draws instead, and the two layers
of uncertainty are reported apart.

Over draws the verdict uses a normal-theory prediction interval for the
effect of a new draw, mean +- t(D-1) x sd x sqrt(1 + 1/D), rather than the
draws' 2.5th and 97.5th percentiles: with 16 draws a percentile is the
second-lowest or second-highest draw, too rough to test against a minimal
important difference.

Two kinds of interval, never one word for both (`interval_names`): the confidence
interval of the expected value (Monte Carlo error of the mean; with draws a
t-interval over the per-draw means, so the replications of one draw count as
one cluster), and the prediction interval over draws (where the effect of a
new draw of the parameters may lie). The first shrinks with more runs; the
second does not.
"""

import math

import numpy as np
from scipy import stats

from sim.analysis import exact

LEVEL = 0.95
MONTE_CARLO = "Monte Carlo"
PARAMETERS = "parameter uncertainty"
# What each kind of interval is, as tables and figures name it (module docstring).
EXPECTED_VALUE = "95% CI of the expected value"
PREDICTION = "95% prediction interval over parameter draws"


def interval_names(parameter_uncertainty):
    """What a summary's arm and effect intervals are, in words (module docstring)."""
    if parameter_uncertainty:
        return {"arms": f"{EXPECTED_VALUE} (clustered by parameter draw)", "effects": PREDICTION}
    return {"arms": f"{EXPECTED_VALUE} (Monte Carlo)", "effects": f"{EXPECTED_VALUE} (Monte Carlo)"}


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


def _by_draw(by_replication, table):
    """A per-replication series split into its draws' values, in draw order."""
    draws = table.groupby("replication")["draw"].first().loc[by_replication.index]
    return [group.to_numpy(dtype=float) for _, group in by_replication.groupby(draws.to_numpy(), sort=True)]


def per_draw_means(by_replication, table, parameter_uncertainty):
    """Each draw's mean of a per-replication series, in draw order; without parameter uncertainty every
    replication is at the same parameters, so each replication counts as its own draw."""
    if not parameter_uncertainty:
        return by_replication.sort_index().to_numpy(dtype=float)
    return np.array([exact.mean(values) for values in _by_draw(by_replication, table)])


def per_draw_effects(table, metric, intervention, comparator, parameter_uncertainty):
    """Each draw's mean paired difference (intervention - comparator), in draw order."""
    return per_draw_means(paired_differences(table, metric, intervention, comparator), table, parameter_uncertainty)


def within_draw_sd(table, metric, intervention, comparator):
    """The Monte Carlo SD of one replication's paired difference, pooled over draws (None below 2
    replications per draw: one replication cannot show its own noise)."""
    return _within_draw_sd(paired_differences(table, metric, intervention, comparator), table)


def _within_draw_sd(by_replication, table):
    groups = _by_draw(by_replication, table)
    if min(g.size for g in groups) < 2:
        return None
    return math.sqrt(exact.mean([exact.variance(g) for g in groups]))


def variance_split(per_draw_sd, within_sd, replications):
    """The variance of the per-draw effects as Monte Carlo (what R inner replications leave) plus
    parameters (the rest, never below 0); None when the Monte Carlo part cannot be measured."""
    if within_sd is None:
        return None
    monte_carlo = within_sd**2 / replications
    return {"monte_carlo": monte_carlo, "parameters": max(0.0, per_draw_sd**2 - monte_carlo)}


def effect_summary(per_draw, within_sd, replications, parameter_uncertainty, level=LEVEL):
    """Mean effect, its Monte Carlo SE and the interval the verdict uses: without parameter uncertainty the
    t-based CI of the mean (Monte Carlo); with it the prediction interval over draws (module docstring)."""
    x = np.asarray(per_draw, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    sd = exact.std(x) if n >= 2 else math.nan
    mc_se = sd / math.sqrt(n) if n else math.nan
    result = {**mean_ci(x, level), "mc_se": mc_se, "sd": sd, "scale": mc_se, "interval": MONTE_CARLO}
    if parameter_uncertainty:
        scale = sd * math.sqrt(1 + 1 / n) if n else math.nan
        half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * scale if n >= 2 else math.nan
        result.update(ci_low=result["mean"] - half, ci_high=result["mean"] + half, p_value=None, scale=scale,
                      interval=PARAMETERS)
    return {**result, "level": level, "replications_per_draw": int(replications), "within_sd": within_sd,
            "variance": variance_split(sd, within_sd, replications) if parameter_uncertainty else None}


def both_intervals(per_run, draw_of_run, parameter_uncertainty, level=LEVEL):
    """The mean of a per-run series with both kinds of interval (`interval_names`): `mean_ci_low`/`mean_ci_high`, the
    CI of the expected value over the per-draw means (each run its own draw without parameter uncertainty), and
    `prediction_low`/`prediction_high`, the prediction interval over draws (NaN without parameter uncertainty).
    Non-finite runs (a group empty in a run) are left out of their draw's mean."""
    x = np.asarray(per_run, dtype=float)
    draws = np.asarray(draw_of_run)
    if parameter_uncertainty:
        per_draw = [x[draws == d] for d in np.unique(draws)]
        x = np.array([exact.mean(v[np.isfinite(v)]) if np.isfinite(v).any() else math.nan for v in per_draw])
    ci = mean_ci(x, level)
    out = {"mean": ci["mean"], "mean_ci_low": ci["ci_low"], "mean_ci_high": ci["ci_high"],
           "prediction_low": math.nan, "prediction_high": math.nan}
    if parameter_uncertainty:
        predicted = effect_summary(x, None, 1, True, level)
        out.update(prediction_low=predicted["ci_low"], prediction_high=predicted["ci_high"])
    return out


def replications_needed(sd, mid, fraction):
    """Replications (or, with parameter uncertainty, inner replications per draw, from the within-draw SD)
    that bring the Monte Carlo SE under `fraction` x the minimal important difference; at least 2, the
    fewest that can measure a Monte Carlo SE. None when the SD is unknown, or when there is no target (a
    relative MID of a comparator rate of 0)."""
    if sd is None or math.isnan(sd) or not fraction * mid > 0:
        return None
    return max(2, math.ceil((sd / (fraction * mid)) ** 2))


def replications_per_draw(table, parameter_uncertainty):
    """R: inner replications per draw (1 without parameter uncertainty, each replication its own draw)."""
    return int(table.groupby("draw")["replication"].nunique().min()) if parameter_uncertainty else 1


def paired_effects(table, metrics, intervention, comparator, parameter_uncertainty=False, level=LEVEL):
    """{metric: effect_summary of its per-draw paired differences}."""
    replications = replications_per_draw(table, parameter_uncertainty)

    def summary(metric):
        differences = paired_differences(table, metric, intervention, comparator)  # once for both layers
        within = _within_draw_sd(differences, table) if parameter_uncertainty else None
        return effect_summary(per_draw_means(differences, table, parameter_uncertainty), within, replications,
                              parameter_uncertainty, level)

    return {m: summary(m) for m in metrics}


def arm_summaries(table, metrics, parameter_uncertainty=False, level=LEVEL):
    """{arm: {metric: mean with the CI of its expected value}} in the table's arm order: over the runs, or with
    parameter draws over the per-draw means (the replications of a draw are one cluster)."""
    def summary(rows, metric):
        if not parameter_uncertainty:
            return mean_ci(rows[metric], level)
        return mean_ci([exact.mean(v) for _, v in rows.groupby("draw", sort=True)[metric]], level)

    return {arm: {m: summary(rows, m) for m in metrics} for arm, rows in table.groupby("arm", sort=False)}
