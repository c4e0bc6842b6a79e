"""The main job end to end: `python -m sim` writes a summary with a verdict, a table and a figure."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def test_main_job_writes_summary_table_and_figure(tmp_path):
    out = tmp_path / "run"
    run = subprocess.run(
        [sys.executable, "-m", "sim", "population.n=1500", "replications=3", "burn_in_days=60",
         "horizon_days=400", f"hydra.run.dir={out}"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert "verdict:" in run.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["verdict"] in ("lowers readmissions", "no detectable effect", "costs more without benefit")
    assert list(summary["arms"]) == ["usual_care", "discharge_support"]
    for metric in ("readmission_30", "readmission_90", "readmission_365", "bed_days_per_1000py",
                   "diversions_per_1000py", "cost_total"):
        effect = summary["effects"][metric]
        assert effect["ci_low"] <= effect["mean"] <= effect["ci_high"]
    table = pd.read_csv(out / "replications.csv")
    assert len(table) == 6 and set(table["arm"]) == {"usual_care", "discharge_support"}
    # the paired difference in the summary is the mean of the table's per-replication differences
    wide = table.pivot(index="replication", columns="arm", values="readmission_30")
    diff = (wide["discharge_support"] - wide["usual_care"]).mean()
    assert abs(diff - summary["effects"]["readmission_30"]["mean"]) < 1e-12
    assert (out / "readmission.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 20261126 and manifest["packages"]["mesa"]


def test_engine_choice_does_not_change_the_results(tmp_path):
    """`engine=mesa` from the command line gives the same table as the default Numba engine."""
    tables = {}
    for engine in ("numba", "mesa"):
        out = tmp_path / engine
        run = subprocess.run(
            [sys.executable, "-m", "sim", "population.n=300", "replications=2", "burn_in_days=0",
             "horizon_days=200", "primary_outcome=readmission_30", f"engine={engine}", f"hydra.run.dir={out}"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )
        assert run.returncode == 0, run.stderr
        tables[engine] = pd.read_csv(out / "replications.csv")
    pd.testing.assert_frame_equal(tables["numba"], tables["mesa"])


def test_one_replication_runs_and_says_it_has_no_interval(tmp_path):
    """`replications=1` (a quick look, or a very large population) runs; the report says why no verdict."""
    out = tmp_path / "one"
    run = subprocess.run(
        [sys.executable, "-m", "sim", "population.n=800", "replications=1", "burn_in_days=30", "horizon_days=400",
         f"hydra.run.dir={out}"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert "one replication gives no confidence intervals" in run.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 1 and summary["verdict"] == "no detectable effect"
    assert summary["effects"]["readmission_365"]["ci_low"] is None  # NaN, written as null
    assert len(pd.read_csv(out / "replications.csv")) == 2
