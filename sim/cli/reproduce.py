"""`python -m sim.reproduce results/<study>`: re-run a result from its manifest and compare, number by number.

The manifest holds the full resolved config, so the re-run does not depend on
today's defaults in `conf/`; any difference comes from the code or the
environment. It first lists every package (and Python) whose version differs
from the manifest's, then compares the numbers. Exits 0 when every number is
identical, 1 otherwise.
"""

import io
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.cli.command import Parser, command, numbers
from sim.cli.deterministic import reproduce_evaluations
from sim.cli.recorded import recorded_config, recorded_manifest, selected
from sim.cli.sensitivity import reproduce_points
from sim.config.read_back import read_table
from sim.errors import ConfigError
from sim.experiment.replications import run_experiment, total_runs
from sim.outputs.atomic import plain
from sim.outputs.manifest import posterior_record
from sim.outputs.provenance import environment, environment_differences


def differences(committed, fresh):
    """(numbers compared, lines describing each difference) between two results tables."""
    if list(committed.columns) != list(fresh.columns) or len(committed) != len(fresh):
        return 0, [f"the tables differ in shape: {committed.shape} vs {fresh.shape}"]
    found = []
    for column in committed.columns:
        a, b = committed[column].to_numpy(), fresh[column].to_numpy()
        same = (a == b) | (pd.isna(a) & pd.isna(b)) if a.dtype.kind in "fc" else a == b
        for row in np.flatnonzero(~np.asarray(same, bool)):
            found.append(f"row {row} ({committed['arm'].iloc[row]}, replication {committed['replication'].iloc[row]}) "
                         f"{column}: committed {plain(a[row])!r}, re-run {plain(b[row])!r}")
    return committed.size, found


def reproduce(folder, points=None, runs=None):
    """Re-run the experiment recorded in `folder` (or only the listed `runs`) and return (numbers compared,
    differences)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such results folder")
    if (folder / "points.csv").exists() or (folder / "evaluations.csv").exists():
        if runs is not None:
            raise ConfigError(f"{folder}: --runs is for a run or a sweep's jobs; this study's points are chosen "
                              "with --points")
        rerun = reproduce_points if (folder / "points.csv").exists() else reproduce_evaluations
        return rerun(folder, points)
    if points is not None:
        raise ConfigError(f"{folder}: --points is for sensitivity and deterministic studies; a run's are chosen "
                          "with --runs")
    if not (folder / "manifest.json").exists():
        raise ConfigError(f"{folder}: not a complete results folder (no manifest.json)")
    manifest = recorded_manifest(folder)
    committed = read_table(folder / "replications.csv", ("replication", "arm"), ("replication",))
    cfg = recorded_config(folder, manifest)
    recorded = manifest.get("posterior")
    if recorded is not None and not (isinstance(recorded, dict) and isinstance(recorded.get("sha256"), str)):
        raise ConfigError(f"{folder / 'manifest.json'}: posterior is not a record of a file and its sha256")
    if recorded and posterior_record(cfg)["posterior"]["sha256"] != recorded.get("sha256"):
        raise ConfigError(f"{folder}: drew from {recorded.get('path')}, which has changed since (sha256 differs): "
                          "the result cannot be re-run as it was made")
    if runs is not None:
        runs = selected(folder, "--runs", runs, range(total_runs(cfg)))
        committed = committed[committed["replication"].isin(runs)].reset_index(drop=True)
    fresh = run_experiment(cfg, progress=False, runs=runs)
    fresh = pd.read_csv(io.StringIO(fresh.to_csv(index=False)))  # the same text round trip as the committed file
    return differences(committed, fresh)


def result_folders(folder):
    """The folder itself, or for a sweep or sensitivity study every job folder in it (each has its own
    manifest and replications.csv), in job order."""
    folder = Path(folder)
    if (folder / "points.csv").exists() or (folder / "evaluations.csv").exists():  # re-run its points
        return [folder]
    jobs = [m.parent for m in folder.glob("**/manifest.json") if (m.parent / "replications.csv").exists()]
    if (folder / "replications.csv").exists() or not jobs:
        return [folder]
    return sorted(jobs, key=lambda p: [int(part) if part.isdigit() else part for part in p.relative_to(folder).parts])


def recorded_environment(folder):
    """The environment a results folder's manifest recorded ({} if it has no readable manifest)."""
    try:
        return json.loads((Path(folder) / "manifest.json").read_text())
    except (OSError, ValueError):
        return {}


@command()
def main(argv=None):
    parser = Parser(prog="sim.reproduce", description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", help="results folders (a run, or a sweep study's folder of jobs)")
    parser.add_argument("--points", type=numbers, help="sensitivity studies: the points to re-run, e.g. 0,143,287; "
                                                       "deterministic studies: the evaluations (default all)")
    parser.add_argument("--runs", type=numbers, help="the runs (replication numbers) to re-run in each folder, e.g. "
                                                     "0,200,399 (default all): a quick check of a large study")
    args = parser.parse_args(argv)
    folders = [f for given in args.folders for f in result_folders(given)]
    missing = [f for f in folders if not Path(f).is_dir()]
    if missing:
        raise ConfigError(f"{missing[0]}: no such results folder")
    failed = False
    here = environment()
    shown = set()
    for folder in folders:
        changed = environment_differences(recorded_environment(folder), here)
        for line in changed:
            if line not in shown:
                print(f"environment differs from the manifest's: {line}")
                shown.add(line)
        compared, found = reproduce(folder, args.points, args.runs)
        if found:
            failed = True
            print(f"{folder}: DIFFERENT, {len(found)} of {compared} numbers")
            for line in found[:20]:
                print(f"  {line}")
            if changed:
                print(f"  the environment differs from the one that made {folder} ({len(changed)} versions above): "
                      "the difference may come from the environment; install constraints.txt to compare like "
                      "with like")
        else:
            print(f"{folder}: identical, all {compared} numbers")
    sys.exit(1 if failed else 0)
