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

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.decision.decide import DecisionSettings, decide
from sim.analysis.decision.options import gather_options
from sim.config import posterior
from sim.errors import ConfigError
from sim.experiment.replications import COMPARATOR
from sim.outputs.decision import BUDGET_FILES, DECISION_FILES, write_decision

KEYS = {"thresholds", "population", "parameter_groups", "seed", "budget_impact"}


def _number(block, key, path, lo, integer=False):
    value = block.get(key)
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or value < lo:
        raise ConfigError(f"{path}: decision.{key} = {value!r}: must be {'an integer' if integer else 'a number'} "
                          f">= {lo}")
    return value


def drawn_keys(cfg):
    """The keys the study's PSA draws: its independent entries and every posterior column (a programme's own
    calibrated keys are drawn in that programme's job)."""
    if not cfg.psa.posterior:
        return {p.key for p in cfg.psa.parameters}
    frame, _ = posterior.load(cfg.psa.posterior)
    return {p.key for p in cfg.psa.parameters} | {c for c in frame.columns if c != posterior.WEIGHT}


def check_decision(spec, path, cfg):
    """The `decision:` block, checked against the study's config: DecisionSettings, or a clear error."""
    block = spec.get("decision")
    if not isinstance(block, dict) or set(block) - KEYS or "population" not in block:
        raise ConfigError(f"{path}: decision must be a mapping of {', '.join(sorted(KEYS))} (population required)")
    if "sweep" not in spec or not any(s.startswith("program=") for s in spec["sweep"]):
        raise ConfigError(f"{path}: a decision study sweeps the options: add `sweep: [program=a,b,...]`")
    if cfg.psa.draws < 2 or not (cfg.psa.parameters or cfg.psa.posterior):
        raise ConfigError(f"{path}: a decision needs parameter uncertainty: psa.draws >= 2 with psa parameters")
    grid = block.get("thresholds", {"low": 0, "high": 50000, "step": 500})
    if not isinstance(grid, dict) or set(grid) != {"low", "high", "step"}:
        raise ConfigError(f"{path}: decision.thresholds must be {{low, high, step}}")
    low, high = _number(grid, "low", path, 0), _number(grid, "high", path, 0)
    step = _number(grid, "step", path, 1e-9)
    if high <= low:
        raise ConfigError(f"{path}: decision.thresholds: high ({high}) must exceed low ({low})")
    population = block["population"]
    if not isinstance(population, dict) or set(population) != {"people_per_year", "years", "discount_rate"}:
        raise ConfigError(f"{path}: decision.population must be {{people_per_year, years, discount_rate}}")
    people = _number(population, "people_per_year", path, 1, integer=True)
    years = _number(population, "years", path, 1, integer=True)
    rate = _number(population, "discount_rate", path, 0)
    if rate > 1:
        raise ConfigError(f"{path}: decision.discount_rate = {rate}: must be in [0, 1] (per year)")
    groups = block.get("parameter_groups", {})
    drawn = drawn_keys(cfg)
    if not isinstance(groups, dict) or not all(isinstance(k, list) and k for k in groups.values()):
        raise ConfigError(f"{path}: decision.parameter_groups must map each group's name to a list of keys")
    for name, keys in groups.items():
        missing = [k for k in keys if k not in drawn]
        if missing:
            raise ConfigError(f"{path}: decision.parameter_groups.{name}: {', '.join(missing)} not drawn by the "
                              f"study's PSA (drawn: {', '.join(sorted(drawn))})")
    seed = _number(block, "seed", path, 0, integer=True) if "seed" in block else 0
    budget = block.get("budget_impact", {"people": 0, "coverage": []})
    if not isinstance(budget, dict) or set(budget) != {"people", "coverage"}:
        raise ConfigError(f"{path}: decision.budget_impact must be {{people, coverage}}")
    people_covered = _number(budget, "people", path, 0, integer=True)
    coverage = budget["coverage"]
    if people_covered and not (isinstance(coverage, list) and 1 <= len(coverage) <= 10 and all(
            isinstance(c, int | float) and not isinstance(c, bool) and 0 <= c <= 1 for c in coverage)):
        raise ConfigError(f"{path}: decision.budget_impact.coverage = {coverage!r}: one share in [0, 1] per year, "
                          "1 to 10 years")
    thresholds = [float(t) for t in np.arange(low, high + step / 2, step)]
    return DecisionSettings(thresholds, [float(t) for t in cfg.economics.willingness_to_pay], people, years, rate,
                            {k: list(v) for k, v in groups.items()}, seed, people_covered,
                            [float(c) for c in coverage] if people_covered else [])


def job_tables(folder, jobs):
    """{job: replications table} of the sweep's jobs, in job order."""
    tables = {}
    for job in jobs:
        try:
            tables[job] = pd.read_csv(Path(folder) / job / "replications.csv")
        except OSError as err:
            raise ConfigError(f"{folder}/{job}: no replications.csv ({err.strerror})") from None
    return tables


def run_decision(folder, jobs, about, settings):
    """The analysis of the jobs' tables, written into `folder`; the result."""
    options = gather_options(job_tables(folder, jobs), COMPARATOR)
    result = decide(options, settings, COMPARATOR)
    write_decision(Path(folder), options, result, about, settings)
    return result


def settings_of(folder):
    """(about, jobs, settings) as the study's manifest recorded them."""
    manifest = json.loads((Path(folder) / "manifest.json").read_text())
    if "decision" not in manifest:
        raise ConfigError(f"{folder}: its manifest has no decision settings (not a decision study)")
    about = {k: manifest[k] for k in ("study", "question", "why", "overrides") if k in manifest}
    return about, manifest["jobs"], DecisionSettings(**manifest["decision"])


def main(argv=None):
    parser = argparse.ArgumentParser(description="Compute a decision study's analysis again from its jobs' tables.")
    parser.add_argument("folder", help="results/<study> of a decision study")
    parser.add_argument("--check", action="store_true", help="compare with the committed files; write nothing")
    args = parser.parse_args(argv)
    try:
        about, jobs, settings = settings_of(args.folder)
        if not args.check:
            run_decision(args.folder, jobs, about, settings)
            print(f"results: {args.folder}")
            return 0
        with tempfile.TemporaryDirectory() as tmp:
            options = gather_options(job_tables(args.folder, jobs), COMPARATOR)
            write_decision(Path(tmp), options, decide(options, settings, COMPARATOR), about, settings)
            names = [*DECISION_FILES, *(BUDGET_FILES if settings.budget_people else ())]
            differ = [name for name in names if name.endswith((".csv", ".md", ".json")) and
                      (Path(tmp) / name).read_bytes() != (Path(args.folder) / name).read_bytes()]
    except (ConfigError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{args.folder}: " + (f"DIFFERENT: {', '.join(differ)}" if differ else "identical decision tables"))
    return 1 if differ else 0
