"""`python -m sim.bench --json` prints one JSON object per measurement with the documented fields, and its
times and memory agree with what the test sees from outside: its own clock and the kernel's account of
the processes' peak memory."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.engines.profile import PHASES

ROOT = Path(__file__).resolve().parents[1]
FIELDS = {"engine", "patients", "days", "threads", "patient_days_per_s", "setup_s", "network_s", "state_s",
          "agents_s", "compile_s", "compile_cold_s", "compile_cached_s", "peak_rss_mb",
          "baseline_rss_mb", "bytes_per_patient"}
PATIENTS = 20_000  # enough that a model's memory shows above the baseline; the Mesa engine runs 1 day
# Runs its arguments as a child and, when it ends, prints to stderr the largest peak resident memory (KiB,
# Linux) of the child and of the processes it waited for: the bench and every measurement it ran.
PEAK_OF_CHILDREN = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)")


@pytest.mark.slow
def test_bench_json_lines_agree_with_the_clock_and_the_kernels_memory_account():
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", PEAK_OF_CHILDREN, sys.executable, "-m", "sim.bench",
                          "--sizes", str(PATIENTS), "--days", "5", "--mesa-days", "1", "--threads", "1,2", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "NUMBA_NUM_THREADS": "2"})
    wall_s = time.perf_counter() - start
    assert run.returncode == 0, run.stderr[-2000:]
    peak_of_all_mb = int(run.stderr.split()[-1]) / 1024
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(r["engine"], r["patients"], r["days"], r["threads"]) for r in rows] == [
        ("numba", PATIENTS, 5, 1), ("numba", PATIENTS, 5, 2), ("mesa", PATIENTS, 1, 1)]
    for row in rows:
        assert FIELDS <= set(row) and row["patient_days_per_s"] > 0
    numba, _, mesa = rows
    assert numba["agents_s"] == 0.0 and mesa["agents_s"] > 3e-4  # agent views (~4 us each) only for Mesa
    assert numba["compile_cold_s"] > numba["compile_cached_s"]  # the cache works
    # Times, against the test's clock: the measurements ran one after another inside this command, so
    # their times add up to less than its wall time, and no row can have simulated its patient-days at
    # fewer per second than the whole command took (a rate in millions, or per minute, would).
    measured = numba["compile_cold_s"] + numba["compile_cached_s"] + sum(
        r["compile_s"] + r["setup_s"] + r["run_s"] for r in rows)
    assert 0 < measured < wall_s
    for row in rows:
        assert row["patient_days_per_s"] >= row["patients"] * row["days"] / wall_s
        assert row["network_s"] + row["agents_s"] <= row["setup_s"] <= wall_s
    # the Numba engine is thousands of times faster than the Mesa engine per patient-day (README); 20x is
    # far inside that, and fails if the Mesa row ran the Numba engine or the rates were mixed up
    assert numba["patient_days_per_s"] > 20 * mesa["patient_days_per_s"]
    # Memory, against the kernel's account of the same processes: no row's peak exceeds the largest peak
    # the kernel saw; the baseline (interpreter, numpy, numba, mesa, compiled kernels) is tens to hundreds
    # of MB, not KB or GB; per-patient bytes add up to no more than the peak itself; and the Mesa row,
    # which holds an agent view per patient (~450 B each, sim/engines/agents.py) beside the arrays, shows at least
    # 100 B per patient
    for row in rows:
        assert 50 <= row["baseline_rss_mb"] <= row["peak_rss_mb"] <= peak_of_all_mb
        assert 0 <= row["bytes_per_patient"] * row["patients"] <= row["peak_rss_mb"] * 2**20
    assert mesa["bytes_per_patient"] >= 100


@pytest.mark.slow
def test_scaling_times_one_experiment_at_each_jobs_count_and_finds_the_same_table():
    """`--scaling`: one row per jobs count, in one command, each with the same table (a benchmark: the figures
    go in the performance page; no speed is asserted)."""
    run = subprocess.run([sys.executable, "-m", "sim.bench", "--scaling", "--jobs", "1,2", "--psa-draws", "3",
                          "--json", "--overrides",
                          "population.n=400 psa.draws=2 replications=2 burn_in_days=10 horizon_days=60 "
                          "primary_outcome=readmission_30"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    *scaled, psa = rows
    assert [r["jobs"] for r in scaled] == [1, 2] and all(r["runs"] == 4 and r["patients"] == 400 for r in scaled)
    assert all(r["identical"] for r in scaled) and scaled[0]["speedup"] == 1.0
    assert psa["kind"] == "psa" and psa["draws"] == 3 and psa["runs"] == 6 and psa["jobs"] == 2
    assert all(r["wall_s"] > 0 for r in rows)


@pytest.mark.slow
def test_phases_and_extension_cost_are_measured():
    """`--phases` splits a Numba run's time over the day's phases (cycle counts); `--extension` times a run
    without and with an end-of-day extension and the extension's own calls (benchmarks: no speed asserted)."""
    one = subprocess.run([sys.executable, "-m", "sim.bench", "--one", "numba", "2000", "40", "1", "--phases"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert one.returncode == 0, one.stderr
    row = json.loads(one.stdout.splitlines()[-1])
    assert list(row["phase_ns"]) == list(PHASES) and all(ns >= 0 for ns in row["phase_ns"].values())
    assert row["phase_ns"]["relapse draws"] > 0 and row["phase_ns"]["active patients"] > 0
    ext = subprocess.run([sys.executable, "-m", "sim.bench", "--extension", "text_reminders", "--sizes", "2000",
                          "--days", "60", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert ext.returncode == 0, ext.stderr
    cost = json.loads(ext.stdout.splitlines()[-1])
    assert cost["patients"] == 2000 and cost["days"] == 60 and cost["extension"] == "text_reminders"
    assert 0 < cost["own_s"] < cost["with_s"] and cost["without_s"] > 0
    assert cost["beyond_own_s"] == pytest.approx(cost["with_s"] - cost["own_s"] - cost["without_s"])
