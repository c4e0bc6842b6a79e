"""Results on disk and on screen: summary.json, the per-replication table, a figure, a manifest.

Every file is written to a temporary name and renamed into place, and
`manifest.json` is written last: a folder without it is not a complete run.
An interruption while writing removes what this run had written.
"""

import json
import math
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from sim.analysis import exact  # noqa: E402
from sim.analysis.cost_effectiveness import acceptability_curve, incremental_analysis  # noqa: E402
from sim.experiment.replications import COMPARATOR  # noqa: E402
from sim.outputs.provenance import environment  # noqa: E402
from sim.analysis.statistics import arm_summaries, paired_differences, paired_effects  # noqa: E402
from sim.analysis.verdict import verdict  # noqa: E402

ROWS = (  # (metric, label, kind)
    ("readmission_30", "readmitted within 30 days", "rate"),
    ("readmission_90", "readmitted within 90 days", "rate"),
    ("readmission_365", "readmitted within 365 days", "rate"),
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
        from sim.experiment.trial import summarise_trials

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
        from sim.experiment.trial import format_trial

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


def _json_safe(x):
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def manifest_environment(wall_seconds, threads=None):
    """Where and how a result was made: commit and whether it was clean, Python, package versions, Numba
    threads (of a single run; a sweep's jobs record their own), wall time."""
    return {
        **environment(),
        **({} if threads is None else {"numba_threads": threads}),
        "wall_seconds": wall_seconds,
    }


def config_record(cfg):
    """The resolved config as manifest.json stores it (JSON values)."""
    return json.loads(json.dumps(_json_safe(OmegaConf.to_container(OmegaConf.structured(cfg)))))


def manifest(cfg, engine_seconds, overrides=None):
    """What is needed to re-run and check this result."""
    return {
        "config": config_record(cfg),
        "seed": int(cfg.seed),
        **manifest_environment(engine_seconds, cfg.threads),
        "overrides": overrides,
    }


def write_atomic(path, write):
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


def _write_json(path, data):
    write_atomic(path, lambda p: p.write_text(json.dumps(_json_safe(data), indent=2) + "\n"))


def plot(summary, table, path):
    """Left: readmission by window and arm (95% CI). Right: paired differences in the primary outcome."""
    c = summary["comparison"]
    arms = [c["comparator"], c["intervention"]]
    windows = ["readmission_30", "readmission_90", "readmission_365"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for k, arm in enumerate(arms):
        s = summary["arms"][arm]
        means = [100 * s[w]["mean"] for w in windows]
        errs = [[100 * (s[w]["mean"] - s[w]["ci_low"]) for w in windows],
                [100 * (s[w]["ci_high"] - s[w]["mean"]) for w in windows]]
        left.bar([i + 0.4 * k for i in range(3)], means, 0.4, yerr=errs, capsize=3, label=arm)
    left.set_xticks([i + 0.2 for i in range(3)], ["30 days", "90 days", "365 days"])
    left.set_ylabel("readmitted per discharge (%)")
    left.legend()
    primary = summary["primary_outcome"]
    diff = 100 * paired_differences(table, primary, arms[1], arms[0])
    e = summary["effects"][primary]
    right.plot(diff.index, diff.values, "o", color="grey", label="replication")
    right.axhline(100 * e["mean"], color="C1", label="mean")
    right.axhspan(100 * e["ci_low"], 100 * e["ci_high"], color="C1", alpha=0.2, label="95% CI")
    right.axhline(0, color="black", lw=0.8)
    right.set_xlabel("replication")
    right.xaxis.get_major_locator().set_params(integer=True)
    right.set_ylabel("paired difference (percentage points)")
    right.set_title(f"{primary}: {arms[1]} - {arms[0]}", fontsize=10)
    right.legend()
    fig.suptitle(f"verdict: {summary['verdict']}")
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)


def plot_cost_effectiveness(summary, table, path):
    """Left: the cost-effectiveness plane (one point per replication). Right: the acceptability curve."""
    c = summary["comparison"]
    arms = (c["intervention"], c["comparator"])
    d_cost = paired_differences(table, "cost_total_discounted", *arms)
    d_qaly = paired_differences(table, "qalys_discounted", *arms)
    money = summary["currency"]
    fig, (plane, curve) = plt.subplots(1, 2, figsize=(10, 4))
    plane.scatter(d_qaly, d_cost, s=14, color="C0", label="replication")
    plane.scatter([exact.mean(d_qaly)], [exact.mean(d_cost)], s=60, color="C1", marker="X", label="mean")
    plane.axhline(0, color="black", lw=0.8)
    plane.axvline(0, color="black", lw=0.8)
    span = max(abs(d_qaly).max(), 1e-9) * 1.2
    threshold = summary["economics"]["threshold"]
    plane.plot([-span, span], [-span * threshold, span * threshold], "--", color="grey",
               label=f"{threshold:,.0f} {money} per QALY")
    plane.set_xlim(-span, span)
    plane.set_xlabel("incremental QALYs per patient-year (discounted)")
    plane.set_ylabel(f"incremental cost per patient-year ({money}, discounted)")
    plane.set_title(f"{arms[0]} - {arms[1]}", fontsize=10)
    plane.legend(fontsize=8)
    thresholds = np.linspace(0, max(100_000.0, 2 * threshold), 101)
    curve.plot(thresholds, acceptability_curve(table, *arms, thresholds), color="C0")
    curve.axvline(threshold, color="grey", ls="--")
    curve.set_ylim(-0.02, 1.02)
    curve.set_xlabel(f"willingness to pay ({money} per QALY)")
    curve.set_ylabel("probability cost-effective")
    curve.set_title("cost-effectiveness acceptability curve", fontsize=10)
    fig.suptitle(f"economic verdict: {summary['economic_verdict']}")
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)


def _plot_by_arm(series_by_arm, path, xlabel, ylabel, title, step):
    """One line per arm of a per-day or per-week series (percentages)."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for arm, series in series_by_arm.items():
        values = 100 * np.asarray(series, dtype=float)
        if step:
            ax.step(range(len(values)), values, where="post", label=arm)
        else:
            ax.plot(range(len(values)), values, label=arm)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend()
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)


def plot_survival(summary, path):
    """Kaplan-Meier share not yet readmitted after the index discharge, per arm (mean of replications)."""
    _plot_by_arm(summary["readmission_free"], path, "days since index discharge", "not yet readmitted (%)",
                 "time to first readmission (Kaplan-Meier, per patient)", step=True)


def plot_occupancy(summary, path):
    """Share of acute beds occupied, weekly mean over the counted period, per arm (mean of replications)."""
    _plot_by_arm(summary["weekly_bed_occupancy"], path, "week of the counted period", "acute beds occupied (%)",
                 "bed occupancy over time (weekly mean)", step=False)


RESULT_FILES = ("replications.csv", "readmission.png", "cost_effectiveness.png", "survival.png", "occupancy.png",
                "trial.png", "summary.json", "manifest.json")


def write_results(out_dir, cfg, table, summary, engine_seconds):
    """All result files; manifest.json last, as the mark of a complete run. A reused folder's old manifest
    goes first, so a kill while writing never leaves an old manifest beside new files."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    try:
        write_atomic(out / "replications.csv", lambda p: table.to_csv(p, index=False))
        if "trial" in summary:
            from sim.experiment.trial import plot_trials

            plot_trials(summary, table, out / "trial.png")
        else:
            plot(summary, table, out / "readmission.png")
            plot_cost_effectiveness(summary, table, out / "cost_effectiveness.png")
            if summary["readmission_free"]:
                plot_survival(summary, out / "survival.png")
            if summary["weekly_bed_occupancy"]:
                plot_occupancy(summary, out / "occupancy.png")
        _write_json(out / "summary.json", summary)
        _write_json(out / "manifest.json", manifest(cfg, engine_seconds, summary.get("overrides")))
    except BaseException:
        remove_results(out)
        raise


def remove_results(out):
    """Delete this run's result files and temporary files, leaving Hydra's own logs."""
    for path in [*(out / name for name in RESULT_FILES), *out.glob(".*.tmp")]:
        path.unlink(missing_ok=True)

