"""`python -m sim.bench --json` prints one JSON object per measurement with the documented fields."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIELDS = {"engine", "patients", "days", "threads", "patient_days_per_s", "setup_s", "network_s", "state_s",
          "agents_s", "compile_s", "compile_cold_s", "compile_cached_s", "peak_rss_mb",
          "baseline_rss_mb", "bytes_per_patient"}


def test_bench_json_lines():
    run = subprocess.run([sys.executable, "-m", "sim.bench", "--sizes", "300", "--days", "40", "--mesa-days", "5",
                          "--threads", "1,2", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "NUMBA_NUM_THREADS": "2"})
    assert run.returncode == 0, run.stderr[-2000:]
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(r["engine"], r["patients"], r["days"], r["threads"]) for r in rows] == [
        ("numba", 300, 40, 1), ("numba", 300, 40, 2), ("mesa", 300, 5, 1)]
    for row in rows:
        assert FIELDS <= set(row) and row["patient_days_per_s"] > 0
    numba, _, mesa = rows
    assert numba["agents_s"] == 0.0 and mesa["agents_s"] > 3e-4  # agent views (~4 us each) only for Mesa
    assert numba["compile_cold_s"] > numba["compile_cached_s"]  # the cache works
    for row in rows:
        assert 0 < row["baseline_rss_mb"] <= row["peak_rss_mb"]
        assert row["bytes_per_patient"] == (row["peak_rss_mb"] - row["baseline_rss_mb"]) * 2**20 / 300
