"""An emulated randomised trial, analysed as the trial papers report it, and repeated over simulated trials.

Inside one simulated care system (shared beds, clinicians, network), people
are recruited at their index event and randomised (`conf/trial/`): control
participants get usual care, intervention participants are offered the
programme (intention to treat: uptake, fading and capacity apply). Each
replication is one simulated trial on a new seed. Per trial: the share
readmitted within the follow-up per arm, the odds ratio with its 95% CI
(2x2 table, Woolf logit interval, Haldane's +0.5 when a cell is empty) and
Wald p-value, and mean differences in admissions and bed-days per participant
(Welch), and in time to first readmission as the restricted mean
readmission-free time over the follow-up (no one is censored earlier: the
horizon covers recruitment plus follow-up). Over trials: the mean rates, the median OR and the 2.5-97.5%
range of the OR estimates, and the power (share of trials with p < 0.05).
"""

import math

import numpy as np
from scipy import stats

from sim.analysis import exact
from sim.analysis.outcomes import readmission_rates
from sim.model.columns import CONTROL, INTERVENTION

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


def trial_outcomes(model):
    """One simulated trial's results, as one row of the results table."""
    p = model.patients
    arms = {name: p.trial_arm == code for name, code in (("intervention", INTERVENTION), ("control", CONTROL))}
    n = {name: int(mask.sum()) for name, mask in arms.items()}
    readmitted = {name: int((p.trial_admissions[mask] > 0).sum()) for name, mask in arms.items()}
    row = {"participants": n["intervention"] + n["control"], "n_intervention": n["intervention"],
           "n_control": n["control"]}
    for name in arms:
        row[f"{name}_readmitted"] = readmitted[name]
        row[f"{name}_rate"] = readmitted[name] / n[name] if n[name] else math.nan
    if n["intervention"] and n["control"]:
        row["odds_ratio"], row["or_ci_low"], row["or_ci_high"], row["p_value"] = odds_ratio(
            readmitted["intervention"], n["intervention"], readmitted["control"], n["control"])
    else:
        row["odds_ratio"] = row["or_ci_low"] = row["or_ci_high"] = row["p_value"] = math.nan
    follow_up = model.cfg.trial.follow_up_days
    gap = p.trial_readmission_gap
    free_days = np.where((gap >= 0) & (gap <= follow_up), gap, follow_up)  # everyone is followed to the end
    for outcome, column in (("admissions", p.trial_admissions), ("bed_days", p.trial_bed_days),
                            ("readmission_free_days", free_days)):
        diff, low, high = mean_difference(column[arms["intervention"]], column[arms["control"]])
        row[f"{outcome}_difference"], row[f"{outcome}_ci_low"], row[f"{outcome}_ci_high"] = diff, low, high
    # the service around the trial: per-discharge readmission over the counted period (the base rates)
    service = readmission_rates(model.events, model.cfg.burn_in_days, model.n_days)
    row.update({f"service_{key}": value for key, value in service.items()})
    return row


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


def format_trial(summary):
    t = summary["trial"]
    return "\n".join([
        f"{t['name']}: {t['trials']} simulated trials of {t['participants_per_trial']} participants "
        f"({summary['program']} vs usual care, randomised at the index event, {summary['follow_up_days']}-day "
        f"follow-up)",
        f"readmitted within follow-up: control {100 * t['control_rate']:.1f}% "
        f"(95% of trials {100 * t['control_rate_interval'][0]:.1f}-{100 * t['control_rate_interval'][1]:.1f}%), "
        f"intervention {100 * t['intervention_rate']:.1f}% "
        f"({100 * t['intervention_rate_interval'][0]:.1f}-{100 * t['intervention_rate_interval'][1]:.1f}%)",
        f"odds ratio: median {t['odds_ratio']:.2f} over trials (95% of trials {t['or_ci_low']:.2f}-"
        f"{t['or_ci_high']:.2f}); power (p < 0.05): {t['power']:.2f}",
        f"admissions per participant {t['admissions_difference']:+.3f}, bed-days per participant "
        f"{t['bed_days_difference']:+.2f}, readmission-free days in follow-up "
        f"{t['readmission_free_days_difference']:+.1f} (intervention - control, mean over trials)",
    ])


def plot_trials(summary, table, path):
    import matplotlib

    from sim.outputs.report import write_atomic

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (rates, ors) = plt.subplots(1, 2, figsize=(10, 4))
    rates.scatter(100 * table["control_rate"], 100 * table["intervention_rate"], s=12)
    lim = [0, 100 * max(table["control_rate"].max(), table["intervention_rate"].max()) * 1.1]
    rates.plot(lim, lim, "--", color="grey", label="no effect")
    rates.set_xlabel("control: readmitted within follow-up (%)")
    rates.set_ylabel("intervention: readmitted within follow-up (%)")
    rates.set_title("one point per simulated trial", fontsize=10)
    rates.legend(fontsize=8)
    order = np.argsort(table["odds_ratio"].to_numpy())
    y = np.arange(len(order))
    significant = (table["p_value"].to_numpy() < ALPHA)[order]
    for mask, color, label in ((significant, "C0", "p < 0.05"), (~significant, "grey", "p >= 0.05")):
        ors.errorbar(table["odds_ratio"].to_numpy()[order][mask], y[mask],
                     xerr=[(table["odds_ratio"] - table["or_ci_low"]).to_numpy()[order][mask],
                           (table["or_ci_high"] - table["odds_ratio"]).to_numpy()[order][mask]],
                     fmt="o", ms=3, color=color, lw=0.8, label=label)
    ors.axvline(1, color="black", lw=0.8)
    ors.set_xscale("log")
    ors.set_xlabel("odds ratio of readmission, 95% CI (log scale)")
    ors.set_ylabel("simulated trial (sorted)")
    ors.set_title(f"power {summary['trial']['power']:.2f}", fontsize=10)
    ors.legend(fontsize=8)
    fig.suptitle(summary["trial"]["name"])
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)
