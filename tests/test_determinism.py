"""Same config and seed, same results: whatever the thread count or hash seed of the process."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["population.n=400", "replications=2", "burn_in_days=20", "horizon_days=120",
        "primary_outcome=readmission_30"]


def _run(out, threads, hash_seed):
    env = {**os.environ, "NUMBA_NUM_THREADS": str(threads), "PYTHONHASHSEED": str(hash_seed)}
    run = subprocess.run([sys.executable, "-m", "sim", *ARGS, f"hydra.run.dir={out}"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return (out / "replications.csv").read_bytes(), (out / "summary.json").read_bytes()


def test_results_identical_across_thread_counts(tmp_path):
    assert _run(tmp_path / "one", threads=1, hash_seed=0) == _run(tmp_path / "two", threads=2, hash_seed=0)


def test_results_identical_across_hash_seeds(tmp_path):
    assert _run(tmp_path / "a", threads=1, hash_seed=1) == _run(tmp_path / "b", threads=1, hash_seed=987)
