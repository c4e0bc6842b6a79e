"""One-way, threshold and two-way analysis of a study (`deterministic:` block): where the decision changes.

The study runs at fixed parameters (`psa=none`): each point is the study's experiment, on its seeds, with
one or two parameters set, and its output is the programme's net monetary benefit against usual care per
patient-year at `economics.threshold` (the mean of the paired replications). The block:

    deterministic:
      one_way:        {key: [low, high], ...}      # the tornado diagram
      thresholds:     {key: [low, high], ...}      # where net benefit crosses zero, searched in the bracket
      two_way: {keys: [a, b], ranges: [[lo, hi], [lo, hi]], points: 5}   # a grid of the pair

Each point's result is kept in `.partial/` as it finishes, so an interrupted study resumes where it stopped
(`python -m sim.study` again); a point runs its replications on every core (`jobs`), or run the whole study
as one SLURM job. Files: one_way.csv, tornado.png, thresholds.csv, two_way.csv, two_way.png,
evaluations.csv (every point), study.json, and manifest.json last.
"""

import functools
import json
import math
import sys
import time

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from sim.analysis.decision.threshold import NoCrossing, crossing, one_way
from sim.cli.preflight import check_command_line
from sim.cli.recorded import recorded_config, recorded_manifest, selected
from sim.config.read_back import kept_record, read_table
from sim.config.schema import validate
from sim.errors import ConfigError
from sim.experiment.replications import run_experiment, total_runs
from sim.experiment.workers import worker_count
from sim.outputs.atomic import write_atomic, write_json
from sim.outputs.compare import compare_row
from sim.outputs.deterministic import plot_tornado, plot_two_way
from sim.outputs.manifest import config_record, manifest_environment
from sim.outputs.summary import summarise

OUTPUTS = ("nmb", "incremental_cost", "incremental_qalys", "effect")


def _key_value(cfg, key):
    return functools.reduce(lambda node, part: getattr(node, part, None), key.split("."), cfg)


def _check_range(overrides, path, where, key, bounds, cfg):
    """A range (its order checked by `sim.config.study`) of a real-valued key whose ends are valid configs."""
    if not isinstance(_key_value(cfg, key), float):
        raise ConfigError(f"{path}: {where}.{key}: not a real-valued config key")
    for bound in bounds:
        try:
            check_command_line([*overrides, f"{key}={float(bound)!r}"])
        except ConfigError as err:
            raise ConfigError(f"{path}: {where}.{key} = {bounds!r}: {err}") from None


def check_deterministic(block, overrides, path, cfg):
    """The block (its structure checked by `sim.config.study`) against the study's config, before any work."""
    if cfg.psa.draws != 1 or cfg.psa.parameters or cfg.psa.posterior:
        raise ConfigError(f"{path}: a deterministic analysis runs at fixed parameters: add psa=none to overrides")
    for part in ("one_way", "thresholds"):
        for key, bounds in block.get(part, {}).items():
            _check_range(overrides, path, f"deterministic.{part}", key, bounds, cfg)
    if "two_way" in block:
        grid = block["two_way"]
        for key, bounds in zip(grid["keys"], grid["ranges"], strict=True):
            _check_range(overrides, path, "deterministic.two_way", key, bounds, cfg)
    return block


class Evaluator:
    """Each point's outputs, run once: kept in `.partial/evaluations.jsonl` for a resumed study."""

    def __init__(self, cfg, partial):
        self.base = config_record(cfg)
        self.store = partial / "evaluations.jsonl"
        settings = partial / "settings.json"
        if settings.exists() and kept_record(settings.read_text()) != self.base:
            self.store.unlink(missing_ok=True)  # points made with another config (or an unreadable record)
        partial.mkdir(parents=True, exist_ok=True)
        write_json(settings, self.base)
        self.done = {}
        if self.store.exists():
            for row in map(kept_record, self.store.read_text().splitlines()):
                if isinstance(row, dict) and isinstance(row.get("point"), dict) and all(o in row for o in OUTPUTS):
                    self.done[self._key(row["point"])] = row  # a line cut by an interrupt is run again
        self.order = []

    @staticmethod
    def _key(point):
        return json.dumps(point, sort_keys=True)

    def outputs(self, point):
        key = self._key(point)
        if key not in self.done:
            row = {"point": point, **evaluate(config_at(self.base, point))}
            with self.store.open("a") as f:
                f.write(json.dumps(row) + "\n")
            self.done[key] = row
            print(f"point {point}: net monetary benefit {row['nmb']:,.2f}", file=sys.stderr, flush=True)
        if key not in self.order:
            self.order.append(key)
        return self.done[key]

    def nmb(self, key, value):
        return self.outputs({key: float(value)})["nmb"]

    def table(self):
        rows = [self.done[k] for k in self.order]
        keys = list(dict.fromkeys(k for r in rows for k in r["point"]))
        return pd.DataFrame([{**{k: r["point"].get(k, math.nan) for k in keys}, **{o: r[o] for o in OUTPUTS}}
                             for r in rows]).rename_axis("evaluation")


def evaluate(cfg):
    """One point's outputs: the programme against usual care, means over the paired replications."""
    summary = summarise(cfg, run_experiment(cfg, progress=False, jobs=worker_count(cfg.jobs, total_runs(cfg))))
    e = summary["economics"]
    return {"nmb": e["net_monetary_benefit"][f"{cfg.economics.threshold:g}"]["mean"],
            "incremental_cost": e["incremental_cost"]["mean"], "incremental_qalys": e["incremental_qalys"]["mean"],
            "effect": summary["effects"][summary["primary_outcome"]]["mean"]}


def config_at(base, point):
    """The study's config with the point's values set."""
    raw = OmegaConf.create(base)
    for key, value in point.items():
        OmegaConf.update(raw, key, float(value))
    return validate(raw)


def _thresholds(evaluator, ranges):
    rows = []
    for key, (low, high) in ranges.items():
        try:
            value, note = crossing(functools.partial(evaluator.nmb, key), float(low), float(high)), ""
        except NoCrossing as why:
            value, note = None, f"no threshold in [{low:g}, {high:g}]: {why}"
        rows.append({"parameter": key, "bracket_low": float(low), "bracket_high": float(high), "threshold": value,
                     "nmb_at_low": evaluator.nmb(key, low), "nmb_at_high": evaluator.nmb(key, high), "note": note})
    return pd.DataFrame(rows)


def _two_way(evaluator, grid):
    (a, b), ((a_lo, a_hi), (b_lo, b_hi)) = grid["keys"], grid["ranges"]
    rows = []
    for x in np.linspace(a_lo, a_hi, grid["points"]):
        for y in np.linspace(b_lo, b_hi, grid["points"]):
            rows.append({a: float(x), b: float(y), "nmb": evaluator.outputs({a: float(x), b: float(y)})["nmb"]})
    return pd.DataFrame(rows)


def run_deterministic(about, block, out, cfg):
    """Every part of the block, then the files; manifest.json last. The exit status."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    start = time.perf_counter()
    evaluator = Evaluator(cfg, out / ".partial")
    base = evaluator.outputs({})["nmb"]
    found = {"base_nmb": base, "threshold": cfg.economics.threshold}
    if "one_way" in block:
        ends = {key: ((float(lo), float(hi)), (evaluator.nmb(key, lo), evaluator.nmb(key, hi)))
                for key, (lo, hi) in block["one_way"].items()}
        tornado = pd.DataFrame(one_way(base, ends))
        write_atomic(out / "one_way.csv", lambda p: tornado.to_csv(p, index=False))
        plot_tornado(tornado, base, cfg, out / "tornado.png")
    if "thresholds" in block:
        thresholds = _thresholds(evaluator, block["thresholds"])
        write_atomic(out / "thresholds.csv", lambda p: thresholds.to_csv(p, index=False))
        found["thresholds"] = thresholds.to_dict("records")
    if "two_way" in block:
        grid = _two_way(evaluator, block["two_way"])
        write_atomic(out / "two_way.csv", lambda p: grid.to_csv(p, index=False))
        plot_two_way(grid, block["two_way"]["keys"], cfg, out / "two_way.png")
    write_atomic(out / "evaluations.csv", lambda p: evaluator.table().to_csv(p))
    write_json(out / "study.json", {**about, "deterministic": block, **found})
    write_json(out / "manifest.json", {**about, "deterministic": block, "config": config_record(cfg),
                                        **manifest_environment(time.perf_counter() - start, cfg.threads)})
    print(f"results: {out}")
    return 0


def reproduce_evaluations(folder, which=None):
    """Re-run evaluations of a deterministic study (all, or the listed ones) and compare with
    `evaluations.csv`: (numbers compared, differences)."""
    manifest = recorded_manifest(folder)
    committed = read_table(folder / "evaluations.csv", ("evaluation", *OUTPUTS), ("evaluation", *OUTPUTS),
                           index_col="evaluation")
    parameters = [c for c in committed.columns if c not in OUTPUTS]
    compared, found = 0, []
    for index in selected(folder, "--points", which, committed.index):
        point = {k: float(committed.loc[index, k]) for k in parameters if not pd.isna(committed.loc[index, k])}
        count, differ = compare_row(f"evaluation {index}", evaluate(recorded_config(folder, manifest, point)),
                                    committed.loc[index], OUTPUTS)
        compared, found = compared + count, found + differ
    return compared, found
