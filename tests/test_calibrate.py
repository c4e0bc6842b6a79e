"""Calibration: an Optuna study in sqlite that resumes, a loss history, the best values written into conf/
with a comment naming the study, and a validation table."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml

from sim.calibrate import apply, load_settings

ROOT = Path(__file__).resolve().parents[1]
MODEL = ["program=self_management", "trial=core", "population.n=600", "burn_in_days=30", "horizon_days=300",
         "primary_outcome=readmission_30", "trial.sample_size=40", "trial.recruitment_days=120",
         "trial.follow_up_days=150", "replications=2"]
SMALL = "model_overrides=[" + ",".join(f'"{o}"' for o in MODEL) + "]"  # list items quoted: they hold '='



def calibrate(tmp_path, *args):
    run = subprocess.run([sys.executable, "-m", "sim.calibrate", SMALL, f"storage={tmp_path}/study.sqlite3",
                          f"out={tmp_path}/out", *args], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def test_a_calibration_resumes_and_applies_its_best_values(tmp_path):
    calibrate(tmp_path, "trials=2")
    first = pd.read_csv(tmp_path / "out" / "loss_history.csv")
    assert len(first) == 2
    out = calibrate(tmp_path, "trials=3")  # the same sqlite study continues: one more trial, not three
    history = pd.read_csv(tmp_path / "out" / "loss_history.csv")
    assert len(history) == 3 and sum(line.startswith("trial ") for line in out.splitlines()) == 1
    assert history["program.hope_gain"].nunique() == 3  # the resumed sampler does not repeat a sample
    pd.testing.assert_frame_equal(history.iloc[:2][first.columns].drop(columns="best_so_far"),
                                  first.drop(columns="best_so_far"))
    best = json.loads((tmp_path / "out" / "best.json").read_text())
    assert best["loss"] == history["loss"].min()
    fitted = pd.read_csv(tmp_path / "out" / "fitted_vs_target.csv")
    assert set(fitted["target"]) >= {"control_rate", "intervention_rate", "service_readmission_30"}
    # --apply writes into a copy of conf/ here, with a comment naming the study and trial
    shutil.copytree(ROOT / "conf", tmp_path / "conf")
    settings = load_settings([SMALL, f"storage={tmp_path}/study.sqlite3", f"out={tmp_path}/out"])
    apply(settings, tmp_path / "conf")
    program = (tmp_path / "conf" / "program" / "self_management.yaml").read_text()
    assert f"(Optuna study core_self_management, trial {best['trial']})" in program
    values = yaml.safe_load(program)
    assert values["hope_gain"] == round(best["parameters"]["program.hope_gain"], 4)


def test_the_validation_table_says_whether_each_target_is_inside_its_interval(tmp_path):
    calibrate(tmp_path, "--validate", "validation_trials=3")
    table = pd.read_csv(tmp_path / "out" / "validation.csv")
    assert set(table["target"]) == {"service_readmission_30", "service_share_of_30_day_within_7",
                                    "service_share_of_30_day_within_14", "control_rate", "intervention_rate",
                                    "odds_ratio"}
    inside = (table["published_low"] <= table["simulated"]) & (table["simulated"] <= table["published_high"])
    assert (inside == table["inside"]).all()
    assert "Power of the emulated CORE trial" in (tmp_path / "out" / "validation.md").read_text()
