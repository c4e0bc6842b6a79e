"""An emulated randomised trial inside one care system: both engines agree, only intervention participants
are offered the programme, the analysis matches hand-computed numbers, and the CLI reports it."""

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

from sim.analysis import exact
from sim.analysis.trials import arm_row, km_median, mean_difference, odds_ratio, pooled_arm
from sim.config.schema import validate
from sim.engines.model import CareSystemModel
from sim.errors import ConfigError
from sim.experiment.replications import run_experiment
from sim.experiment.trial import trial_outcomes
from sim.model.columns import CONTROL, INTERVENTION, NOT_RECRUITED
from sim.outputs.atomic import write_json
from sim.outputs.summary import format_summary, summarise
from sim.paths import CONF

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["population.n=600", "psa=none", "burn_in_days=30", "horizon_days=200", "primary_outcome=readmission_30",
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
    run = subprocess.run([sys.executable, "-m", "sim", "program=self_management", "trial=core", "psa=none",
                          "replications=3", "population.n=3000", f"hydra.run.dir={tmp_path}"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "simulated trials of 441 participants" in run.stdout and "power" in run.stdout
    trial = json.loads((tmp_path / "summary.json").read_text())["trial"]
    for key in ("control_rate", "intervention_rate", "odds_ratio", "or_ci_low", "or_ci_high", "power"):
        assert isinstance(trial[key], float), key
    assert trial["mean_participants_recruited"] == 441.0
    arms = trial["arms"]
    assert arms["control"]["participants"] + arms["intervention"]["participants"] == 3 * 441
    assert "per arm, 3 trials pooled" in run.stdout and "bed-days per participant, mean (SD)" in run.stdout
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


def test_an_arms_row_matches_a_hand_computed_table():
    # five participants, 100-day follow-up: three readmitted (first on days 10, 3, 40), one only after it
    admissions, bed_days = np.array([0, 1, 3, 0, 2]), np.array([0, 5, 20, 0, 9])
    row = arm_row(admissions, bed_days, np.array([-1, 10, 3, 400, 40]), follow_up=100)
    assert (row["n"], row["readmitted"], row["rate"], row["censored"]) == (5, 3, 3 / 5, 2)
    assert (row["admissions"], row["admissions_mean"]) == (6, 1.2)
    assert row["admissions_sd"] == pytest.approx(math.sqrt(6.8 / 4), rel=1e-15)  # squares 1.44+.04+3.24+1.44+.64
    assert (row["bed_days"], row["bed_days_mean"]) == (34, 6.8)
    assert row["bed_days_sd"] == pytest.approx(math.sqrt(274.8 / 4), rel=1e-15)
    # the reported numbers are exact.py's, to the bit
    assert row["bed_days_mean"] == exact.mean(bed_days) and row["bed_days_sd"] == exact.std(bed_days)
    assert row["median_days_to_readmission"] == 40.0  # S = 0.8, 0.6, 0.4 after days 3, 10, 40


def test_the_kaplan_meier_median_is_the_day_half_are_readmitted_or_not_reached():
    censored_at_90 = np.array([90, 90])
    assert km_median(np.array([5, 8, *censored_at_90]), np.array([True, True, False, False]), 90) == 8.0  # 1/2
    assert math.isnan(km_median(np.array([5, 90, *censored_at_90]), np.array([True, False, False, False]), 90))
    assert math.isnan(km_median(np.array([], int), np.array([], bool), 90))


def arms_table(trials, follow_up=100):
    """A results table of the control arm only, one row per trial, from each trial's per-patient columns."""
    rows = []
    for admissions, bed_days, gap in trials:
        row = arm_row(np.array(admissions), np.array(bed_days), np.array(gap), follow_up)
        rows.append({"n_control": row.pop("n"), **{f"control_{key}": value for key, value in row.items()}})
    return pd.DataFrame(rows)


def test_pooled_arms_are_all_trials_participants_together():
    trials = [([0, 1, 3, 0, 2], [0, 5, 20, 0, 9], [-1, 10, 3, 400, 40]),
              ([2], [30], [7]),  # a one-participant arm has no SD of its own
              ([], [], []),  # nobody recruited to this arm
              ([1, 0, 0, 4], [3, 0, 0, 41], [70, -1, -1, 2])]
    pooled = pooled_arm(arms_table(trials), "control")
    everyone = {k: np.concatenate([np.array(t[i], float) for t in trials]) for i, k in enumerate(("adm", "bed", "gap"))}
    assert pooled["participants"] == 10 and pooled["readmitted"] == 6 and pooled["censored"] == 4
    assert pooled["readmitted_share"] == 6 / 10 and pooled["censored_share"] == 4 / 10
    assert pooled["admissions_mean"] == exact.mean(everyone["adm"])  # integer totals: exact, to the bit
    assert pooled["bed_days_mean"] == exact.mean(everyone["bed"])
    assert pooled["admissions_sd"] == pytest.approx(exact.std(everyone["adm"]), rel=1e-14)
    assert pooled["bed_days_sd"] == pytest.approx(exact.std(everyone["bed"]), rel=1e-14)
    # medians 40, 7, not reached (empty), 70 in the trials: the median over trials counts "not reached" as longest
    assert (pooled["median_days_to_readmission"], pooled["trials_median_reached"]) == ((40 + 70) / 2, 3)
    # per trial: the mean over trials of each trial's own numbers (a trial with no participants has no rate)
    assert pooled["per_trial"]["participants"] == 10 / 4
    assert pooled["per_trial"]["readmitted_share"] == exact.mean([3 / 5, 1, 2 / 4])


def test_the_summary_and_the_screen_show_each_arms_table(tmp_path):
    cfg = config([*SMALL, "replications=2"])
    table = run_experiment(cfg, progress=False)
    summary = summarise(cfg, table)
    arms = summary["trial"]["arms"]
    recruited = table["participants"].sum()  # up to 2 x 40: a trial may close before it fills
    assert arms["control"]["participants"] + arms["intervention"]["participants"] == recruited
    assert 60 < recruited <= 80
    for name, arm in arms.items():
        assert arm["readmitted_share"] == arm["readmitted"] / arm["participants"]
        assert arm["readmitted"] + arm["censored"] == arm["participants"]  # everyone followed to the end
        assert arm["per_trial"]["readmitted_share"] == exact.mean(table[f"{name}_rate"])
    write_json(tmp_path / "summary.json", summary)
    written = json.loads((tmp_path / "summary.json").read_text())["trial"]["arms"]
    for arm in written.values():
        assert {"participants", "readmitted", "readmitted_share", "admissions_mean", "admissions_sd",
                "bed_days_mean", "bed_days_sd", "median_days_to_readmission", "censored_share",
                "per_trial"} <= set(arm)
    text = format_summary(summary)
    c = arms["control"]
    assert re.search(r"per arm, 2 trials pooled +control +intervention", text)
    assert re.search(rf"readmitted in follow-up, n \(%\) +{c['readmitted']} \({100 * c['readmitted_share']:.1f}%\)",
                     text)
    assert f"{c['bed_days_mean']:.1f} ({c['bed_days_sd']:.1f})" in text
    assert text.index("days to first readmission, median") < text.index("odds ratio")  # the table, then effects
    del summary["trial"]["arms"]  # a summary.json from before the table still prints
    assert "odds ratio" in format_summary(summary) and "per arm" not in format_summary(summary)


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
