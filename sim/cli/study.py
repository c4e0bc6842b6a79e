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

import dataclasses
import sys
import time
from pathlib import Path

import yaml

from sim.analysis.cost_effectiveness import label_probability
from sim.cli.command import Parser, check_writable, command
from sim.cli.decision import check_decision, run_decision
from sim.cli.deterministic import check_deterministic, run_deterministic
from sim.cli.multirun import multirun
from sim.cli.preflight import check_command_line, load_config
from sim.cli.run import execute
from sim.cli.sensitivity import check_spec, run_sensitivity
from sim.config.read_back import UniqueKeys, read_json
from sim.config.study import check_study
from sim.errors import ConfigError
from sim.outputs.atomic import plain, write_json
from sim.outputs.manifest import manifest_environment
from sim.outputs.sweep import draw, gather, write_tables
from sim.paths import CHECKOUT

ROOT = CHECKOUT


def load_study(path):
    """The study file, checked against its schema (`sim.config.study`): the model, or ConfigError."""
    path = Path(path)
    try:
        spec = yaml.load(path.read_text(), Loader=UniqueKeys)  # noqa: S506 (a SafeLoader)
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the study file ({getattr(err, 'strerror', None) or err})") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({' '.join(str(err).split())})") from None
    if not isinstance(spec, dict):
        raise ConfigError(f"{path}: a study file is a mapping with question, why and overrides")
    return check_study(spec, str(path))


def study_config(study, extra=()):
    """The validated config of a study (preflight first: one line and exit 2 on bad input)."""
    overrides = [*study.overrides, *extra]
    check_command_line(overrides)
    return load_config(overrides), overrides


@command("config error")
def main(argv=None):
    parser = Parser(prog="sim.study", description="Run a named study into results/<name>/.")
    parser.add_argument("study", help="experiments/<name>.yaml")
    parser.add_argument("overrides", nargs="*", help="extra key=value overrides (e.g. replications=5)")
    parser.add_argument("--out", help="results folder (default: results/<name>)")
    args = parser.parse_args(argv)
    study = load_study(args.study)
    cfg, overrides = study_config(study, args.overrides)
    name = Path(args.study).stem
    out = Path(args.out) if args.out else ROOT / "results" / name
    about = {"study": name, "question": study.question, "why": study.why, "overrides": overrides}
    # every check runs before anything on disk changes: a refused input leaves a complete result as it was
    kind, block = analysis_of(study, overrides, args.study, cfg)
    check_writable(out)
    if kind == "sweep":
        sys.exit(run_sweep(about, study.sweep, out, block))
    if kind == "sensitivity":
        sys.exit(run_sensitivity(about, block, out, cfg))
    if kind == "deterministic":
        sys.exit(run_deterministic(about, block, out, cfg))
    execute(cfg, out, about)


def _given(block):
    """A block as the file gave it (a part set to null is not given)."""
    return block.model_dump(exclude_unset=True, exclude_none=True)


def analysis_of(study, overrides, path, cfg):
    """(kind, its block checked against the study's config): a sweep (with its decision settings, or None),
    a sensitivity or deterministic block, or a single run (None)."""
    if study.sweep is not None:
        check_command_line(["-m", *overrides, *study.sweep])
        return "sweep", check_decision(study.decision, path, cfg) if study.decision is not None else None
    if study.sensitivity is not None:
        return "sensitivity", check_spec(_given(study.sensitivity), overrides, path, cfg)
    if study.deterministic is not None:
        return "deterministic", check_deterministic(_given(study.deterministic), overrides, path, cfg)
    return "run", None


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
    points = {job: read_json(out / job / "summary.json", ("verdict", "economic_verdict", "economics"))
              for job in dict.fromkeys(table["job"])}
    study = {**about, "sweep": sweep, "swept": swept,
             "points": [{"job": job, **{k: plain(table.loc[table.job == job, k].iloc[0]) for k in swept},
                         "verdict": s["verdict"], "economic_verdict": s["economic_verdict"],
                         "economic_probability": label_probability(s["economics"])}
                        for job, s in points.items()]}
    recorded = {}
    if decision is not None:
        run_decision(out, list(points), about, decision)
        recorded = {"decision": dataclasses.asdict(decision)}
    write_json(out / "study.json", {**study, **recorded})
    write_json(out / "manifest.json", {**about, "sweep": sweep, "jobs": list(points), **recorded,
                                        **manifest_environment(time.perf_counter() - start)})
    print(f"results: {out}")
    return 0
