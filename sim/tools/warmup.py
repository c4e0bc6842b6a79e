"""Does the burn-in cover the warm-up? `python -m sim.tools.warmup [options] [key=value ...]`.

Runs each arm of the configured comparison (usual care and the programme, on
paired seeds as the main job does) from day 0 with nothing discarded, a week
at a time, and records weekly admissions, the post-discharge cohort, peer-worker
burnout and mean hope. Bed occupancy, which justified the burn-in before, is
saturated from the first weeks and cannot show a warm-up; these series can.
Welch's method and MSER-5 (`sim.analysis.warmup`) read where each settles;
the tool reports each warm-up in days and whether `burn_in_days` covers the
longest. Writes weekly.csv, summary.json, warmup.png and manifest.json (last)
into results/warmup/ (`--out` to choose), each file whole or not at all.
"""

import dataclasses
import sys
import textwrap
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from sim.analysis.warmup import (  # noqa: E402
    BATCH,
    DESCRIPTIONS,
    SERIES,
    replication_mean,
    verdict,
    warmup,
    week_observation,
    welch_smooth,
)
from sim.cli.command import Parser, check_writable, command, real, whole  # noqa: E402
from sim.cli.preflight import check_command_line, load_config  # noqa: E402
from sim.errors import ConfigError  # noqa: E402
from sim.experiment.replications import arm_models, drawn_config  # noqa: E402
from sim.model.columns import Patients  # noqa: E402
from sim.outputs.atomic import write_atomic, write_json  # noqa: E402
from sim.outputs.manifest import manifest  # noqa: E402
from sim.paths import CHECKOUT  # noqa: E402

FILES = ("weekly.csv", "summary.json", "warmup.png", "manifest.json")
AXIS_LABELS = {"admissions": "admissions per week", "post_discharge_cohort": "patients",
               "peer_worker_burnout": "burnout (0-1)", "mean_hope": "hope (0-1)"}


def advance(model, last_day):
    """Run the model up to `last_day` the way `model.run()` would: the Numba engine in one call, day by day
    when the Mesa engine, an end-of-day extension or the debug checks need each day."""
    if model.engine == "numba" and model.extension is None and not model.cfg.debug:
        model._run_numba(last_day)
    while model.day < last_day:
        model.step()


def observe(cfg, replications, since="last_discharge_day", cohort_days=365, progress=True):
    """{arm: {series: [one weekly list per replication]}} over cfg.horizon_days // 7 weeks from day 0.

    Each replication builds its arms as the main job does (`arm_models`: one seed, one population, any PSA
    draw), so the series are those of the runs the burn-in is applied to."""
    weeks = cfg.horizon_days // 7
    out = {}
    start = time.perf_counter()
    for r in range(replications):
        drawn, _ = drawn_config(cfg, r)
        for arm, model in arm_models(drawn, r).items():
            rows = []
            for _ in range(weeks):
                first = model.day
                advance(model, first + 7)
                rows.append(week_observation(model, first, since, cohort_days))
            series = out.setdefault(arm, {name: [] for name in SERIES})
            for name in SERIES:
                series[name].append([row[name] for row in rows])
        if progress:
            print(f"replication {r + 1}/{replications} done ({time.perf_counter() - start:.1f} s)",
                  file=sys.stderr, flush=True)
    return out


def analyse(observed, window, tolerance):
    """(weekly table, {arm: {series: warm-up}}): the replication means, their Welch curves, the truncations."""
    frames, results = [], {}
    for arm, by_series in observed.items():
        means = {name: replication_mean(values) for name, values in by_series.items()}
        weeks = len(next(iter(means.values())))
        frame = {"arm": [arm] * weeks, "week": list(range(1, weeks + 1)),
                 "day_end": [7 * (w + 1) for w in range(weeks)]}
        for name, mean in means.items():
            frame[name] = mean
        for name, mean in means.items():
            smooth = welch_smooth(mean, window)
            frame[f"{name}_welch"] = smooth + [float("nan")] * (weeks - len(smooth))
        frames.append(pd.DataFrame(frame))
        results[arm] = {name: warmup(values, window, tolerance) for name, values in by_series.items()}
    return pd.concat(frames, ignore_index=True), results


def format_table(summary):
    """The warm-up of each arm and series as a Markdown table, and the verdict below it."""
    rows = ["| arm | series | settled level | Welch (days) | MSER-5 (days) | warm-up (days) | settled in run |",
            "|---|---|---|---|---|---|---|"]
    for arm, by_series in summary["warmup"].items():
        for name, r in by_series.items():
            if r["warmup_days"] is None:
                rows.append(f"| {arm} | {name} | - | - | - | - | no values |")
                continue
            welch = f"{'' if r['welch_settled'] else '≥ '}{r['welch_days']}"
            mser = "-" if r["mser5_days"] is None else f"{'' if r['mser5_settled'] else '≥ '}{r['mser5_days']}"
            longest = f"{'' if r['settled'] else '≥ '}{r['warmup_days']}"
            rows.append(f"| {arm} | {name} | {r['level']:.4g} | {welch} | {mser} | {longest} | "
                        f"{'yes' if r['settled'] else 'no'} |")
    v = summary["verdict"]
    covers = "covers" if v["burn_in_covers"] else "does NOT cover"
    rows += ["", f"Longest warm-up: {'at least ' if v['unsettled'] else ''}{v['longest_warmup_days']} days "
                 f"({v['longest_arm']}, {v['longest_series']}); the configured burn-in of {v['burn_in_days']} days "
                 f"{covers} it" + (f" (still moving at half-time, ≥ marks a lower bound: {', '.join(v['unsettled'])})."
                                   if v["unsettled"] else ".")]
    return "\n".join(rows)


def plot(table, summary, path):
    """One panel per series: each arm's replication mean (thin) and Welch curve (thick), the configured
    burn-in (dashed) and each arm's warm-up estimate (dotted). One legend below the panels, so it hides no
    line or marker: the arms by colour, the line styles in grey."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
    burn_in_weeks = summary["verdict"]["burn_in_days"] / 7
    arms = list(dict.fromkeys(table["arm"]))
    for ax, name in zip(axes.ravel(), SERIES, strict=True):
        for k, (arm, rows) in enumerate(table.groupby("arm", sort=False)):
            colour = f"C{k}"
            ax.plot(rows["week"], rows[name], color=colour, alpha=0.35, linewidth=0.8)
            ax.plot(rows["week"], rows[f"{name}_welch"], color=colour, linewidth=2)
            found = summary["warmup"][arm][name]["warmup_weeks"]
            if found is not None:
                ax.axvline(found, color=colour, linestyle=":", linewidth=1.2)
        ax.axvline(burn_in_weeks, color="grey", linestyle="--", linewidth=1)
        ax.set_title(textwrap.fill(DESCRIPTIONS[name], 60), fontsize=9)
        ax.set_ylabel(AXIS_LABELS[name])
    for ax in axes[-1]:
        ax.set_xlabel("week from day 0")
    handles = [Line2D([], [], color=f"C{k}", linewidth=2, label=arm) for k, arm in enumerate(arms)] + [
        Line2D([], [], color="grey", alpha=0.35, linewidth=0.8, label="mean over replications, each week"),
        Line2D([], [], color="grey", linewidth=2,
               label=f"Welch: centred moving average, half-width {summary['welch_window_weeks']} weeks"),
        Line2D([], [], color="grey", linestyle=":", linewidth=1.2, label="warm-up estimate (arm's colour)"),
        Line2D([], [], color="grey", linestyle="--", linewidth=1,
               label=f"configured burn-in ({summary['verdict']['burn_in_days']} days)")]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(f"warm-up: {summary['replications']} replications from day 0", fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)


def write_outputs(out, run_cfg, table, summary, seconds, command):
    """weekly.csv, summary.json, warmup.png, then manifest.json: a folder without the manifest is incomplete."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    write_atomic(out / "weekly.csv", lambda p: table.to_csv(p, index=False))
    write_json(out / "summary.json", summary)
    plot(table, summary, out / "warmup.png")
    write_json(out / "manifest.json", {**manifest(run_cfg, seconds, command["overrides"]), "command": command})


def run_config(overrides, replications, weeks):
    """(the configured run, the run from day 0): the first says which burn-in to justify, the second is
    the same config with no burn-in and `weeks` whole weeks counted."""
    check_command_line(list(overrides))
    cfg = load_config(overrides)
    if cfg.trial.kind != "none":
        raise ConfigError(f"trial.kind = {cfg.trial.kind}: the warm-up analysis runs the paired arms; use trial=none")
    run = dataclasses.replace(cfg, burn_in_days=0, horizon_days=7 * weeks, replications=replications)
    return cfg, run


@command("config error")
def main(argv=None):
    parser = Parser(prog="sim.tools.warmup", description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="key=value or group=option, as for python -m sim")
    parser.add_argument("--replications", type=whole(1, 100_000), default=10, help="replications (default 10)")
    parser.add_argument("--weeks", type=whole(3 * BATCH, 5200), default=104,
                        help="weeks simulated from day 0 (default 104)")
    parser.add_argument("--window", type=whole(1), default=5, help="Welch half-window in weeks (default 5)")
    parser.add_argument("--tolerance", type=real(1e-6, 1.0), default=0.02,
                        help="Welch band: share of the smoothed curve's largest excursion (default 0.02)")
    parser.add_argument("--cohort-days", type=whole(1, 36_500), default=365,
                        help="post-discharge cohort window (default 365)")
    parser.add_argument("--since", default="last_discharge_day",
                        help="patient day column the cohort counts from (default last_discharge_day)")
    parser.add_argument("--out", type=Path, default=CHECKOUT / "results" / "warmup", help="results folder")
    args = parser.parse_args(argv)
    days = [f for f in Patients._fields if f.endswith("_day")]
    if args.since not in days:
        raise ConfigError(f"--since {args.since}: not a patient day column; one of {', '.join(days)}")
    widest = (args.weeks // 2 - 1) // 2  # Welch's checked weeks (the first half less a window) hold a window
    if args.window > widest:
        raise ConfigError(f"--window {args.window}: at most {widest} with --weeks {args.weeks} ((weeks // 2 - 1) // 2)")
    cfg, run = run_config(args.overrides, args.replications, args.weeks)
    check_writable(args.out)
    start = time.perf_counter()
    observed = observe(run, args.replications, args.since, args.cohort_days)
    table, results = analyse(observed, args.window, args.tolerance)
    summary = {
        "about": "warm-up of weekly series from day 0 (no burn-in discarded); averaged over replications",
        "programme": run.program.name, "arms": list(observed), "replications": args.replications,
        "weeks": args.weeks, "population": run.population.n, "welch_window_weeks": args.window,
        "welch_tolerance": args.tolerance, "mser_batch_weeks": BATCH,
        "cohort": {"since_column": args.since, "days": args.cohort_days},
        "series": {name: DESCRIPTIONS[name] for name in SERIES},
        "warmup": results, "verdict": verdict(results, cfg.burn_in_days),
    }
    command = {"tool": "python -m sim.tools.warmup", "overrides": list(args.overrides),
               "options": {k: v for k, v in vars(args).items() if k not in ("overrides", "out")}}
    write_outputs(args.out, run, table, summary, time.perf_counter() - start, command)
    print(format_table(summary))
    print(f"written to {args.out}")
    return summary


if __name__ == "__main__":
    main()
