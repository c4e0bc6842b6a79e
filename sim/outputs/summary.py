"""What a run found, on screen and in summary.json: per-arm means, paired effects, verdicts (or a trial's)."""

import math

from sim.analysis.cost_effectiveness import incremental_analysis
from sim.analysis.statistics import arm_summaries, paired_effects
from sim.analysis.trials import summarise_trials
from sim.analysis.verdict import verdict
from sim.experiment.replications import COMPARATOR

ROWS = (  # (metric, label, kind)
    ("readmission_30", "readmitted within 30 days", "rate"),
    ("readmission_90", "readmitted within 90 days", "rate"),
    ("readmission_365", "readmitted within 365 days", "rate"),
    ("acute_readmission_30", "acute care again within 30 days", "rate"),
    ("acute_readmission_90", "acute care again within 90 days", "rate"),
    ("acute_readmission_365", "acute care again within 365 days", "rate"),
    ("admissions_per_1000py", "admissions / 1,000 patient-years", "count"),
    ("bed_days_per_1000py", "bed-days / 1,000 patient-years", "count"),
    ("diversions_per_1000py", "diverted crises / 1,000 patient-years", "count"),
    ("respite_stays_per_1000py", "respite stays / 1,000 patient-years", "count"),
    ("cost_total", "cost per patient-year", "money"),
    ("cost_total_discounted", "cost per patient-year, discounted", "money"),
    ("qalys_discounted", "QALYs per patient-year, discounted", "qaly"),
)


def summarise(cfg, table):
    """The summary of an experiment: per-arm means, paired effects, the verdict (or an emulated trial's)."""
    if cfg.trial.kind != "none":
        return {"program": cfg.program.name, "follow_up_days": int(cfg.trial.follow_up_days),
                "trial": summarise_trials(cfg, table)}
    metrics = [c for c in table.columns if c not in ("replication", "seed", "arm") and not c.startswith("psa:")]
    intervention = cfg.program.name
    effects = paired_effects(table, metrics, intervention, COMPARATOR)
    economics = incremental_analysis(table, intervention, COMPARATOR, cfg.economics)
    return {
        "verdict": verdict(effects, cfg.primary_outcome),
        "economic_verdict": economics["verdict"],
        "verdict_rule": "lowers readmissions if the 95% CI of the paired difference in the primary outcome is "
                        "below 0; else costs more without benefit if the 95% CI of the cost difference is above 0; "
                        "else no detectable effect",
        "primary_outcome": cfg.primary_outcome,
        "comparison": {"intervention": intervention, "comparator": COMPARATOR},
        "replications": int(cfg.replications),
        "patients": int(cfg.population.n),
        "horizon_days": int(cfg.horizon_days),
        "burn_in_days": int(cfg.burn_in_days),
        "currency": cfg.costs.currency,
        "price_year": int(cfg.costs.price_year),
        "confidence_level": 0.95,
        "discount_rates": {"costs": cfg.economics.discount_rate_costs,
                           "outcomes": cfg.economics.discount_rate_outcomes},
        "arms": arm_summaries(table, metrics),
        "effects": effects,
        "economics": economics,
        "readmission_free": table.attrs.get("survival", {}),
        "weekly_bed_occupancy": table.attrs.get("occupancy", {}),
    }


def _fmt(value, kind, signed=False):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "+" if signed else ""
    if kind == "rate":
        return f"{100 * value:{sign}.1f}" + ("pp" if signed else "%")
    if kind == "money":
        return f"{value:{sign},.0f}"
    if kind == "qaly":
        return f"{value:{sign}.4f}"
    return f"{value:{sign},.1f}"


def format_summary(summary):
    """The verdict table printed at the end of the main job (or an emulated trial's results)."""
    if "trial" in summary:
        return format_trial(summary)
    c = summary["comparison"]
    a, b = c["comparator"], c["intervention"]
    lines = [
        f"{b} vs {a}: {summary['replications']} paired replications, {summary['patients']:,} patients, "
        f"{summary['horizon_days']} days counted after {summary['burn_in_days']} days burn-in "
        f"(costs in {summary['currency']} {summary['price_year']})",
        f"{'outcome':40} {a:>12} {b:>18}   difference (95% CI)",
    ]
    for metric, label, kind in ROWS:
        e = summary["effects"][metric]
        ci = f"{_fmt(e['ci_low'], kind, True)} to {_fmt(e['ci_high'], kind, True)}"
        lines.append(f"{label:40} {_fmt(summary['arms'][a][metric]['mean'], kind):>12} "
                     f"{_fmt(summary['arms'][b][metric]['mean'], kind):>18}   "
                     f"{_fmt(e['mean'], kind, True)} ({ci})")
    p = summary["effects"][summary["primary_outcome"]]
    e = summary["economics"]
    icer = e["icer"] if isinstance(e["icer"], str) else f"{e['icer']:,.0f} per QALY"
    per_averted = e["cost_per_readmission_averted"]
    threshold = f"{e['threshold']:g}"
    nmb = e["net_monetary_benefit"][threshold]
    lines += [
        f"ICER {icer}; net monetary benefit at {e['threshold']:,.0f}/QALY {_fmt(nmb['mean'], 'money', True)} "
        f"({_fmt(nmb['ci_low'], 'money', True)} to {_fmt(nmb['ci_high'], 'money', True)}) per patient-year; "
        f"P(cost-effective) {e['probability_cost_effective'][threshold]:.2f}, "
        f"P(cost-saving) {e['probability_cost_saving']:.2f}; cost per 30-day readmission averted "
        + ("n/a (none averted)" if per_averted is None or math.isnan(per_averted) else f"{per_averted:,.0f}"),
        f"verdict: {summary['verdict']} (primary outcome {summary['primary_outcome']}: "
        f"{_fmt(p['mean'], 'rate', True)}, 95% CI {_fmt(p['ci_low'], 'rate', True)} to "
        f"{_fmt(p['ci_high'], 'rate', True)}); economic verdict: {summary['economic_verdict']}",
    ]
    if summary["replications"] < 2:
        lines.append("one replication gives no confidence intervals, so no effect can be detected: "
                     "use replications >= 2 for a verdict")
    return "\n".join(lines)


def _missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def _count_share(count, share):
    return "n/a" if _missing(share) else f"{count:,} ({100 * share:.1f}%)"


def _mean_sd(mean, sd, digits):
    return "n/a" if _missing(mean) else f"{mean:.{digits}f} ({'n/a' if _missing(sd) else f'{sd:.{digits}f}'})"


def format_trial_arms(t):
    """Each arm as a trial paper's Table 2 shows it, all simulated trials' participants pooled."""
    arms = [t["arms"][name] for name in ("control", "intervention")]
    rows = (
        ("participants, n", lambda a: f"{a['participants']:,}"),
        ("readmitted in follow-up, n (%)", lambda a: _count_share(a["readmitted"], a["readmitted_share"])),
        ("admissions per participant, mean (SD)", lambda a: _mean_sd(a["admissions_mean"], a["admissions_sd"], 2)),
        ("bed-days per participant, mean (SD)", lambda a: _mean_sd(a["bed_days_mean"], a["bed_days_sd"], 1)),
        ("days to first readmission, median*", lambda a: "not reached" if _missing(a["median_days_to_readmission"])
         else f"{a['median_days_to_readmission']:g}"),
        ("censored at end of follow-up, n (%)", lambda a: _count_share(a["censored"], a["censored_share"])),
    )
    head = f"per arm, {t['trials']} trials pooled"
    return [f"{head:40} {'control':>16} {'intervention':>16}",
            *(f"{label:40} {cell(arms[0]):>16} {cell(arms[1]):>16}" for label, cell in rows),
            "* median over trials of each trial's Kaplan-Meier median; not reached: over half not readmitted"]


def format_trial(summary):
    """An emulated trial's results, as printed at the end of the run: the arms' table, then the effects."""
    t = summary["trial"]
    return "\n".join([
        f"{t['name']}: {t['trials']} simulated trials of {t['participants_per_trial']} participants "
        f"({summary['program']} vs usual care, randomised at the index event, {summary['follow_up_days']}-day "
        f"follow-up)",
        *(format_trial_arms(t) if "arms" in t else []),  # a summary.json written before the table had none
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
