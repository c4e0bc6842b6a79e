"""`python -m sim.reproduce results/<study>`: re-run a result from its manifest and compare, number by number.

The manifest holds the full resolved config, so the re-run does not depend on
today's defaults in `conf/`; any difference comes from the code or the
environment. It first lists every package (and Python) whose version differs
from the manifest's, then compares the numbers. Exits 0 when every number is
identical, 1 otherwise.
"""

import argparse
import io
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from sim.cli.deterministic import reproduce_evaluations
from sim.cli.sensitivity import reproduce_points
from sim.config.schema import validate
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
    if (folder / "points.csv").exists():
        return reproduce_points(folder, None if points is None else [int(p) for p in points.split(",")])
    if (folder / "evaluations.csv").exists():
        return reproduce_evaluations(folder, None if points is None else [int(p) for p in points.split(",")])
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        committed = pd.read_csv(folder / "replications.csv")
    except OSError as err:
        raise ConfigError(f"{folder}: not a complete results folder ({err.strerror}: {err.filename})") from None
    cfg = validate(OmegaConf.create(manifest["config"]))
    recorded = manifest.get("posterior")
    if recorded and posterior_record(cfg)["posterior"]["sha256"] != recorded["sha256"]:
        raise ConfigError(f"{folder}: drew from {recorded['path']}, which has changed since (sha256 differs): "
                          "the result cannot be re-run as it was made")
    if runs is not None:
        runs = [int(r) for r in runs.split(",")]
        outside = [r for r in runs if not 0 <= r < total_runs(cfg)]
        if outside:
            raise ConfigError(f"{folder}: --runs {outside[0]} is outside its runs 0-{total_runs(cfg) - 1}")
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", help="results folders (a run, or a sweep study's folder of jobs)")
    parser.add_argument("--points", help="sensitivity studies: the points to re-run, e.g. 0,143,287; deterministic "
                                         "studies: the evaluations (default all)")
    parser.add_argument("--runs", help="the runs (replication numbers) to re-run in each folder, e.g. 0,200,399 "
                                       "(default all): a quick check of a large study")
    args = parser.parse_args(argv)
    failed = False
    here = environment()
    shown = set()
    for folder in [f for given in args.folders for f in result_folders(given)]:
        changed = environment_differences(recorded_environment(folder), here)
        for line in changed:
            if line not in shown:
                print(f"environment differs from the manifest's: {line}")
                shown.add(line)
        try:
            compared, found = reproduce(folder, args.points, args.runs)
        except ConfigError as err:
            print(f"error: {err}", file=sys.stderr)
            sys.exit(2)
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
