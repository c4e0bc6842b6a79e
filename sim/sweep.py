"""Gather a sweep into one tidy table: `python -m sim.report <multirun folder>`.

After `python -m sim -m key=a,b,c ...`, every complete job folder (one with
`manifest.json`) becomes rows of `sweep.csv` and `sweep.parquet` in the
multirun folder: one row per sweep point and arm, with the swept values, each
outcome's mean and 95% CI in that arm, the paired effect against usual care
(on the programme's row) and both verdicts. With one numeric swept key,
`sweep_effects.png` draws the effect against it with its CI band, and the
points on the cost-effectiveness plane.
"""

import json
import sys
from pathlib import Path

import pandas as pd
import yaml

OUTCOMES = ("readmission_30", "readmission_90", "readmission_365", "admissions_per_1000py", "bed_days_per_1000py",
            "diversions_per_1000py", "cost_total", "cost_total_discounted", "qalys_discounted")


def _swept_values(job):
    overrides = yaml.safe_load((job / ".hydra" / "overrides.yaml").read_text()) or []
    return dict(o.lstrip("+~").split("=", 1) for o in overrides)


def gather(folder):
    """(the tidy table, the swept keys, the job folders left out as incomplete)."""
    folder = Path(folder)
    jobs = sorted((p.parent.parent for p in folder.glob("*/.hydra/overrides.yaml")), key=lambda p: p.name)
    complete = [j for j in jobs if (j / "manifest.json").exists()]
    if not complete:
        raise FileNotFoundError(f"{folder}: no complete job folders (with manifest.json)")
    values = {j: _swept_values(j) for j in complete}
    keys = sorted({k for v in values.values() for k in v})
    swept = [k for k in keys if len({v.get(k) for v in values.values()}) > 1]
    rows = []
    for job in complete:
        summary = json.loads((job / "summary.json").read_text())
        intervention = summary["comparison"]["intervention"]
        for arm, stats in summary["arms"].items():
            row = {"job": job.name, **{k: values[job].get(k) for k in swept}, "arm": arm,
                   "verdict": summary["verdict"], "economic_verdict": summary["economic_verdict"]}
            for metric in OUTCOMES:
                for part in ("mean", "ci_low", "ci_high"):
                    row[f"{metric}_{part}"] = stats[metric][part]
                    effect = summary["effects"][metric][part] if arm == intervention else None
                    row[f"effect_{metric}_{part}"] = effect
            rows.append(row)
    table = pd.DataFrame(rows)
    for key in swept:
        table[key] = _numeric_or_text(table[key])
    return table, swept, [j.name for j in jobs if j not in complete]


def _numeric_or_text(column):
    converted = pd.to_numeric(column, errors="coerce")
    return converted if converted.notna().all() else column


def plot_effects(table, key, primary, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = table[table[f"effect_{primary}_mean"].notna()].sort_values(key)
    fig, (effect, plane) = plt.subplots(1, 2, figsize=(10, 4))
    x = rows[key]
    effect.plot(x, 100 * rows[f"effect_{primary}_mean"], "o-", color="C0")
    effect.fill_between(x, 100 * rows[f"effect_{primary}_ci_low"], 100 * rows[f"effect_{primary}_ci_high"],
                        color="C0", alpha=0.2, label="95% CI")
    effect.axhline(0, color="black", lw=0.8)
    effect.set_xlabel(key)
    effect.set_ylabel(f"{primary}: programme - usual care (pp)")
    effect.legend()
    plane.scatter(rows["effect_qalys_discounted_mean"], rows["effect_cost_total_discounted_mean"], c=x)
    for _, r in rows.iterrows():
        plane.annotate(f"{r[key]:g}", (r["effect_qalys_discounted_mean"], r["effect_cost_total_discounted_mean"]),
                       fontsize=8)
    plane.axhline(0, color="black", lw=0.8)
    plane.axvline(0, color="black", lw=0.8)
    plane.set_xlabel("incremental QALYs per patient-year (discounted)")
    plane.set_ylabel("incremental cost per patient-year (discounted)")
    plane.set_title(f"cost-effectiveness plane, labelled by {key}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m sim.report <multirun folder>", file=sys.stderr)
        sys.exit(2)
    folder = Path(argv[0])
    try:
        table, swept, left_out = gather(folder)
    except (FileNotFoundError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    from sim.report import write_atomic

    write_atomic(folder / "sweep.csv", lambda p: table.to_csv(p, index=False))
    write_atomic(folder / "sweep.parquet", lambda p: table.to_parquet(p, index=False))
    numeric = [k for k in swept if pd.api.types.is_numeric_dtype(table[k])]
    if len(swept) == 1 and numeric:
        primary = json.loads((folder / table["job"].iloc[0] / "summary.json").read_text())["primary_outcome"]
        plot_effects(table, numeric[0], primary, folder / "sweep_effects.png")
    print(f"{folder}: {table['job'].nunique()} sweep points, {len(table)} rows; swept: {', '.join(swept) or 'none'}")
    if left_out:
        print(f"left out (incomplete, no manifest.json): {', '.join(left_out)}")
