"""`python -m sim.tools.verdict_stability`: does doubling a committed study's runs change its labels?

For every committed result with a verdict (a run, or each job of a sweep), the config in its manifest is run
again with twice the runs: twice the parameter draws when it drew parameters (its interval is over draws),
else twice the replications. Run k is the same run in both (k = draw x replications + replication), so the
committed runs are read back from `replications.csv` and only the new half is simulated. Both labels are
compared: the verdict on the primary outcome and the economic verdict (each economic label with the share of
draws on its side, so a coin flip shows as P 0.50). Every change of label is reported, inconclusive to
decisive included, and any change makes the command exit with status 1: a label that more runs would change
was not settled by the runs behind it.

Writes results/verdict_stability/ (stability.csv, summary.json, manifest.json last). Resumable: each job's
row is kept in `.partial/` as it finishes, and a re-run skips the jobs already there.
"""

import dataclasses
import json
import sys
import time
from pathlib import Path

import pandas as pd

from sim.analysis.cost_effectiveness import NOT_ASSESSED, label_probability, label_text
from sim.cli.command import Parser, check_writable, command
from sim.cli.decision import settings_of
from sim.cli.recorded import recorded_config
from sim.cli.reproduce import result_folders
from sim.config.psa import uncertain
from sim.config.read_back import read_json, read_table
from sim.errors import ConfigError
from sim.experiment.replications import run_replication, total_runs
from sim.outputs.atomic import write_atomic, write_json
from sim.outputs.manifest import manifest_environment
from sim.outputs.summary import summarise
from sim.paths import CHECKOUT

OUT = "verdict_stability"


def doubled(cfg):
    """The same config with twice the runs: twice the draws with parameter uncertainty, else twice the
    replications (so runs 0..n-1 are the committed ones)."""
    if uncertain(cfg):
        return dataclasses.replace(cfg, psa=dataclasses.replace(cfg.psa, draws=2 * cfg.psa.draws))
    return dataclasses.replace(cfg, replications=2 * cfg.replications)


def check_root(root):
    """A checkout with results/, each judged job's files whole: read before anything is changed, so a damaged
    result is refused in one line with the last complete table still in place."""
    if not (Path(root) / "results").is_dir():
        raise ConfigError(f"--root {root}: no results/ folder in it (give the checkout whose results to read)")
    for folder in judged_jobs(root):
        read_json(folder / "manifest.json", ("config",))
        read_json(folder / "summary.json", ("primary_outcome", "effects", "economics", "verdict", "economic_verdict"))
        read_table(folder / "replications.csv", ("replication", "arm"), ("replication",))
    for study in sorted(p.parent for p in (Path(root) / "results").glob("*/decision.json")):
        settings_of(study)  # a decision study's recorded jobs and settings
        read_json(study / "decision.json", ("decisions",))


def judged_jobs(root):
    """Committed comparisons that carry a verdict (not trials, sensitivity or warm-up studies), in study order."""
    jobs = []
    for study in sorted(p for p in (root / "results").iterdir() if p.is_dir() and p.name != OUT):
        for folder in result_folders(study):
            summary = folder / "summary.json"
            if (folder / "replications.csv").exists() and summary.exists() \
                    and "verdict_detail" in read_json(summary):
                jobs.append(folder)
    return jobs


def kept_rows(root, partial, make_row):
    """Each judged job's row, in study order: made by `make_row(folder)` and kept in `partial` as it finishes,
    or read back from there if a stopped run already made it."""
    for folder in judged_jobs(root):
        kept = partial / (str(folder.relative_to(root / "results")).replace("/", "__") + ".json")
        if not kept.exists():
            write_json(kept, make_row(folder))
        yield json.loads(kept.read_text())


def stability(folder, root):
    """One row: the committed labels (verdict and economic verdict), and the labels with twice the runs."""
    manifest = read_json(folder / "manifest.json")
    committed = read_json(folder / "summary.json")
    cfg = recorded_config(folder, manifest)
    more = doubled(cfg)
    table = read_table(folder / "replications.csv")
    rows = [row for k in range(total_runs(cfg), total_runs(more)) for row in run_replication(more, k)]
    table = pd.concat([table, pd.DataFrame(rows)[table.columns]], ignore_index=True)
    again = summarise(more, table)
    p_before = committed["effects"][committed["primary_outcome"]]
    p_after = again["effects"][again["primary_outcome"]]
    return {
        "job": str(folder.relative_to(root / "results")),
        "primary_outcome": committed["primary_outcome"],
        "uncertainty": "parameters" if uncertain(cfg) else "Monte Carlo",
        "runs": total_runs(cfg),
        "verdict": committed["verdict"],
        "effect": p_before["mean"],
        "low": p_before["ci_low"],
        "high": p_before["ci_high"],
        "runs_doubled": total_runs(more),
        "verdict_doubled": again["verdict"],
        "effect_doubled": p_after["mean"],
        "low_doubled": p_after["ci_low"],
        "high_doubled": p_after["ci_high"],
        "minimal_difference": again["verdict_detail"]["minimal_difference"],
        **economic_columns(committed["economics"], ""),
        **economic_columns(again["economics"], "_doubled"),
    }


def economic_columns(economics, suffix):
    """The economic label and the share of draws on its side (None without parameter draws)."""
    return {f"economic_verdict{suffix}": economics["verdict"] or NOT_ASSESSED,
            f"economic_probability{suffix}": label_probability(economics)}


def compare_labels(row):
    """The row with `verdict_changed` and `economic_changed`: any change of label, inconclusive included."""
    return {**row, "verdict_changed": row["verdict"] != row["verdict_doubled"],
            "economic_changed": row["economic_verdict"] != row["economic_verdict_doubled"]}


def changes(table):
    """The rows whose verdict or economic label changed with twice the runs."""
    return table[table["verdict_changed"] | table["economic_changed"]]


def line(row):
    """One job's labels before and after doubling, as the command prints them."""
    return (f"{row['job']}: {row['verdict']} -> {row['verdict_doubled']}; "
            f"{label_text(row['economic_verdict'], row['economic_probability'])} -> "
            f"{label_text(row['economic_verdict_doubled'], row['economic_probability_doubled'])} "
            f"({row['runs']} -> {row['runs_doubled']} runs)")


@command()
def main(argv=None):
    parser = Parser(prog="sim.tools.verdict_stability", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=CHECKOUT, help="the checkout whose results/ to read")
    args = parser.parse_args(argv)
    check_root(args.root)
    out = args.root / "results" / OUT
    check_writable(out)
    partial = out / ".partial"
    partial.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    start = time.perf_counter()
    rows = []
    for kept in kept_rows(args.root, partial, lambda folder: stability(folder, args.root)):
        row = compare_labels(kept)  # compared here, so a row kept by a stopped run is compared alike
        rows.append(row)
        print(line(row), file=sys.stderr, flush=True)
    table = pd.DataFrame(rows)
    write_atomic(out / "stability.csv", lambda p: table.to_csv(p, index=False))
    changed = changes(table)
    write_json(out / "summary.json", {
        "jobs": len(table), "unchanged": len(table) - len(changed),
        "verdicts_changed": int(table["verdict_changed"].sum()),
        "economic_labels_changed": int(table["economic_changed"].sum()),
        "changed": [line(row) for _, row in changed.iterrows()]})
    write_json(out / "manifest.json", manifest_environment(time.perf_counter() - start))
    for kept in partial.glob("*.json"):
        kept.unlink()
    partial.rmdir()
    print(f"{len(table)} jobs; {len(changed)} changed a label with twice the runs")
    for text in (line(row) for _, row in changed.iterrows()):
        print(f"  {text}")
    sys.exit(1 if len(changed) else 0)

if __name__ == "__main__":
    main()
