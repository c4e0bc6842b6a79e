"""A sweep from the command line gathers into one tidy table (CSV and parquet) with a figure."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def test_multirun_gathers_into_one_table(tmp_path):
    sweep = tmp_path / "sweep"
    run = subprocess.run(
        [sys.executable, "-m", "sim", "-m", "population.n=1500", "replications=2", "burn_in_days=30",
         "horizon_days=300", "primary_outcome=readmission_90", "program.hope_gain=0.3",
         "program.fidelity=0.0,1.0", f"hydra.sweep.dir={sweep}"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr
    (sweep / "1" / "manifest.json").rename(sweep / "1" / "manifest.json.bak")  # as if job 1 were interrupted
    gathered = subprocess.run([sys.executable, "-m", "sim.report", str(sweep)], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
    assert gathered.returncode == 0, gathered.stderr
    assert "left out (incomplete, no manifest.json): 1" in gathered.stdout
    (sweep / "1" / "manifest.json.bak").rename(sweep / "1" / "manifest.json")
    gathered = subprocess.run([sys.executable, "-m", "sim.report", str(sweep)], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
    assert gathered.returncode == 0, gathered.stderr
    table = pd.read_parquet(sweep / "sweep.parquet")
    assert len(table) == 4 and set(table["arm"]) == {"usual_care", "discharge_support"}
    pd.testing.assert_frame_equal(table, pd.read_csv(sweep / "sweep.csv", dtype={"job": str}), check_dtype=False)
    effects = table[table.arm == "discharge_support"].set_index("program.fidelity")
    # fidelity 0: contacts have no effect, so the arms are identical; fidelity 1 lowers readmission
    assert effects.loc[0.0, "effect_readmission_90_mean"] == 0.0
    assert effects.loc[1.0, "effect_readmission_90_mean"] < 0.0
    for figure in ("sweep_effects", "sweep_acceptability", "sweep_survival", "sweep_occupancy"):
        assert (sweep / f"{figure}.png").read_bytes()[:4] == b"\x89PNG", figure
