"""Base rates across service sizes at the same beds per capita: `python -m sim.tools.service_size`.

Runs usual care of the main job (any `python -m sim` override) on the same parameter draws and seeds at each
size, and writes results/service_size/: table.csv, table.md and manifest.json, last. A small service queues
for its few beds more than a large one with the same beds per patient, so its base rates can differ: each
size's rates are set beside the setting's own size, paired by run, with the 95% confidence interval of the
difference (Monte Carlo and parameter draws together). A difference whose interval excludes 0 is why the
setting fixes its size and every study runs at it.
"""

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.outcomes import arm_outcomes, mean_occupancy
from sim.analysis.statistics import mean_ci
from sim.cli.command import Parser, check_writable, command, wholes
from sim.cli.preflight import check_command_line, load_config
from sim.experiment.replications import arm_models, drawn_config, total_runs
from sim.outputs.atomic import write_atomic, write_json
from sim.outputs.manifest import manifest

RATES = {"readmission_30": "30-day readmission", "readmission_90": "90-day readmission",
         "occupancy": "bed occupancy", "diversions_per_1000py": "diverted crises / 1,000 PY",
         "bed_days_per_admission": "bed-days per admission"}

PERCENT = ("readmission_30", "readmission_90", "occupancy")


def base_rates(cfg, run):
    """Usual care's base rates in run `run` (its parameter draw and seed) of this config."""
    drawn = drawn_config(cfg, run)[0]
    model = arm_models(drawn, run)["usual_care"].run()
    row = arm_outcomes(model)
    return {"readmission_30": row["readmission_30"], "readmission_90": row["readmission_90"],
            "occupancy": mean_occupancy(model),
            "diversions_per_1000py": row["diversions_per_1000py"],
            "bed_days_per_admission": row["bed_days_per_1000py"] / row["admissions_per_1000py"]}


def size_table(overrides, sizes):
    """One row per size and rate: its mean and the paired difference from the setting's size, with CIs."""
    base = load_config(overrides)
    runs = {n: [base_rates(load_config([*overrides, f"population.n={n}"]), k) for k in range(total_runs(base))]
            for n in sorted({base.population.n, *sizes})}
    rows = []
    for n, values in runs.items():
        for rate, label in RATES.items():
            own = np.array([v[rate] for v in values])
            diff = own - np.array([v[rate] for v in runs[base.population.n]])
            level, change = mean_ci(own), mean_ci(diff)
            rows.append({"patients": n, "setting_size": n == base.population.n, "rate": rate, "label": label,
                         "mean": level["mean"], "ci_low": level["ci_low"], "ci_high": level["ci_high"],
                         "difference": change["mean"], "difference_low": change["ci_low"],
                         "difference_high": change["ci_high"], "runs": len(values)})
    return pd.DataFrame(rows)


def markdown(table):
    lines = ["| patients | " + " | ".join(RATES.values()) + " |", "|---" * (len(RATES) + 1) + "|"]
    for n, rows in table.groupby("patients", sort=True):
        cells = []
        for rate in RATES:
            r = rows[rows["rate"] == rate].iloc[0]
            scale, fmt = (100, "{:.1f}%") if rate in PERCENT else (1, "{:.1f}")
            cell = fmt.format(scale * r["mean"])
            if not r["setting_size"]:
                low, high = scale * r["difference_low"], scale * r["difference_high"]
                cell += f" ({scale * r['difference']:+.1f}; {low:+.1f} to {high:+.1f})"
            cells.append(cell)
        marker = " (the setting's)" if rows["setting_size"].iloc[0] else ""
        lines.append(f"| {n:,}{marker} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


@command("config error")
def main(argv=None):
    parser = Parser(prog="sim.tools.service_size", description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="python -m sim overrides (key=value)")
    parser.add_argument("--sizes", type=wholes(10), default=[2000, 5000, 10000, 50000],
                        help="service sizes (patients), comma-separated")
    parser.add_argument("--out", default="results/service_size", help="output folder")
    args = parser.parse_args(argv)
    check_command_line(args.overrides)
    cfg = load_config(args.overrides)
    for n in args.sizes:
        check_command_line([*args.overrides, f"population.n={n}"])
    out = Path(args.out)
    check_writable(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    start = time.perf_counter()
    table = size_table(args.overrides, args.sizes)
    write_atomic(out / "table.csv", lambda p: table.to_csv(p, index=False))
    write_atomic(out / "table.md", lambda p: p.write_text(markdown(table)))
    command_line = " ".join(["python -m sim.tools.service_size", *args.overrides,
                             "--sizes", ",".join(map(str, args.sizes))])
    write_json(out / "manifest.json", {**manifest(cfg, time.perf_counter() - start, args.overrides),
                                       "command": command_line})
    print(markdown(table), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
