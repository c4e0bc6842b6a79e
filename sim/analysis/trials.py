"""An emulated trial's statistics, as the trial papers report them, and their spread over simulated trials.

Per trial: each arm's descriptive row (a trial paper's Table 2: n, readmitted,
admissions and bed-days per participant, Kaplan-Meier median time to first
readmission), the odds ratio with its 95% CI (2x2 table, Woolf logit interval,
Haldane's +0.5 when a cell is empty) and Wald p-value, and mean differences
(Welch). Over trials: each arm's participants pooled, the mean rates, the
median OR and the 2.5-97.5% range of the OR estimates, and the power (share of
trials with p < 0.05). With parameter draws (a PSA, such as draws from the
calibration's posterior), the simulated trials span draws x trials, so the
`predictive` block is a predictive distribution of what a trial of this size
and design would report, including what we do not know about the parameters.
"""

import math

import numpy as np
from scipy import stats

from sim.analysis import exact
from sim.analysis.survival import kaplan_meier

ALPHA = 0.05


def odds_ratio(events_i, n_i, events_c, n_c):
    """(OR, CI low, CI high, two-sided p) of intervention vs control from a 2x2 table."""
    a, b, c, d = events_i, n_i - events_i, events_c, n_c - events_c
    if min(a, b, c, d) == 0:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = stats.norm.ppf(1 - ALPHA / 2)
    p = 2 * stats.norm.sf(abs(log_or) / se)
    return math.exp(log_or), math.exp(log_or - z * se), math.exp(log_or + z * se), float(p)


def mean_difference(x_i, x_c):
    """(intervention - control mean, 95% CI low, high), Welch's t."""
    if len(x_i) < 2 or len(x_c) < 2:
        return math.nan, math.nan, math.nan
    diff = exact.mean(x_i) - exact.mean(x_c)
    v_i, v_c = exact.variance(x_i) / len(x_i), exact.variance(x_c) / len(x_c)
    se = math.sqrt(v_i + v_c)
    if se == 0:
        return diff, diff, diff
    dof = (v_i + v_c) ** 2 / (v_i**2 / (len(x_i) - 1) + v_c**2 / (len(x_c) - 1))
    t = stats.t.ppf(1 - ALPHA / 2, dof)
    return diff, diff - t * se, diff + t * se


ARMS = ("control", "intervention")
MEDIAN_TOLERANCE = 1e-9  # S(t) within this of 1/2 counts as reaching it (R's quantile.survfit does the same)


def km_median(time, event, days):
    """The first day the Kaplan-Meier share not yet readmitted is down to 1/2; NaN if it never is (not reached).
    A tolerance, because a curve that is exactly 1/2 in theory can land a rounding above it."""
    if len(time) == 0:
        return math.nan
    reached = np.flatnonzero(kaplan_meier(time, event, days) <= 0.5 + MEDIAN_TOLERANCE)
    return float(reached[0]) if reached.size else math.nan


def arm_row(admissions, bed_days, gap, follow_up):
    """One arm of one trial as a trial paper's Table 2 reports it, from its participants' follow-up columns.

    Readmitted means an admission in the follow-up. Time to first readmission is censored at the end of the
    follow-up (nobody earlier: the horizon covers recruitment plus follow-up)."""
    event = (gap >= 0) & (gap <= follow_up)
    row = {"n": len(admissions), "readmitted": int(np.count_nonzero(admissions > 0))}
    row["rate"] = row["readmitted"] / row["n"] if row["n"] else math.nan
    for name, column in (("admissions", admissions), ("bed_days", bed_days)):
        row[name] = int(np.sum(column, dtype=np.int64))  # an exact integer total, so pooling over trials is exact
        row[f"{name}_mean"], row[f"{name}_sd"] = exact.mean(column), exact.std(column)
    row["median_days_to_readmission"] = km_median(np.where(event, gap, follow_up), event, follow_up)
    row["censored"] = int(np.count_nonzero(~event))
    return row


def _pooled_sd(n, means, sds, pooled_mean):
    """The SD of all trials' participants together, from each trial's n, mean and SD (within-trial plus
    between-trial sums of squares), each sum through exact.total so the bits do not depend on the machine."""
    keep = n > 0
    n, means, sds = n[keep], means[keep], sds[keep]
    if n.sum() < 2:
        return math.nan
    within = np.where(n > 1, (n - 1) * sds * sds, 0.0)
    between = n * (means - pooled_mean) * (means - pooled_mean)
    return math.sqrt((exact.total(within) + exact.total(between)) / (n.sum() - 1))


def _median_over_trials(days):
    """The median of the trials' medians, a trial whose median was not reached counting as the longest."""
    ordered = sorted(math.inf if math.isnan(d) else d for d in days)
    if not ordered:
        return math.nan
    middle = len(ordered) // 2
    value = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return value if math.isfinite(value) else math.nan


def pooled_arm(table, arm):
    """One arm over the simulated trials: its participants pooled (a trial of all trials' participants), and
    under `per_trial` the mean over trials of each trial's own numbers, as the module reports rates."""
    n = table[f"n_{arm}"].to_numpy(dtype=np.int64)
    participants, readmitted = int(n.sum()), int(table[f"{arm}_readmitted"].sum())
    censored = int(table[f"{arm}_censored"].sum())
    row = {"participants": participants, "readmitted": readmitted,
           "readmitted_share": readmitted / participants if participants else math.nan}
    for name in ("admissions", "bed_days"):
        mean = int(table[f"{arm}_{name}"].sum()) / participants if participants else math.nan
        row[f"{name}_mean"] = mean
        row[f"{name}_sd"] = _pooled_sd(n, table[f"{arm}_{name}_mean"].to_numpy(float),
                                       table[f"{arm}_{name}_sd"].to_numpy(float), mean)
    medians = table[f"{arm}_median_days_to_readmission"].to_numpy(float)
    row.update({"median_days_to_readmission": _median_over_trials(medians),
                "trials_median_reached": int(np.count_nonzero(~np.isnan(medians))),
                "censored": censored, "censored_share": censored / participants if participants else math.nan})
    row["per_trial"] = {"participants": exact.mean(n), "readmitted": exact.mean(table[f"{arm}_readmitted"]),
                        **{key: exact.mean(table[f"{arm}_{column}"].dropna()) for key, column in (
                            ("readmitted_share", "rate"), ("admissions_mean", "admissions_mean"),
                            ("admissions_sd", "admissions_sd"), ("bed_days_mean", "bed_days_mean"),
                            ("bed_days_sd", "bed_days_sd"))}}
    return row


def per_trial(table):
    """The quantities set against published ones, one value per simulated trial: the service's 30-day
    readmission and the shares of it within 7 and 14 days (base rates), the arms' rates, the OR."""
    shares = {f"service_share_of_30_day_within_{d}": table[f"service_readmission_{d}"] / table["service_readmission_30"]
              for d in (7, 14)}
    return {"service_readmission_30": table["service_readmission_30"], **shares,
            "control_rate": table["control_rate"], "intervention_rate": table["intervention_rate"],
            "odds_ratio": table["odds_ratio"]}


# The estimates a trial paper reports, each summarised over the simulated trials by median and 95% interval.
PREDICTED = ("control_rate", "intervention_rate", "odds_ratio", "or_ci_low", "or_ci_high", "p_value",
             "admissions_difference", "bed_days_difference", "readmission_free_days_difference")


def predictive(table, level=0.95):
    """{estimate: {median, low, high}} over every simulated trial (draws x trials), and P(p < ALPHA)."""
    tail = (1 - level) / 2
    block = {}
    for name in PREDICTED:
        x = table[name].dropna()
        block[name] = {"median": float(x.median()), "low": float(x.quantile(tail)),
                       "high": float(x.quantile(1 - tail))}
    return {"estimates": block, "probability_p_below_0_05": exact.share(table["p_value"] < ALPHA),
            "trials": int(len(table)), "draws": int(table["draw"].nunique()) if "draw" in table else 1}


def summarise_trials(cfg, table):
    """The `trial` section of summary.json: the emulated trial over its simulated repeats."""
    ors = table["odds_ratio"].dropna()
    targets = per_trial(table)
    return {
        "name": cfg.trial.name,
        "trials": int(len(table)),
        "arms": {arm: pooled_arm(table, arm) for arm in ARMS},
        "arms_meaning": "per arm, all simulated trials' participants pooled; median_days_to_readmission is the "
                        "median over trials of each trial's Kaplan-Meier median (null: not reached), censored at "
                        "the end of the follow-up; per_trial: the mean over trials of each trial's own numbers",
        "participants_per_trial": int(cfg.trial.sample_size),
        "mean_participants_recruited": exact.mean(table["participants"].dropna()),
        "control_rate": exact.mean(table["control_rate"].dropna()),
        "control_rate_interval": [float(table["control_rate"].quantile(q)) for q in (0.025, 0.975)],
        "intervention_rate": exact.mean(table["intervention_rate"].dropna()),
        "intervention_rate_interval": [float(table["intervention_rate"].quantile(q)) for q in (0.025, 0.975)],
        "odds_ratio": float(ors.median()),
        "or_ci_low": float(ors.quantile(0.025)),
        "or_ci_high": float(ors.quantile(0.975)),
        "or_interval_meaning": "2.5% and 97.5% quantiles of the OR estimates over the simulated trials",
        "power": exact.share(table["p_value"] < ALPHA),
        "predictive": predictive(table),
        "predictive_meaning": ("median and 95% interval of each estimate over all simulated trials: with "
                               "parameter draws (psa), draws x trials, a predictive distribution that includes "
                               "parameter uncertainty; without, the spread of trials at one parameter set"),
        "admissions_difference": exact.mean(table["admissions_difference"].dropna()),
        "bed_days_difference": exact.mean(table["bed_days_difference"].dropna()),
        "readmission_free_days_difference": exact.mean(table["readmission_free_days_difference"].dropna()),
        **{name: exact.mean(targets[name].dropna()) for name in ("service_readmission_30",
                                                          "service_share_of_30_day_within_7",
                                                          "service_share_of_30_day_within_14")},
    }
