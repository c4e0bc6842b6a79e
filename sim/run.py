"""Run an experiment and write its results: the one path the CLI and the named studies share."""

import signal
import sys
import time

from sim.experiment import run_experiment
from sim.report import format_summary, summarise, write_results


def _interrupt(signum, frame):
    """SIGTERM (a scheduler's kill) stops the run the way Ctrl-C does."""
    raise KeyboardInterrupt


def execute(cfg, out_dir, about=None):
    """Run, write into `out_dir` (manifest last), print the verdict table; exit 130 if interrupted."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        start = time.perf_counter()
        table = run_experiment(cfg)
        seconds = time.perf_counter() - start
        summary = summarise(cfg, table)
        if about:
            summary = {**about, **summary}
        write_results(out_dir, cfg, table, summary, seconds)
    except KeyboardInterrupt as stop:
        where = str(stop) or "after the last replication, before the results were complete"
        print(f"interrupted: {where}; no results written to {out_dir}", file=sys.stderr)
        sys.exit(130)
    print(format_summary(summary))
    print(f"results: {out_dir}")
    return summary
