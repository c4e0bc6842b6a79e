"""Gather a sweep into one tidy table: `python -m sim.report <multirun folder>`.

After `python -m sim -m key=a,b,c ...`, every complete job folder (one with
`manifest.json`) becomes rows of `sweep.csv` and `sweep.parquet` in the
multirun folder: one row per sweep point and arm, with the swept values, each
outcome's mean and 95% CI in that arm, the paired effect against usual care
(on the programme's row) and both verdicts. The figures: the primary effect
against the swept values with its CI (`sweep_effects.png`, beside the
cost-effectiveness plane), acceptability curves (`sweep_acceptability.png`, only when the jobs drew
parameters: acceptability is parameter uncertainty),
survival curves (`sweep_survival.png`) and bed occupancy over time
(`sweep_occupancy.png`), one colour per sweep point.

A sweep of emulated trials (`trial=core`) gives one row per sweep point with the
trial summary's numbers (each arm's readmission rate, the odds ratio and the
2.5-97.5% range of its estimates, the power, ...) and `sweep_trial.png`: the
odds ratio and the power across the sweep. A folder mixing trial and
comparison jobs is refused.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.cost_effectiveness import NOT_ASSESSED, acceptability_curve, label_probability
from sim.analysis.statistics import interval_names
from sim.config.read_back import read_json, read_table, read_yaml_list
from sim.errors import ConfigError
from sim.outputs.atomic import write_atomic
from sim.outputs.figures import plain_log_ticks

OUTCOMES = ("readmission_30", "readmission_90", "readmission_365", "admissions_per_1000py", "bed_days_per_1000py",
            "diversions_per_1000py", "cost_total", "cost_total_discounted", "qalys_discounted")


def _swept_values(job):
    path = job / ".hydra" / "overrides.yaml"
    overrides = read_yaml_list(path)
    if not all("=" in o for o in overrides):
        raise ConfigError(f"{path}: not a list of key=value overrides")
    return dict(o.lstrip("+~").split("=", 1) for o in overrides)


class SweepError(ConfigError):
    """A multirun folder whose jobs cannot share one table."""


def _job_order(job):
    """Hydra numbers its jobs: 10 comes after 9, not after 1; other names follow, in text order."""
    return (0, int(job.name), "") if job.name.isdigit() else (1, 0, job.name)


def _arm_rows(summary, head):
    """A comparison job: one row per arm, each outcome's mean and CI, the paired effect on the programme's row."""
    intervention = summary["comparison"]["intervention"]
    rows, intervals = [], interval_names(summary["parameter_uncertainty"])
    probability = label_probability(summary["economics"])
    for arm, stats in summary["arms"].items():
        row = {**head, "arm": arm, "verdict": summary["verdict"],
               "economic_verdict": summary["economic_verdict"] or NOT_ASSESSED,
               "economic_probability": probability if probability is not None else math.nan,  # a float column
               "arm_interval": intervals["arms"], "effect_interval": intervals["effects"]}
        for metric in OUTCOMES:
            for part in ("mean", "ci_low", "ci_high"):
                row[f"{metric}_{part}"] = stats[metric][part]
                effect = summary["effects"][metric][part] if arm == intervention else None
                row[f"effect_{metric}_{part}"] = effect
        if "records" in summary and arm == intervention:
            row.update(_records_columns(summary["records"]))
        rows.append(row)
    return rows


def _records_columns(records):
    """A job with per-patient records: its best-targeted rule and the value of targeting (per patient-year, at
    the threshold) under each staffing assumption, and its net health benefit unweighted and equity-weighted."""
    row = {}
    for staff, best in records["value_of_targeting"].items():
        row[f"targeting_best_rule_{staff}_staff"] = best["best_rule"]
        row[f"targeting_inmb_best_{staff}_staff"] = best["inmb_best"]
        row[f"value_of_targeting_{staff}_staff"] = best["value_of_targeting"]
    for weighting, value in records["net_health_benefit"].items():
        row[f"net_health_benefit_{weighting}"] = value
    return row


def _trial_rows(summary, head):
    """An emulated-trial job has no arms of its own: one row of the trial summary's numbers, an interval
    [low, high] as two columns."""
    row = {**head, "program": summary["program"], "trial_name": summary["trial"]["name"]}
    for key, value in summary["trial"].items():
        if isinstance(value, list):
            row[f"{key}_low"], row[f"{key}_high"] = value
        elif isinstance(value, (int, float)):
            row[key] = value
        elif key == "predictive":
            row["predictive_probability_p_below_0_05"] = value["probability_p_below_0_05"]
            for name, estimate in value["estimates"].items():
                row.update({f"predictive_{name}_{part}": x for part, x in estimate.items()})
    return [row]


def _rows_of(folder, summaries):
    """The row builder every job shares; trial and comparison jobs have different columns, so no mixing."""
    trials = [job.name for job, summary in summaries.items() if "trial" in summary]
    if 0 < len(trials) < len(summaries):
        others = [job.name for job, summary in summaries.items() if "trial" not in summary]
        raise SweepError(f"{folder}: mixes emulated-trial jobs ({', '.join(trials)}) and comparison jobs "
                         f"({', '.join(others)}); gather them from separate multirun folders")
    return _trial_rows if trials else _arm_rows


def gather(folder):
    """(the tidy table, the swept keys, the job folders left out as incomplete)."""
    folder = Path(folder)
    jobs = sorted((p.parent.parent for p in folder.glob("*/.hydra/overrides.yaml")), key=_job_order)
    if not folder.is_dir():
        raise SweepError(f"{folder}: no such folder")
    complete = [j for j in jobs if (j / "manifest.json").exists()]
    for job in complete:
        read_json(job / "manifest.json")  # a complete job's manifest is whole
    if not complete:
        raise SweepError(f"{folder}: no complete job folders (with manifest.json)")
    values = {j: _swept_values(j) for j in complete}
    keys = sorted({k for v in values.values() for k in v})
    swept = [k for k in keys if len({v.get(k) for v in values.values()}) > 1]
    summaries = {j: read_json(j / "summary.json") for j in complete}
    rows_of = _rows_of(folder, summaries)
    if rows_of is _arm_rows:
        for job in complete:
            _drawable(job, summaries[job])
    rows = []
    for job in complete:
        try:
            rows += rows_of(summaries[job], {"job": job.name, **{k: values[job].get(k) for k in swept}})
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise SweepError(f"{job / 'summary.json'}: not a complete summary (at {err!r})") from None
    table = pd.DataFrame(rows)
    for column in (c for c in table.columns if c.endswith(("_mean", "_ci_low", "_ci_high"))):
        given = table[column].notna()
        numbers = pd.to_numeric(table[column].map(lambda v: None if isinstance(v, bool) else v), errors="coerce")
        bad = given & ~np.isfinite(numbers.astype(float))
        if bad.any():
            job = table.loc[bad, "job"].iloc[0]
            raise SweepError(f"{folder / str(job) / 'summary.json'}: {column} is not a number")
    for key in swept:
        table[key] = _numeric_or_text(table[key])
    return table, swept, [j.name for j in jobs if j not in complete]


DRAWN = ("comparison", "parameter_uncertainty", "primary_outcome", "currency", "readmission_free",
         "weekly_bed_occupancy")  # what the figures read from a comparison job's summary


def _drawable(job, summary):
    """A comparison job has what its figures read, so no figure or table is written from a job that lacks it."""
    path = job / "summary.json"
    missing = [k for k in DRAWN if k not in summary]
    if missing:
        raise SweepError(f"{path}: lacks {', '.join(missing)}")
    comparison = summary["comparison"] if isinstance(summary["comparison"], dict) else {}
    arms = [comparison.get("intervention"), comparison.get("comparator")]
    for key in ("readmission_free", "weekly_bed_occupancy"):
        if not (isinstance(summary[key], dict) and all(arm in summary[key] for arm in arms)):
            raise SweepError(f"{path}: {key} needs both arms of its comparison")
    if summary["parameter_uncertainty"]:  # the acceptability curve reads each draw's costs and QALYs
        read_table(job / "replications.csv", ("arm", "draw", "cost_total_discounted", "qalys_discounted"),
                   ("draw", "cost_total_discounted", "qalys_discounted"))


def _numeric_or_text(column):
    converted = pd.to_numeric(column, errors="coerce")
    return converted if converted.notna().all() else column


def _label(row, swept):
    return ", ".join(f"{row[k]:g}" if isinstance(row[k], float) else str(row[k]) for k in swept) or row["job"]


def _figure(ncols=1, width=6):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(width, 4))
    return plt, fig, axes


def _save(plt, fig, path):
    """Saved to the drawn extent: no label or legend outside the axes is clipped."""
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png", bbox_inches="tight"))
    plt.close(fig)


def _sweep_axis(rows, swept):
    """(rows, x, line): one numeric key swept gives a line over its values (rows sorted by it); otherwise
    the sweep points stand side by side."""
    if len(swept) == 1 and pd.api.types.is_numeric_dtype(rows[swept[0]]):
        rows = rows.sort_values(swept[0])
        return rows, rows[swept[0]], True
    return rows, range(len(rows)), False


def _interval(ax, rows, swept, x, line, values, labels):
    """Each sweep point's value (mean, low, high) with its interval: a line and band over one numeric key,
    else points with bars."""
    mean, low, high = values
    if line:
        ax.plot(x, mean, "o-", color="C0", label=labels[0])
        ax.fill_between(x, low, high, color="C0", alpha=0.2, label=labels[1])
    else:
        ax.errorbar(x, mean, yerr=[mean - low, high - mean], fmt="o", color="C0", capsize=3,
                    label=", ".join(labels))
    _name_points(ax, rows, swept, x, line)


def _name_points(ax, rows, swept, x, line):
    """The x axis: the swept key, or each point's swept values."""
    if line:
        ax.set_xlabel(swept[0])
        return
    ax.set_xticks(list(x), [_label(r, swept) for _, r in rows.iterrows()], rotation=30, ha="right", fontsize=8)
    ax.set_xlabel(", ".join(swept) or "job")


def plot_effects(table, swept, primary, money, path):
    """Left: the primary effect at each sweep point (a line and CI band over one numeric key, else CI bars).
    Right: each point's mean on the cost-effectiveness plane, with 95% CI whiskers."""
    rows, x, line = _sweep_axis(table[table[f"effect_{primary}_mean"].notna()], swept)
    plt, fig, (effect, plane) = _figure(2, 11)
    values = [100 * rows[f"effect_{primary}_{part}"].to_numpy() for part in ("mean", "ci_low", "ci_high")]
    interval = rows["effect_interval"].iloc[0]
    _interval(effect, rows, swept, x, line, values, ("mean", interval))
    effect.axhline(0, color="black", lw=0.8)
    effect.set_ylabel(f"{primary} difference (pp)")
    effect.set_title("programme - usual care (paired)", fontsize=10)
    effect.legend(fontsize=8)
    for k, (_, r) in enumerate(rows.iterrows()):
        q, c = r["effect_qalys_discounted_mean"], r["effect_cost_total_discounted_mean"]
        q_ci = [[q - r["effect_qalys_discounted_ci_low"]], [r["effect_qalys_discounted_ci_high"] - q]]
        c_ci = [[c - r["effect_cost_total_discounted_ci_low"]], [r["effect_cost_total_discounted_ci_high"] - c]]
        plane.errorbar(q, c, xerr=q_ci, yerr=c_ci,
                       fmt="o", color=f"C{k % 10}", capsize=2, label=_label(r, swept))
    plane.axhline(0, color="black", lw=0.8)
    plane.axvline(0, color="black", lw=0.8)
    plane.set_xlabel("incremental QALYs per patient-year (discounted)")
    plane.set_ylabel(f"incremental cost per patient-year\n({money}, discounted)")
    plane.set_title(f"cost-effectiveness plane: mean, {interval}", fontsize=9)
    plane.ticklabel_format(style="plain", useOffset=False)
    plane.legend(fontsize=7)
    _save(plt, fig, path)


def plot_acceptability(folder, table, swept, path):
    """The acceptability curve of every sweep point, over its parameter draws."""
    plt, fig, ax = _figure()
    thresholds = np.linspace(0, 100_000, 101)
    rows = table[table["effect_cost_total_discounted_mean"].notna()]
    for k, (_, r) in enumerate(rows.iterrows()):
        summary = read_json(folder / r["job"] / "summary.json")
        c = summary["comparison"]
        replications = read_table(folder / r["job"] / "replications.csv", ("arm", "draw"))
        ax.plot(thresholds, acceptability_curve(replications, c["intervention"], c["comparator"], thresholds),
                color=f"C{k % 10}", label=_label(r, swept))
    money = read_json(folder / rows["job"].iloc[0] / "summary.json")["currency"]
    ax.set_xlabel(f"willingness to pay ({money} per QALY)")
    ax.set_ylabel("probability cost-effective")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("acceptability: each programme against usual care, over its parameter draws", fontsize=10)
    ax.legend(fontsize=7)
    _save(plt, fig, path)


def plot_series(folder, table, swept, key, ylabel, xlabel, title, path):
    """One summary.json series per sweep point: the programme solid, usual care dashed in the same colour,
    or once in black when usual care is the same at every point (common random numbers, only the
    programme swept)."""
    plt, fig, ax = _figure(width=7)
    comparators = []
    for k, job in enumerate(dict.fromkeys(table["job"])):
        row = table[table["job"] == job].iloc[0]
        summary = read_json(folder / job / "summary.json")
        c = summary["comparison"]
        curve = 100 * np.asarray(summary[key][c["intervention"]], dtype=float)
        ax.step(range(len(curve)), curve, where="post", color=f"C{k % 10}", lw=1, label=_label(row, swept))
        comparators.append((_label(row, swept), 100 * np.asarray(summary[key][c["comparator"]], dtype=float)))
    if all(np.array_equal(curve, comparators[0][1], equal_nan=True) for _, curve in comparators):
        comparators = [("usual care", comparators[0][1])]
    for k, (label, curve) in enumerate(comparators):
        color = "black" if len(comparators) == 1 else f"C{k % 10}"
        ax.step(range(len(curve)), curve, "--", where="post", color=color, lw=1,
                label=label if len(comparators) == 1 else f"{label}: usual care")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(f"{title}; dashed: usual care", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)  # beside the lines
    _save(plt, fig, path)


def plot_trials(table, swept, path):
    """An emulated trial across the sweep. Left: the median odds ratio of readmission over each point's
    simulated trials, with the 2.5-97.5% range of their estimates. Right: the power (share with p < 0.05)."""
    rows, x, line = _sweep_axis(table, swept)
    plt, fig, (ors, power) = _figure(2, 11)
    values = [rows[key].to_numpy() for key in ("odds_ratio", "or_ci_low", "or_ci_high")]
    _interval(ors, rows, swept, x, line, values, ("median", "2.5-97.5% of trials"))
    ors.axhline(1, color="black", lw=0.8)
    ors.set_yscale("log")
    plain_log_ticks(ors.yaxis, ors.get_ylim())
    ors.set_ylabel("odds ratio of readmission (log scale)")
    ors.set_title(f"{rows['trial_name'].iloc[0]}: intervention vs control", fontsize=10)
    ors.legend(fontsize=8)
    power.plot(x, rows["power"], "o-" if line else "o", color="C1")
    _name_points(power, rows, swept, x, line)
    power.set_ylim(-0.02, 1.02)
    power.set_ylabel("power (share of trials with p < 0.05)")
    power.set_title("power", fontsize=10)
    _save(plt, fig, path)


def draw(folder, table, swept):
    """Every sweep figure; returns their file names."""
    if "odds_ratio" in table.columns:
        plot_trials(table, swept, folder / "sweep_trial.png")
        return ["sweep_trial.png"]
    first = read_json(folder / table["job"].iloc[0] / "summary.json")
    plot_effects(table, swept, first["primary_outcome"], first["currency"], folder / "sweep_effects.png")
    drawn = ["sweep_effects.png"]
    if first.get("parameter_uncertainty"):
        plot_acceptability(folder, table, swept, folder / "sweep_acceptability.png")
        drawn.append("sweep_acceptability.png")
    plot_series(folder, table, swept, "readmission_free", "not yet readmitted (%)", "days since index discharge",
                "time to first readmission (Kaplan-Meier, mean of replications)", folder / "sweep_survival.png")
    plot_series(folder, table, swept, "weekly_bed_occupancy", "acute beds occupied (%)",
                "week of the counted period", "bed occupancy over time (weekly mean)", folder / "sweep_occupancy.png")
    return [*drawn, "sweep_survival.png", "sweep_occupancy.png"]


def write_tables(folder, table):
    write_atomic(folder / "sweep.csv", lambda p: table.to_csv(p, index=False))
    write_atomic(folder / "sweep.parquet", lambda p: table.to_parquet(p, index=False))
