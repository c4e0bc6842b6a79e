"""A sweep from the command line gathers into one tidy table (CSV and parquet) with a figure."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.outputs.sweep import gather
from sim.report import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_multirun_gathers_into_one_table(tmp_path):
    sweep = tmp_path / "sweep"
    run = subprocess.run(
        [sys.executable, "-m", "sim", "-m", "population.n=1500", "psa=none", "replications=2", "burn_in_days=30",
         "horizon_days=300", "primary_outcome=readmission_90", "contact.hope_gain=0.3",
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
    for figure in ("sweep_effects", "sweep_survival", "sweep_occupancy"):
        assert (sweep / f"{figure}.png").read_bytes()[:4] == b"\x89PNG", figure
    # acceptability is parameter uncertainty: jobs without parameter draws (psa=none) get no curve
    assert not (sweep / "sweep_acceptability.png").exists()
    assert set(table["economic_verdict"]) == {"not assessed (needs parameter uncertainty)"}


TRIAL_SWEEP = ["population.n=600", "psa=none", "replications=2", "burn_in_days=30", "horizon_days=200",
               "primary_outcome=readmission_30", "program=self_management", "trial=core", "trial.sample_size=40",
               "trial.recruitment_days=100", "trial.follow_up_days=90"]


@pytest.fixture(scope="module")
def trial_sweep(tmp_path_factory):
    """A real multirun of emulated trials: two sweep points of program.uptake."""
    sweep = tmp_path_factory.mktemp("trial_sweep")
    run = subprocess.run([sys.executable, "-m", "sim", "-m", *TRIAL_SWEEP, "program.uptake=0.3,0.6",
                          f"hydra.sweep.dir={sweep}"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    return sweep


@pytest.mark.slow
def test_a_sweep_of_emulated_trials_gathers_one_row_per_point(trial_sweep, capsys):
    main([str(trial_sweep)])
    assert "2 sweep points, 2 rows; swept: program.uptake" in capsys.readouterr().out
    table = pd.read_parquet(trial_sweep / "sweep.parquet")
    assert list(table["program.uptake"]) == [0.3, 0.6]
    for job, row in table.set_index("job").iterrows():
        trial = json.loads((trial_sweep / job / "summary.json").read_text())["trial"]
        for key in ("control_rate", "intervention_rate", "odds_ratio", "or_ci_low", "or_ci_high", "power"):
            assert row[key] == trial[key], key
        assert row["intervention_rate_interval_high"] == trial["intervention_rate_interval"][1]
        assert row["trial_name"] == trial["name"] and row["program"] == "self_management"
    pd.testing.assert_frame_equal(table, pd.read_csv(trial_sweep / "sweep.csv", dtype={"job": str}),
                                  check_dtype=False)
    assert (trial_sweep / "sweep_trial.png").read_bytes()[:4] == b"\x89PNG"
    assert not (trial_sweep / "sweep_effects.png").exists()


def test_jobs_are_in_hydra_number_order(trial_sweep, tmp_path):
    for number in range(12):  # job 0's results under 12 job numbers, each with its own swept value
        job = tmp_path / str(number)
        shutil.copytree(trial_sweep / "0", job)
        (job / ".hydra" / "overrides.yaml").write_text(f"- program.uptake={number / 100}\n")
    table, swept, left_out = gather(tmp_path)
    assert list(table["job"]) == [str(n) for n in range(12)]
    assert list(table["program.uptake"]) == [n / 100 for n in range(12)]
    assert swept == ["program.uptake"] and left_out == []


def test_a_folder_mixing_trials_and_comparisons_is_refused(trial_sweep, tmp_path, capsys):
    shutil.copytree(trial_sweep / "0", tmp_path / "0")
    shutil.copytree(trial_sweep / "1", tmp_path / "1")
    summary = json.loads((tmp_path / "1" / "summary.json").read_text())
    del summary["trial"]  # as a comparison job's summary: arms and effects, no trial section
    summary.update(comparison={"intervention": "self_management", "comparator": "usual_care"}, arms={}, effects={})
    (tmp_path / "1" / "summary.json").write_text(json.dumps(summary))
    with pytest.raises(SystemExit) as stop:
        main([str(tmp_path)])
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert err.count("\n") == 1 and "mixes emulated-trial jobs (0) and comparison jobs (1)" in err
    assert not (tmp_path / "sweep.csv").exists()
