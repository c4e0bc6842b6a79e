"""Calibration: an Optuna study in sqlite that resumes, a loss history, the best values written into conf/
with a comment naming the study, a validation table, and the loss on hand-computed examples."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.cli.calibrate import apply, load_settings, loss

ROOT = Path(__file__).resolve().parents[1]
MODEL = ["program=self_management", "trial=core", "population.n=600", "burn_in_days=30", "horizon_days=300",
         "primary_outcome=readmission_30", "trial.sample_size=40", "trial.recruitment_days=120",
         "trial.follow_up_days=150", "psa=none", "replications=2"]
SMALL = "model_overrides=[" + ",".join(f'"{o}"' for o in MODEL) + "]"  # list items quoted: they hold '='



def calibrate(tmp_path, *args):
    run = subprocess.run([sys.executable, "-m", "sim.calibrate", SMALL, f"storage={tmp_path}/study.sqlite3",
                          f"out={tmp_path}/out", *args], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


@pytest.mark.slow
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
    # --apply writes into a copy of conf/ here: each searched key's line of its group's file (the model's
    # choice, else default.yaml) gets the best value (to within 4 decimals) and a comment naming the study
    # and trial; every other line of every file stays as it was
    shutil.copytree(ROOT / "conf", tmp_path / "conf")
    settings = load_settings([SMALL, f"storage={tmp_path}/study.sqlite3", f"out={tmp_path}/out"])
    apply(settings, tmp_path / "conf")
    files = {"care": "care/default.yaml", "program": "program/self_management.yaml"}
    assert {key.split(".")[0] for key in best["parameters"]} == set(files)
    assert len(best["parameters"]) == len(settings["parameters"])  # every searched key
    calibrated_lines = {}
    for key, value in best["parameters"].items():
        group, name = key.split(".")
        text = (tmp_path / "conf" / files[group]).read_text()
        assert abs(yaml.safe_load(text)[name] - value) <= 5e-5, key
        [line] = [line for line in text.splitlines() if line.startswith(f"{name}:")]
        assert re.fullmatch(rf"{name}: [-+.\de]+  # .*\(Optuna study {settings['name']}, trial "
                            rf"{best['trial']}\)", line), line
        calibrated_lines.setdefault(files[group], set()).add(name)
    for path in sorted((ROOT / "conf").rglob("*.yaml")):
        relative = str(path.relative_to(ROOT / "conf"))
        before = path.read_text().splitlines()
        after = (tmp_path / "conf" / relative).read_text().splitlines()
        assert len(after) == len(before), relative
        changed = {a.split(":")[0] for a, b in zip(after, before, strict=True) if a != b}
        assert changed <= calibrated_lines.get(relative, set()), relative


@pytest.mark.slow
def test_the_validation_table_says_whether_each_target_is_inside_its_interval(tmp_path):
    """Intervals set so the answer is known whatever the model does: a rate is always inside [0, 1] and an
    odds ratio inside [0, 1e9]; a rate is never inside [1.5, 2] nor a 30-day readmission inside [-1, -0.5].
    The two intervals left alone are the published ones from conf/calibrate.yaml."""
    known = {"control_rate": (0.0, 1.0, True), "odds_ratio": (0.0, 1e9, True),
             "intervention_rate": (1.5, 2.0, False), "service_readmission_30": (-1.0, -0.5, False)}
    intervals = [f"targets.{name}.{end}={bound}" for name, (low, high, _) in known.items()
                 for end, bound in (("low", low), ("high", high))]
    calibrate(tmp_path, "--validate", "validation_trials=3", *intervals)
    table = pd.read_csv(tmp_path / "out" / "validation.csv").set_index("target")
    assert set(table.index) == {"service_readmission_30", "service_share_of_30_day_within_7",
                                "service_share_of_30_day_within_14", "control_rate", "intervention_rate",
                                "odds_ratio"}
    markdown = (tmp_path / "out" / "validation.md").read_text()
    for name, (low, high, inside) in known.items():
        assert (table.loc[name, "published_low"], table.loc[name, "published_high"]) == (low, high), name
        assert bool(table.loc[name, "inside"]) is inside, name
        [row] = [line for line in markdown.splitlines() if line.startswith(f"| `{name}` |")]
        assert row.endswith("| yes |" if inside else "| no |"), row
    published = yaml.safe_load((ROOT / "conf" / "calibrate.yaml").read_text())["targets"]
    for name in ("service_share_of_30_day_within_7", "service_share_of_30_day_within_14"):
        assert table.loc[name, "published_low"] == published[name]["low"]
        assert table.loc[name, "published_high"] == published[name]["high"]
    # the centre of 3 simulated trials (their mean; the median for the odds ratio) lies inside the range
    # of 95% of them (the 2.5% and 97.5% quantiles sit within 5% of the gaps next to the ends)
    assert ((table["simulated_low"] <= table["simulated"]) & (table["simulated"] <= table["simulated_high"])).all()
    assert "Power of the emulated CORE trial" in markdown


# Targets at binary fractions, so every step of the loss below is exact in floating point.
TARGETS = {
    "service_readmission_30": {"value": 0.125, "tolerance": 0.0625},
    "service_share_of_30_day_within_7": {"value": 0.5, "tolerance": 0.25},
    "service_share_of_30_day_within_14": {"value": 0.75, "tolerance": 0.125},
    "control_rate": {"value": 0.375, "tolerance": 0.125},
    "intervention_rate": {"value": 0.25, "tolerance": 0.0625},
    "odds_ratio": {"value": 0.66, "tolerance": None},  # validated, not fitted: never in the loss
}


def three_trials(**columns):
    """Three simulated trials whose means hit every target: 30-day readmission 1/16, 1/8 and 3/16 (mean
    1/8), half of it within 7 days and three quarters within 14 in each, control arm 1/4, 3/8 and 1/2
    (mean 3/8), intervention arm 1/4 in each; odds ratios far from 0.66. `columns` replaces columns."""
    table = pd.DataFrame({"service_readmission_30": [0.0625, 0.125, 0.1875],
                          "service_readmission_7": [0.03125, 0.0625, 0.09375],
                          "service_readmission_14": [0.046875, 0.09375, 0.140625], "control_rate": [0.25, 0.375, 0.5],
                          "intervention_rate": [0.25, 0.25, 0.25], "odds_ratio": [0.1, 5.0, 7.0]})
    for name, values in columns.items():
        table[name] = values
    return table


def shifted_30_day_rate(k):
    """The 30-day readmission k tolerances (1/16 each) above its target, its 7- and 14-day shares on target."""
    rate = [0.0625 + k * 0.0625, 0.125 + k * 0.0625, 0.1875 + k * 0.0625]
    return {"service_readmission_30": rate, "service_readmission_7": [r / 2 for r in rate],
            "service_readmission_14": [0.75 * r for r in rate]}


def test_the_loss_is_zero_on_target_and_counts_squared_tolerances_off_it():
    settings = {"targets": TARGETS}
    assert loss(settings, three_trials()) == 0.0  # on every target; the odds ratio has no tolerance
    # control arm mean 1/2 = 3/8 + one tolerance (1/8), or 1/4 = 3/8 - one: 1 either way
    assert loss(settings, three_trials(control_rate=[0.5, 0.5, 0.5])) == 1.0
    assert loss(settings, three_trials(control_rate=[0.125, 0.25, 0.375])) == 1.0
    # the mean over trials counts, not the median: 1/4, 1/4, 5/8 has mean 3/8 (on target), median 1/4
    assert loss(settings, three_trials(control_rate=[0.25, 0.25, 0.625])) == 0.0
    # intervention arm mean 1/8 = 1/4 - two tolerances (2 x 1/16): 2^2 = 4; and the 7-day share 3/4 in every
    # trial = 1/2 + one tolerance (1/4): 1; together 4 + 1 = 5
    assert loss(settings, three_trials(intervention_rate=[0.125, 0.125, 0.125])) == 4.0
    assert loss(settings, three_trials(intervention_rate=[0.125, 0.125, 0.125],
                                       service_readmission_7=[0.046875, 0.09375, 0.140625])) == 5.0
    # a trial without a value (NaN) is left out of the mean: (1/16 + 3/16) / 2 = 1/8, again 4
    assert loss(settings, three_trials(intervention_rate=[0.0625, 0.1875, float("nan")])) == 4.0
    # further from a target, larger: 1, 2, 3 tolerances above the 30-day rate give 1, 4, 9
    assert [loss(settings, three_trials(**shifted_30_day_rate(k))) for k in (1, 2, 3)] == [1.0, 4.0, 9.0]
