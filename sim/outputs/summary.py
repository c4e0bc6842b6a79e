"""What a run found, on screen and in summary.json: per-arm means, paired effects, verdicts (or a trial's)."""

import math

from sim.analysis.cost_effectiveness import economic_label, incremental_analysis
from sim.analysis.decomposition import qaly_decomposition
from sim.analysis.statistics import (
    PARAMETERS,
    arm_summaries,
    interval_names,
    paired_effects,
    replications_needed,
)
from sim.analysis.trials import summarise_trials
from sim.analysis.verdict import VERDICT_RULE, judge, minimal_difference, wastes_resources
from sim.config.comparator import COMPARATOR
from sim.config.psa import uncertain

ROWS = (  # (metric, label, kind)
    ("readmission_30", "readmitted within 30 days", "rate"),
    ("readmission_90", "readmitted within 90 days", "rate"),
    ("readmission_365", "readmitted within 365 days", "rate"),
    ("acute_readmission_30", "acute care again within 30 days", "rate"),
    ("acute_readmission_90", "acute care again within 90 days", "rate"),
    ("acute_readmission_365", "acute care again within 365 days", "rate"),
    ("admissions_per_1000py", "admissions / 1,000 cohort patient-years", "count"),
    ("bed_days_per_1000py", "bed-days / 1,000 cohort patient-years", "count"),
    ("diversions_per_1000py", "diverted crises / 1,000 cohort patient-years", "count"),
    ("respite_stays_per_1000py", "respite stays / 1,000 cohort patient-years", "count"),
    ("deaths_per_1000py", "deaths / 1,000 cohort patient-years", "count"),
    ("deaths_per_1000_at_risk_py", "deaths / 1,000 years lived", "count"),
    ("life_years_discounted", "life-years per patient-year, discounted", "qaly"),
    ("cost_total", "cost per cohort patient-year", "money"),
    ("cost_total_discounted", "cost per cohort patient-year, discounted", "money"),
    ("qalys_discounted", "QALYs per patient-year, discounted", "qaly"),
)
NOT_METRICS = ("replication", "draw", "seed", "arm")


def verdict_detail(cfg, effects, arms, economics):
    """The clinical verdict on the primary outcome against the MID, and what backs it."""
    primary = effects[cfg.primary_outcome]
    mid = minimal_difference(cfg.verdict, arms[COMPARATOR][cfg.primary_outcome]["mean"])
    judged = judge(primary, mid)
    wasted, wasted_statement = wastes_resources(judged["label"], economics["incremental_cost"])
    fraction = cfg.verdict.mc_se_fraction
    drawn = primary["interval"] == PARAMETERS
    # with parameter draws: the mean's SE holds the draws' sampling (more draws shrink it); the Monte Carlo noise
    # of each draw's effect is the within-draw SD over sqrt(R) (more replications per draw shrink it)
    monte_carlo_sd = primary["within_sd"] if drawn else primary["sd"]
    per_draw = (monte_carlo_sd / math.sqrt(primary["replications_per_draw"])
                if drawn and monte_carlo_sd is not None else None)
    return {**judged, "minimal_difference": mid, "difference": cfg.verdict.difference, "scale": cfg.verdict.scale,
            "interval": primary["interval"], "level": cfg.verdict.level, "mc_se": primary["mc_se"],
            "mc_se_target": fraction * mid,
            "replications_needed": replications_needed(monte_carlo_sd, mid, fraction),
            "draws_needed": replications_needed(primary["sd"], mid, fraction) if drawn else None,
            "per_draw_mc_sd": per_draw,
            "variance": primary["variance"], "wastes_resources": wasted, "wastes_resources_statement": wasted_statement}


def summarise(cfg, table):
    """The summary of an experiment: per-arm means, paired effects, the verdict (or an emulated trial's)."""
    if cfg.trial.kind != "none":
        return {"program": cfg.program.name, "follow_up_days": int(cfg.trial.follow_up_days),
                "trial": summarise_trials(cfg, table)}
    metrics = [c for c in table.columns if c not in NOT_METRICS and not c.startswith("psa:")]
    intervention = cfg.program.name
    drawn = uncertain(cfg)
    level = cfg.verdict.level
    effects = paired_effects(table, metrics, intervention, COMPARATOR, drawn, level)
    economics = incremental_analysis(table, intervention, COMPARATOR, cfg.economics, drawn, level)
    arms = arm_summaries(table, metrics, drawn, level)
    detail = verdict_detail(cfg, effects, arms, economics)
    return {
        "verdict": detail["label"],
        "verdict_detail": detail,
        "verdict_rule": VERDICT_RULE,
        "economic_verdict": economics["verdict"],
        "primary_outcome": cfg.primary_outcome,
        "comparison": {"intervention": intervention, "comparator": COMPARATOR},
        "parameter_uncertainty": drawn,
        "draws": int(cfg.psa.draws),
        "replications": int(cfg.replications),
        "patients": int(cfg.population.n),
        "horizon_days": int(cfg.horizon_days),
        "burn_in_days": int(cfg.burn_in_days),
        "currency": cfg.costs.currency,
        "price_year": int(cfg.costs.price_year),
        "confidence_level": level,
        "discount_rates": {"costs": cfg.economics.discount_rate_costs,
                           "outcomes": cfg.economics.discount_rate_outcomes},
        "arms": arms,
        "effects": effects,
        "intervals": interval_names(drawn),
        "deaths_per_1000py": {arm: rows["deaths_per_1000py"]["mean"] for arm, rows in arms.items()},
        "qaly_decomposition": qaly_decomposition(table, intervention, COMPARATOR, drawn),
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


def _interval_name(summary):
    """'95% CI of the expected value' (Monte Carlo) or '95% prediction interval' (over parameter draws)."""
    kind = "prediction interval" if summary["parameter_uncertainty"] else "CI of the expected value"
    return f"{100 * summary['confidence_level']:g}% {kind}"


def _header(summary):
    c = summary["comparison"]
    runs = (f"{summary['draws']} parameter draws x {summary['replications']} paired replications"
            if summary["parameter_uncertainty"] else f"{summary['replications']} paired replications")
    return (f"{c['intervention']} vs {c['comparator']}: {runs}, {summary['patients']:,} patients, "
            f"{summary['horizon_days']} days counted after {summary['burn_in_days']} days burn-in "
            f"(costs in {summary['currency']} {summary['price_year']})")


def _outcome_rows(summary):
    c = summary["comparison"]
    a, b = c["comparator"], c["intervention"]
    lines = [f"{'outcome':40} {a:>12} {b:>18}   difference ({_interval_name(summary)})"]
    for metric, label, kind in ROWS:
        e = summary["effects"][metric]
        ci = f"{_fmt(e['ci_low'], kind, True)} to {_fmt(e['ci_high'], kind, True)}"
        lines.append(f"{label:40} {_fmt(summary['arms'][a][metric]['mean'], kind):>12} "
                     f"{_fmt(summary['arms'][b][metric]['mean'], kind):>18}   "
                     f"{_fmt(e['mean'], kind, True)} ({ci})")
    return lines


def _pp(value, digits=2):
    """A difference of proportions in percentage points."""
    return "n/a" if _missing(value) else f"{100 * value:.{digits}f}pp"


def _fmt_p(p):
    return "n/a" if _missing(p) else ("< 0.001" if p < 0.001 else f"{p:.3f}")


def _mid(v):
    relative = "" if v["scale"] == "absolute" else f", {100 * v['difference']:g}% of usual care's"
    return f"minimal important difference {_pp(v['minimal_difference'], 1)}{relative}"


def _verdict_lines(summary):
    """The verdict with its interval and MID, what qualifies or would settle it, and the rule."""
    p = summary["effects"][summary["primary_outcome"]]
    v = summary["verdict_detail"]
    lines = [f"verdict: {summary['verdict']} (primary outcome {summary['primary_outcome']}: "
             f"{_fmt(p['mean'], 'rate', True)}, {_interval_name(summary)} {_fmt(p['ci_low'], 'rate', True)} to "
             f"{_fmt(p['ci_high'], 'rate', True)}; {_mid(v)}; equivalence (TOST) p {_fmt_p(v['tost_p'])})"]
    lines += [f"  {text}" for text in (v["qualifier"], v["settle"], v["wastes_resources_statement"]) if text]
    lines.append(f"  rule: {summary['verdict_rule']}")
    return lines


def _monte_carlo_line(summary):
    """The Monte Carlo SE against its target, the replications that would meet it, and the variance split."""
    v = summary["verdict_detail"]
    needed = "n/a" if v["replications_needed"] is None else f"{v['replications_needed']:,}"
    target = _pp(v["mc_se_target"])
    if not summary["parameter_uncertainty"]:
        return (f"Monte Carlo standard error of the effect {_pp(v['mc_se'])} (target: under {target}, which "
                f"{needed} replications would reach)")
    per_draw = "n/a" if v["per_draw_mc_sd"] is None else _pp(v["per_draw_mc_sd"])
    line = (f"standard error of the mean effect over draws {_pp(v['mc_se'])} (target: under {target}, which "
            f"{v['draws_needed']:,} draws would reach); Monte Carlo noise of each draw's effect {per_draw} (under "
            f"the target with {needed} replications per draw)")
    if v["variance"]:
        sd = {part: math.sqrt(value) for part, value in v["variance"].items()}
        line += (f"; SD of the per-draw effects from Monte Carlo {_pp(sd['monte_carlo'])}, "
                 f"from parameters {_pp(sd['parameters'])}")
    return line


def _qaly_line(summary):
    """Where the QALYs gained come from: longer lives, better places, better health."""
    q = summary["qaly_decomposition"]
    parts = ", ".join(f"{part} {_fmt(q[part]['mean'], 'qaly', True)} ({_share(q[part]['share'])})"
                      for part in ("mortality", "location", "health"))
    return f"QALYs per patient-year gained {_fmt(q['total'], 'qaly', True)}: {parts}"


def _share(share):
    return "n/a" if _missing(share) else f"{100 * share:.0f}%"


def _cash_and_capacity_lines(summary):
    """Capacity released beside the cash, and the cash if freed beds are refilled (their cost not saved)."""
    e = summary["economics"]
    cash = summary["effects"]["cost_total"]["mean"]
    refilled = e["incremental_cost_if_beds_refilled"]["mean"]
    per_averted = e["cost_per_readmission_averted"]
    return [
        f"capacity released per patient-year: {e['bed_days_released_per_patient_year']:+.3f} bed-days, "
        f"{e['diversions_prevented_per_patient_year']:+.3f} diverted crises prevented",
        f"incremental cost per patient-year, undiscounted: {_fmt(cash, 'money', True)} "
        f"({_fmt(refilled, 'money', True)} if freed beds are refilled, their cost not saved); "
        f"ICER {e['icer']['text']}; cost per 30-day readmission averted "
        + ("n/a (none averted)" if _missing(per_averted) else f"{per_averted:,.0f}"),
    ]


def _economic_line(summary):
    """The economic verdict, from parameter uncertainty only."""
    e = summary["economics"]
    if e["verdict"] is None:
        return "economic verdict: none without parameter uncertainty (run with psa=default for the economic verdict)"
    threshold = f"{e['threshold']:g}"
    nmb = e["net_monetary_benefit"][threshold]
    return (f"economic verdict: {economic_label(e)} (mean net monetary benefit {_fmt(nmb['mean'], 'money', True)} "
            f"per patient-year; P(cost-effective) {e['probability_cost_effective'][threshold]:.2f}, "
            f"P(cost-saving) {e['probability_cost_saving']:.2f}, over {summary['draws']} parameter draws)")


def format_summary(summary):
    """The verdict table printed at the end of the main job (or an emulated trial's results)."""
    if "trial" in summary:
        return format_trial(summary)
    lines = [_header(summary), *_outcome_rows(summary), *_verdict_lines(summary), _monte_carlo_line(summary),
             _qaly_line(summary), *_cash_and_capacity_lines(summary), _economic_line(summary)]
    if summary["replications"] < 2 and not summary["parameter_uncertainty"]:
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
        *format_predictive(t),
    ])


def format_predictive(t):
    """The predictive block: each estimate's median and 95% interval over draws x trials."""
    if "predictive" not in t:  # a summary.json written before predictive intervals
        return []
    p = t["predictive"]
    where = (f"{p['draws']} parameter draws x {p['trials'] // max(p['draws'], 1)} trials" if p["draws"] > 1
             else f"{p['trials']} trials at one parameter set")
    lines = [f"predictive median (95% interval) over {where}; P(p < 0.05) {p['probability_p_below_0_05']:.2f}"]
    for name, e in p["estimates"].items():
        lines.append(f"  {name:34} {e['median']:8.3f} ({e['low']:.3f} to {e['high']:.3f})")
    return lines
