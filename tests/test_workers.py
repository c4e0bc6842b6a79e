"""Runs in worker processes: the same files for any `jobs`, runs gathered in order, and the sweep rule."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

from sim.experiment.workers import available_cores, map_runs, worker_count

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["population.n=600", "psa.draws=3", "replications=2", "burn_in_days=20", "horizon_days=120",
        "primary_outcome=readmission_30"]


@pytest.mark.slow
def test_one_and_two_jobs_write_identical_files(tmp_path):
    for jobs in (1, 2):
        out = tmp_path / str(jobs)
        run = subprocess.run([sys.executable, "-m", "sim", *ARGS, f"jobs={jobs}", f"hydra.run.dir={out}"], cwd=ROOT,
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
    for name in ("replications.csv", "summary.json"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_runs_come_back_in_run_order_from_any_number_of_workers():
    finished = []
    for jobs in (1, 2, 3):
        assert map_runs(math.factorial, range(7), jobs, lambda: finished.append(1)) == [math.factorial(k)
                                                                                       for k in range(7)]
    assert len(finished) == 21  # one call per run


def test_auto_uses_every_core_but_one_per_job_inside_a_sweep():
    cores = available_cores()
    assert worker_count(0, 1000) == cores
    assert worker_count(0, 1000, in_sweep=True) == 1  # the sweep's launcher already runs a job per core
    assert worker_count(3, 1000, in_sweep=True) == 3  # asked for explicitly
    assert worker_count(8, 2) == 2 and worker_count(1, 50) == 1  # never more workers than runs
