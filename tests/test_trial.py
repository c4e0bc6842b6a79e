"""An emulated randomised trial inside one care system: both engines agree, only intervention participants
are offered the programme, the analysis matches hand-computed numbers, and the CLI reports it."""

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hydra import compose, initialize_config_dir

from sim.analysis.trials import mean_difference, odds_ratio
from sim.config.schema import validate
from sim.engines.model import CareSystemModel
from sim.errors import ConfigError
from sim.experiment.trial import trial_outcomes
from sim.model.columns import CONTROL, INTERVENTION, NOT_RECRUITED
from sim.paths import CONF

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["population.n=600", "burn_in_days=30", "horizon_days=200", "primary_outcome=readmission_30",
         "program=self_management", "trial=core", "trial.sample_size=40", "trial.recruitment_days=100",
         "trial.follow_up_days=90"]


def config(overrides):
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return validate(compose("config", overrides=overrides))


def test_engines_agree_with_a_trial_running():
    cfg = config(SMALL)
    fast = CareSystemModel(cfg, engine="numba").run()
    reference = CareSystemModel(cfg, engine="mesa").run()
    assert np.array_equal(fast.events, reference.events)
    for name in fast.patients._fields:
        assert np.array_equal(getattr(fast.patients, name), getattr(reference.patients, name)), name
    assert (fast.patients.trial_arm != NOT_RECRUITED).sum() == 40  # the sample fills, then it closes


def test_only_intervention_participants_are_offered_the_programme():
    p = CareSystemModel(config([*SMALL, "trial.sample_size=1000", "trial.recruitment_days=160", "horizon_days=260"]),
                        engine="numba").run().patients
    arm = p.trial_arm
    assert (arm == CONTROL).sum() > 20 and (arm == INTERVENTION).sum() > 20
    assert p.programme_contacts[arm != INTERVENTION].sum() == 0
    assert p.programme_contacts[arm == INTERVENTION].sum() > 0
    recruited = arm != NOT_RECRUITED
    # recruitment happens at an index event inside the window, after the burn-in
    assert ((p.trial_day[recruited] >= 30) & (p.trial_day[recruited] < 190)).all()
    # follow-up outcomes belong to participants only
    assert p.trial_admissions[~recruited].sum() == 0 and p.trial_bed_days[~recruited].sum() == 0


def test_odds_ratio_matches_a_hand_computed_two_by_two_table():
    # 29/100 readmitted with the programme, 38/100 without
    ratio, low, high, p = odds_ratio(29, 100, 38, 100)
    assert ratio == pytest.approx(29 * 62 / (71 * 38), rel=1e-12)
    se = math.sqrt(1 / 29 + 1 / 71 + 1 / 38 + 1 / 62)
    assert low == pytest.approx(ratio * math.exp(-1.959963984540054 * se), rel=1e-9)
    assert high == pytest.approx(ratio * math.exp(1.959963984540054 * se), rel=1e-9)
    assert p == pytest.approx(math.erfc(abs(math.log(ratio)) / se / math.sqrt(2)), rel=1e-9)
    # an empty cell: Haldane's correction keeps the ratio finite
    ratio, low, high, _ = odds_ratio(0, 50, 10, 50)
    assert ratio == pytest.approx(0.5 * 40.5 / (50.5 * 10.5))


def test_mean_difference_is_welch():
    diff, low, high = mean_difference(np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 2.0, 3.0]))
    assert diff == pytest.approx(2.5 - 7 / 3)
    assert low < diff < high


@pytest.mark.slow
def test_the_cli_reports_the_trial(tmp_path):
    run = subprocess.run([sys.executable, "-m", "sim", "program=self_management", "trial=core", "replications=3",
                          "population.n=3000", f"hydra.run.dir={tmp_path}"], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "simulated trials of 441 participants" in run.stdout and "power" in run.stdout
    trial = json.loads((tmp_path / "summary.json").read_text())["trial"]
    for key in ("control_rate", "intervention_rate", "odds_ratio", "or_ci_low", "or_ci_high", "power"):
        assert isinstance(trial[key], float), key
    assert trial["mean_participants_recruited"] == 441.0
    assert (tmp_path / "trial.png").exists() and (tmp_path / "manifest.json").exists()
    assert "readmission-free days in follow-up" in run.stdout


def test_readmission_free_time_is_the_follow_up_for_those_not_readmitted():
    model = CareSystemModel(config([*SMALL, "trial.sample_size=1000"]), engine="numba").run()
    p, follow_up = model.patients, 90

    def free_days(arm):
        gap = p.trial_readmission_gap[p.trial_arm == arm]
        readmitted = (gap >= 0) & (gap <= follow_up)
        # the first readmission inside the follow-up and the admission count agree on who was readmitted
        assert (readmitted == (p.trial_admissions[p.trial_arm == arm] > 0)).all()
        assert readmitted.any() and not readmitted.all()
        return np.where(readmitted, gap, follow_up)

    expected = free_days(INTERVENTION).mean() - free_days(CONTROL).mean()
    assert trial_outcomes(model)["readmission_free_days_difference"] == pytest.approx(expected)


@pytest.mark.parametrize("overrides, message", [
    (["program=crisis_respite", "trial=core"], "cannot emulate a programme entered at a crisis"),
    (["program=usual_care", "trial=core"], "a trial needs a programme with peer workers"),
    (["program=self_management", "trial=core", "horizon_days=500"],
     "trial.recruitment_days + trial.follow_up_days = 730: must fit in horizon_days = 500"),
    (["program=self_management", "trial=core", "trial.sample_size=null"], "trial.sample_size = null"),
])
def test_a_bad_trial_design_is_named(overrides, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        config(overrides)
