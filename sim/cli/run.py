"""Run an experiment and write its results: the one path the CLI and the named studies share."""

import functools
import json
import signal
import sys
import time
from pathlib import Path

from sim.experiment.replications import run_experiment, total_runs
from sim.experiment.workers import worker_count
from sim.outputs.manifest import config_record
from sim.outputs.records import FOLDER, clear_records, write_records
from sim.outputs.results import write_results
from sim.outputs.summary import format_summary, summarise


def _interrupt(signum, frame):
    """SIGTERM (a scheduler's kill) stops the run the way Ctrl-C does."""
    raise KeyboardInterrupt


def completed(cfg, out_dir):
    """The summary of a complete result of this same resolved config (seed included) in `out_dir`, else None."""
    out_dir = Path(out_dir)
    try:
        done = json.loads((out_dir / "manifest.json").read_text())["config"]
        summary = json.loads((out_dir / "summary.json").read_text())
    except (OSError, ValueError, KeyError):
        return None
    return summary if done == config_record(cfg) else None


def execute(cfg, out_dir, about=None, resume=False):
    """Run, write into `out_dir` (manifest last), print the verdict table; exit 130 if interrupted.

    With `resume` (sweep jobs), a folder already holding complete results of the same config is kept."""
    signal.signal(signal.SIGTERM, _interrupt)
    if resume and (summary := completed(cfg, out_dir)) is not None:
        print(f"skipped: {out_dir} already holds complete results of this config and seed")
        return summary
    (Path(out_dir) / "manifest.json").unlink(missing_ok=True)  # this folder's old result is being replaced
    records = functools.partial(write_records, Path(out_dir) / FOLDER) if cfg.records.write else None
    clear_records(Path(out_dir) / FOLDER)
    try:
        start = time.perf_counter()
        table = run_experiment(cfg, jobs=worker_count(cfg.jobs, total_runs(cfg), in_sweep=resume), records=records)
        seconds = time.perf_counter() - start
        summary = summarise(cfg, table)
        if about:
            summary = {**about, **summary}
        write_results(out_dir, cfg, table, summary, seconds)
    except KeyboardInterrupt as stop:
        clear_records(Path(out_dir) / FOLDER)
        where = str(stop) or "after the last replication, before the results were complete"
        print(f"interrupted: {where}; no results written to {out_dir}", file=sys.stderr)
        sys.exit(130)
    print(format_summary(summary))
    print(f"results: {out_dir}")
    return summary
