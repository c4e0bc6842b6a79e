"""An experiment: parameter draws x paired replications x arms. Every arm of a replication runs on the same
seed and the same draw; run k is replication k % replications of draw k // replications (one draw, the
configured parameters, without PSA).

The comparator is usual care: the intervention's own configuration with no
peer workers and nobody offered one, so the arms differ only by the programme.
"""

import functools
import os
import sys
import time

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.analysis import exact
from sim.analysis.outcomes import arm_outcomes
from sim.analysis.records import patient_records
from sim.analysis.survival import readmission_free_curve
from sim.config.comparator import COMPARATOR, usual_care_of
from sim.config.psa import sample
from sim.engines.invariants import check_outcomes
from sim.engines.model import CareSystemModel
from sim.experiment.trial import trial_outcomes
from sim.experiment.workers import map_runs
from sim.model import events as ev
from sim.model.population import make_population
from sim.model.streams import draw_seed, replication_seed


def arms_of(cfg):
    """The arms in reporting order: comparator first."""
    return {COMPARATOR: usual_care_of(cfg.program), cfg.program.name: cfg.program}


def arm_models(cfg, replication, engine=None, population=None):
    """Each arm's model of one replication, not yet run: one seed, one population (common random numbers).

    `cfg` is the replication's config (after any PSA draw); the live view steps these same models."""
    if population is None:
        population = make_population(cfg, replication_seed(cfg.seed, replication))
    return {arm: CareSystemModel(cfg, program, replication, engine, population, agent_views=False)
            for arm, program in arms_of(cfg).items()}


TRIAL = "trial"  # the arm label of an emulated trial's row: both arms live inside one care system


def total_runs(cfg):
    """Parameter draws x paired replications per draw."""
    return cfg.psa.draws * cfg.replications


def drawn_config(cfg, run):
    """(run k's config, {key: value drawn}): its draw, k // replications, of the PSA parameters applied."""
    return sample(cfg, draw_seed(cfg.seed, run // cfg.replications))


def run_replication(cfg, replication, engine=None, records=None):
    """Run k = `replication`: both arms on one seed, one population and its draw of the PSA parameters; one
    row per arm. With an emulated trial: one care system holding the trial's two arms; one row. `records`:
    called as records(replication, arm, table) with each arm's per-patient records (with `records.write`)."""
    seed = replication_seed(cfg.seed, replication)
    draw = replication // cfg.replications
    cfg, drawn = drawn_config(cfg, replication)
    population = make_population(cfg, seed)
    psa = {f"psa:{key}": value for key, value in drawn.items()}
    labels = {"replication": replication, "draw": draw, "seed": int(seed)}
    if cfg.trial.kind != "none":
        model = CareSystemModel(cfg, cfg.program, replication, engine, population, agent_views=False).run()
        keep_records(records, replication, TRIAL, model)
        return [{**labels, "arm": TRIAL, **psa, **trial_outcomes(model)}]
    rows = []
    for arm, model in arm_models(cfg, replication, engine, population).items():
        model.run()
        keep_records(records, replication, arm, model)
        outcomes = arm_outcomes(model)
        check_outcomes(outcomes)
        rows.append({**labels, "arm": arm, **psa, **outcomes,
                     CURVES["survival"]: readmission_free_curve(model.patients, model.n_days),
                     CURVES["occupancy"]: weekly_occupancy(model)})
    return rows


def keep_records(records, replication, arm, model):
    """Hand the arm's per-patient records to `records` (a picklable writer), if asked for."""
    if records is not None and model.cfg.records.write:
        records(replication, arm, patient_records(model))


# Series kept per row while running, then averaged per arm into table.attrs[<key>].
CURVES = {"survival": "readmission_free_curve", "occupancy": "weekly_bed_occupancy"}


def weekly_occupancy(model):
    """Share of acute beds occupied, averaged over each whole week of the counted period."""
    first = model.cfg.burn_in_days
    weeks = (model.n_days - first) // 7
    beds_by_week = model.events[first:first + 7 * weeks, ev.BED_DAYS].reshape(weeks, 7)
    occupied = np.array([exact.mean(week) for week in beds_by_week])
    return occupied / model.n_beds if model.n_beds else np.full(weeks, np.nan)


def _split_curves(rows):
    """The table without the series, and each arm's mean of each series."""
    table = pd.DataFrame([{k: v for k, v in row.items() if k not in CURVES.values()} for row in rows])
    for key, column in CURVES.items():
        per_arm = {}
        for row in rows:
            if column in row:
                per_arm.setdefault(row["arm"], []).append(row[column])
        table.attrs[key] = {arm: exact.column_means(np.array(c)) for arm, c in per_arm.items()}
    return table


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during an experiment; says how far it got."""

    def __init__(self, finished, total):
        super().__init__(f"{finished} of {total} replications had finished")
        self.finished, self.total = finished, total


def run_experiment(cfg, engine=None, progress=True, jobs=1, runs=None, records=None):
    """The per-replication results table (one row per run and arm), the runs `jobs` at a time in worker
    processes (`sim.experiment.workers`): the same table for any `jobs`. `runs`: only these runs (a run is a
    pure function of the config and its number, so any subset re-runs as it ran in the whole). `records`: what
    each run hands its per-patient records to (with `records.write`; in the worker that ran it).

    Progress: a bar on a terminal; one line per finished run if SIM_PROGRESS=lines; else quiet (logs, CI).
    """
    start = time.perf_counter()
    lines = progress and os.environ.get("SIM_PROGRESS") == "lines"
    chosen = range(total_runs(cfg)) if runs is None else list(runs)
    total = len(chosen)
    bar = tqdm(total=total, unit="replication", file=sys.stderr,
               disable=not (progress and sys.stderr.isatty()) or lines)
    finished = 0

    def done():
        nonlocal finished
        finished += 1
        bar.update()
        if lines:
            print(f"replication {finished}/{total} done ({time.perf_counter() - start:.1f} s)", file=sys.stderr,
                  flush=True)

    try:
        with bar:
            runs = map_runs(functools.partial(run_replication, cfg, engine=engine, records=records), chosen, jobs, done)
    except KeyboardInterrupt as stop:  # wherever it lands, say how far the run got
        raise RunInterrupted(finished, total) from stop
    return _split_curves([row for rows in runs for row in rows])
