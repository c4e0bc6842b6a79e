"""Named studies: `python -m sim.study experiments/<name>.yaml [override ...]`.

A study file states its question, why its configuration is set as it is, and
the Hydra overrides that make it; the results go to `results/<name>/` (or
`--out`), written the same way as the main job's, with the study's text and
overrides in `summary.json` and `manifest.json`.

A study with a `sweep:` list (e.g. `program=a,b,c`) is a Hydra multirun into
`results/<name>/<job>/`, run by the configured launcher, then gathered by
`sim.outputs.sweep` into one table and its figures; the study's `manifest.json` is
written last, after every job is complete. A study with a `sensitivity:`
block is a global sensitivity analysis (`sim.cli.sensitivity`). A sweep over `program` with a `decision:` block
compares every option at once (`sim.cli.decision`), before the manifest. A study with a `deterministic:`
block (at fixed parameters) finds where the decision changes: one-way ranges, thresholds, a two-way grid
(`sim.cli.deterministic`).
"""

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import yaml

from sim.analysis.cost_effectiveness import label_probability
from sim.cli.decision import check_decision, run_decision
from sim.cli.deterministic import check_deterministic, run_deterministic
from sim.cli.multirun import multirun
from sim.cli.preflight import check_command_line, load_config
from sim.cli.run import execute
from sim.cli.sensitivity import check_spec, run_sensitivity
from sim.errors import ConfigError
from sim.outputs.atomic import plain, write_json
from sim.outputs.manifest import manifest_environment
from sim.outputs.sweep import draw, gather, write_tables
from sim.paths import CHECKOUT

ROOT = CHECKOUT
REQUIRED = ("question", "why", "overrides")


def load_study(path):
    """The study file as a dict, checked: a question, a reason, and a list of overrides."""
    path = Path(path)
    try:
        spec = yaml.safe_load(path.read_text())
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the study file ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({' '.join(str(err).split())})") from None
    if not isinstance(spec, dict) or any(key not in spec for key in REQUIRED):
        raise ConfigError(f"{path}: a study needs the keys {', '.join(REQUIRED)}")
    for key in ("overrides", "sweep"):
        if key in spec and (not isinstance(spec[key], list) or not all(isinstance(o, str) for o in spec[key])):
            raise ConfigError(f"{path}: {key} must be a list of key=value strings")
    return spec


def study_config(spec, extra=()):
    """The validated config of a study (preflight first: one line and exit 2 on bad input)."""
    overrides = [*spec["overrides"], *extra]
    check_command_line(overrides)
    return load_config(overrides), overrides


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run a named study into results/<name>/.")
    parser.add_argument("study", help="experiments/<name>.yaml")
    parser.add_argument("overrides", nargs="*", help="extra key=value overrides (e.g. replications=5)")
    parser.add_argument("--out", help="results folder (default: results/<name>)")
    args = parser.parse_args(argv)
    try:
        spec = load_study(args.study)
        cfg, overrides = study_config(spec, args.overrides)
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        sys.exit(2)
    name = Path(args.study).stem
    out = Path(args.out) if args.out else ROOT / "results" / name
    about = {"study": name, "question": spec["question"], "why": spec["why"], "overrides": overrides}
    checks = {"sweep": lambda: check_decision(spec, args.study, cfg) if "decision" in spec else None,
              "sensitivity": lambda: check_spec(spec, args.study, cfg),
              "deterministic": lambda: check_deterministic(spec, args.study, cfg)}
    kind = next((k for k in checks if k in spec), None)
    if kind is None:
        execute(cfg, out, about)
        return
    try:
        block = checks[kind]()
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        sys.exit(2)
    if kind == "sweep":
        sys.exit(run_sweep(about, spec["sweep"], out, block))
    sys.exit((run_sensitivity if kind == "sensitivity" else run_deterministic)(about, block, out, cfg))


def run_sweep(about, sweep, out, decision=None):
    """The study's multirun, then its table, figures, the decision analysis (with `decision` settings) and
    manifest; the exit status."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)  # incomplete until every job is
    start = time.perf_counter()
    status = multirun([*about["overrides"], *sweep, f"hydra.sweep.dir={out}"])
    if status:
        return status
    table, swept, left_out = gather(out)
    if left_out:
        print(f"{out}: jobs without complete results: {', '.join(left_out)}", file=sys.stderr)
        return 1
    write_tables(out, table)
    draw(out, table, swept)
    points = {job: json.loads((out / job / "summary.json").read_text()) for job in dict.fromkeys(table["job"])}
    study = {**about, "sweep": sweep, "swept": swept,
             "points": [{"job": job, **{k: plain(table.loc[table.job == job, k].iloc[0]) for k in swept},
                         "verdict": s["verdict"], "economic_verdict": s["economic_verdict"],
                         "economic_probability": label_probability(s["economics"])}
                        for job, s in points.items()]}
    recorded = {}
    if decision is not None:
        try:
            run_decision(out, list(points), about, decision)
        except ConfigError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        recorded = {"decision": dataclasses.asdict(decision)}
    write_json(out / "study.json", {**study, **recorded})
    write_json(out / "manifest.json", {**about, "sweep": sweep, "jobs": list(points), **recorded,
                                        **manifest_environment(time.perf_counter() - start)})
    print(f"results: {out}")
    return 0
