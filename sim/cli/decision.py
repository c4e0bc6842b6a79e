"""Decision analysis of a study: every option at once (`decision:` block of a sweep study; `python -m sim.decide`).

A study with a `sweep:` over `program` and a `decision:` block runs each programme against usual care on
the same seeds and parameter draws (the sweep, through the configured launcher, resumable like any sweep),
then compares all of them at once: the incremental table, acceptability, expected loss, EVPI and EVPPI
(`sim.analysis.decision`), written into the study's folder before its manifest. The block:

    decision:
      thresholds: {low: 0, high: 50000, step: 500}   # the curves' willingness-to-pay grid (currency/QALY)
      population: {people_per_year: 2000, years: 5, discount_rate: 0.035}
      parameter_groups: {costs: [costs.bed_day, ...], ...}   # EVPPI groups: keys the PSA draws
      seed: 20261201                                  # EVPPI's standard-error draws
      budget_impact: {people: 2000, coverage: [0.2, 0.4, 0.6, 0.8, 1.0]}   # people covered, share reached by year

The decisions are stated at the config's `economics.willingness_to_pay`. `python -m sim.decide
results/<study>` computes the analysis again from the jobs' committed tables; with `--check` it compares
the result with the committed files instead of writing them (exit 1 if any differs).
"""

import tempfile
from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import Field, field_validator

from sim.analysis.decision.decide import DecisionSettings, decide
from sim.analysis.decision.options import COST, EFFECT, TOTAL_COST, gather_options
from sim.cli.command import Parser, check_writable, command
from sim.config import posterior
from sim.config.comparator import COMPARATOR
from sim.config.read_back import read_json, read_table
from sim.config.strict import Count, Seed, Share, Strict, Text, checked
from sim.errors import ConfigError
from sim.outputs.decision import BUDGET_FILES, DECISION_FILES, write_decision

FINITE = ("replication", "draw", COST, EFFECT, TOTAL_COST)
NEEDED = ("arm", *FINITE)


def drawn_keys(cfg):
    """The keys the study's PSA draws: its independent entries and every posterior column (a programme's own
    calibrated keys are drawn in that programme's job)."""
    if not cfg.psa.posterior:
        return {p.key for p in cfg.psa.parameters}
    frame, _ = posterior.load(cfg.psa.posterior)
    return {p.key for p in cfg.psa.parameters} | {c for c in frame.columns if c != posterior.WEIGHT}


def check_decision(block, path, cfg):
    """The `decision:` block (its structure checked by `sim.config.study`) against the study's config:
    DecisionSettings, or a clear error."""
    if cfg.psa.draws < 2 or not (cfg.psa.parameters or cfg.psa.posterior):
        raise ConfigError(f"{path}: a decision needs parameter uncertainty: psa.draws >= 2 with psa parameters")
    drawn = drawn_keys(cfg)
    for name, keys in block.parameter_groups.items():
        missing = [k for k in keys if k not in drawn]
        if missing:
            raise ConfigError(f"{path}: decision.parameter_groups.{name}: {', '.join(missing)} not drawn by the "
                              f"study's PSA (drawn: {', '.join(sorted(drawn))})")
    grid, population, budget = block.thresholds, block.population, block.budget_impact
    thresholds = [float(t) for t in np.arange(grid.low, grid.high + grid.step / 2, grid.step)]
    return DecisionSettings(thresholds, [float(t) for t in cfg.economics.willingness_to_pay],
                            population.people_per_year, population.years, float(population.discount_rate),
                            {k: list(v) for k, v in block.parameter_groups.items()}, block.seed, budget.people,
                            [float(c) for c in budget.coverage] if budget.people else [])


class Recorded(Strict):
    """What a decision study's manifest recorded: its jobs and its settings (`DecisionSettings`)."""

    class Settings(Strict):
        thresholds: Annotated[list[float], Field(min_length=1)]
        decisions: Annotated[list[float], Field(min_length=1)]
        people_per_year: Count
        years: Count
        discount_rate: Share
        parameter_groups: dict[Text, list[Text]] = {}
        seed: Seed = 0
        budget_people: Annotated[int, Field(ge=0)] = 0
        budget_coverage: list[Share] = []

    jobs: Annotated[list[Annotated[str, Field(pattern=r"^[\w.-]+$")]], Field(min_length=1)]
    decision: Settings

    @field_validator("jobs")
    @classmethod
    def _once(cls, jobs):
        if len(set(jobs)) < len(jobs):
            raise ValueError(f"a job is listed twice ({', '.join(jobs)})")
        return jobs


def job_tables(folder, jobs):
    """{job: replications table} of the sweep's jobs, in job order."""
    return {job: read_table(Path(folder) / job / "replications.csv", NEEDED, FINITE) for job in jobs}


def run_decision(folder, jobs, about, settings):
    """The analysis of the jobs' tables, written into `folder`; the result."""
    options = gather_options(job_tables(folder, jobs), COMPARATOR)
    result = decide(options, settings, COMPARATOR)
    write_decision(Path(folder), options, result, about, settings)
    return result


def settings_of(folder):
    """(about, jobs, settings) as the study's manifest recorded them."""
    path = Path(folder) / "manifest.json"
    manifest = read_json(path)
    if "decision" not in manifest:
        raise ConfigError(f"{folder}: its manifest has no decision settings (not a decision study)")
    recorded = checked(Recorded, {k: manifest.get(k) for k in ("jobs", "decision")}, str(path))
    about = {k: manifest[k] for k in ("study", "question", "why", "overrides") if k in manifest}
    return about, recorded.jobs, DecisionSettings(**recorded.decision.model_dump())


@command()
def main(argv=None):
    parser = Parser(prog="sim.decide", description="Compute a decision study's analysis again from its jobs' tables.")
    parser.add_argument("folder", help="results/<study> of a decision study")
    parser.add_argument("--check", action="store_true", help="compare with the committed files; write nothing")
    args = parser.parse_args(argv)
    about, jobs, settings = settings_of(args.folder)
    options = gather_options(job_tables(args.folder, jobs), COMPARATOR)
    names = [name for name in (*DECISION_FILES, *(BUDGET_FILES if settings.budget_people else ()))
             if name.endswith((".csv", ".md", ".json"))]
    missing = [name for name in names if not (Path(args.folder) / name).is_file()]
    if args.check and missing:
        raise ConfigError(f"{args.folder}: not a complete decision study: no {', '.join(missing)} to check")
    if not args.check:
        check_writable(args.folder)
    result = decide(options, settings, COMPARATOR)
    if not args.check:
        write_decision(Path(args.folder), options, result, about, settings)
        print(f"results: {args.folder}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        write_decision(Path(tmp), options, result, about, settings)
        differ = [name for name in names if (Path(tmp) / name).read_bytes() != (Path(args.folder) / name).read_bytes()]
    print(f"{args.folder}: " + (f"DIFFERENT: {', '.join(differ)}" if differ else "identical decision tables"))
    return 1 if differ else 0
