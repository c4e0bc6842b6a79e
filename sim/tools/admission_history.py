"""Readmission by admission history, model against published rates: `python -m sim.tools.admission_history`.

Runs usual care of the main job (any `python -m sim` override; the committed table adds `psa=none`: the
model's gradient at the configured parameters), pools every run's index discharges, groups them by ward
admissions in the year before (0, 1, 2, 3+) and writes results/admission_history/: table.csv, table.md
(beside the published figures, with sources) and manifest.json, last.
No source found gives rates split this way for one population, so the table
sets the model beside the closest published anchors: first-ever admissions,
and readmission ratios of 2, 3 and 4+ against 1 previous admission.
"""

import sys
import time
from pathlib import Path

import pandas as pd

from sim.analysis.history import GROUPS, readmission_by_history
from sim.cli.command import Parser, check_writable, command
from sim.cli.preflight import check_command_line, load_config
from sim.experiment.replications import arm_models, drawn_config, total_runs
from sim.outputs.atomic import write_atomic, write_json
from sim.outputs.manifest import manifest

PUBLISHED = {
    "0": "first-ever admissions: 7.2% within 30 days (Ontario, n=42,280; Chen, Collins & Kidd, Can J Psychiatry "
         "2018); 22.3% within 1 year (Taiwan, n=44,237; Lin et al., Clinics 2010)",
    "1": "reference group of the ratios below (Li, He & Zhang, Sichuan Ment Health 2021: n=22,807, 20.2% "
         "readmitted within 1 year overall)",
    "2": "readmission within 1 year 3.0 times that of patients with 1 previous admission (Li et al. 2021, from "
         "their regression model)",
    "3+": "2.8 (3 previous) and 4.3 (4 previous) times that of 1 previous admission (Li et al. 2021); 6+ lifetime "
          "admissions OR 1.40 for 90-day readmission (Perlman, Hirdes & Vigod 2015)",
}


def history_table(cfg):
    """The pooled table over every run of usual care (each with its parameter draw, if any): n and shares
    readmitted by group, and each group's
    odds of 1-year readmission relative to the group with 1 previous admission (a share cannot be 3 times 44%;
    the published ratios come from regression models)."""
    counts = {g: {"n": 0, "readmitted_30": 0, "readmitted_365": 0} for g in GROUPS}
    for run in range(total_runs(cfg)):
        model = arm_models(drawn_config(cfg, run)[0], run)["usual_care"].run()
        for group, row in readmission_by_history(model.patients, model.n_days).items():
            for key in counts[group]:
                counts[group][key] += row[key]
    rows = [{"previous_admissions": g, "n": c["n"], "readmitted_30": c["readmitted_30"] / c["n"] if c["n"] else None,
             "readmitted_365": c["readmitted_365"] / c["n"] if c["n"] else None} for g, c in counts.items()]
    one = rows[1]["readmitted_365"]
    for row in rows:
        p = row["readmitted_365"]
        row["odds_ratio_to_1_previous"] = (p / (1 - p)) / (one / (1 - one)) if one and p is not None else None
        row["published"] = PUBLISHED[row["previous_admissions"]]
    return pd.DataFrame(rows)


def markdown(table):
    lines = ["| previous admissions (year before) | index discharges | readmitted 30 d | readmitted 365 d | "
             "odds of 365 d vs 1 previous | published |", "|---|---|---|---|---|---|"]
    for row in table.itertuples():
        lines.append(f"| {row.previous_admissions} | {row.n:,} | {row.readmitted_30:.1%} | {row.readmitted_365:.1%} "
                     f"| {row.odds_ratio_to_1_previous:.2f} | {row.published} |")
    return "\n".join(lines) + "\n"


@command("config error")
def main(argv=None):
    parser = Parser(prog="sim.tools.admission_history", description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="python -m sim overrides (key=value)")
    parser.add_argument("--out", default="results/admission_history", help="output folder")
    args = parser.parse_args(argv)
    check_command_line(args.overrides)
    cfg = load_config(args.overrides)
    out = Path(args.out)
    check_writable(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    start = time.perf_counter()
    table = history_table(cfg)
    write_atomic(out / "table.csv", lambda p: table.to_csv(p, index=False))
    write_atomic(out / "table.md", lambda p: p.write_text(markdown(table)))
    write_json(out / "manifest.json", {**manifest(cfg, time.perf_counter() - start, args.overrides),
                                       "command": "python -m sim.tools.admission_history " + " ".join(args.overrides)})
    print(markdown(table), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
