"""An emulated trial's statistics, as the trial papers report them, and their spread over simulated trials.

Per trial: the odds ratio with its 95% CI (2x2 table, Woolf logit interval,
Haldane's +0.5 when a cell is empty) and Wald p-value, and mean differences
(Welch). Over trials: the mean rates, the median OR and the 2.5-97.5% range of
the OR estimates, and the power (share of trials with p < 0.05).
"""

import math

from scipy import stats

from sim.analysis import exact

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


def per_trial(table):
    """The quantities calibrated and validated against published ones, one value per simulated trial:
    the service's 30-day readmission and the shares of it within 7 and 14 days, the arms' rates, the OR."""
    shares = {f"service_share_of_30_day_within_{d}": table[f"service_readmission_{d}"] / table["service_readmission_30"]
              for d in (7, 14)}
    return {"service_readmission_30": table["service_readmission_30"], **shares,
            "control_rate": table["control_rate"], "intervention_rate": table["intervention_rate"],
            "odds_ratio": table["odds_ratio"]}


def summarise_trials(cfg, table):
    """The `trial` section of summary.json: the emulated trial over its simulated repeats."""
    ors = table["odds_ratio"].dropna()
    targets = per_trial(table)
    return {
        "name": cfg.trial.name,
        "trials": int(len(table)),
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
        "admissions_difference": exact.mean(table["admissions_difference"].dropna()),
        "bed_days_difference": exact.mean(table["bed_days_difference"].dropna()),
        "readmission_free_days_difference": exact.mean(table["readmission_free_days_difference"].dropna()),
        **{name: exact.mean(targets[name].dropna()) for name in ("service_readmission_30",
                                                          "service_share_of_30_day_within_7",
                                                          "service_share_of_30_day_within_14")},
    }
