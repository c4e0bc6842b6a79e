"""Paired statistics (the verdict rule: tests/test_verdict.py)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.statistics import both_intervals, mean_ci, paired_effects
from sim.experiment.replications import run_replication


def test_mean_ci_matches_scipy_t_interval():
    x = np.array([1.0, 2.0, 4.0, 7.0, 11.0])
    got = mean_ci(x)
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert got["ci_low"] == pytest.approx(low) and got["ci_high"] == pytest.approx(high)
    assert got["p_value"] == pytest.approx(stats.ttest_1samp(x, 0.0).pvalue)


def test_identical_arms_give_a_zero_width_interval():
    assert mean_ci([0.0, 0.0, 0.0]) == {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0, "p_value": 1.0, "n": 3}


def test_one_value_has_no_interval():
    assert math.isnan(mean_ci([0.3])["ci_low"])


def test_paired_effects_use_per_replication_differences():
    table = pd.DataFrame({
        "replication": [0, 0, 1, 1, 2, 2, 3, 3],
        "arm": ["usual_care", "peer"] * 4,
        "y": [10.0, 9.0, 20.0, 19.1, 30.0, 28.9, 40.0, 39.0],
    })
    e = paired_effects(table, ["y"], "peer", "usual_care")["y"]
    assert e["mean"] == pytest.approx(-1.0)
    assert e["ci_high"] < 0  # the large between-replication spread cancels out in the pairs...
    unpaired = stats.ttest_ind(table.y[table.arm == "peer"], table.y[table.arm == "usual_care"])
    assert unpaired.pvalue > 0.5  # ...but swamps the same difference when the arms are compared unpaired


def test_pairing_on_common_random_numbers_narrows_the_interval():
    """The same replications, analysed paired (both arms on one seed) and unpaired (the programme arm on
    other seeds): pairing gives a much narrower CI for the same number of replications."""
    from .conftest import make_cfg

    cfg = make_cfg("population.n=2000", "burn_in_days=60", "horizon_days=300", "primary_outcome=readmission_30")
    reps = 6
    rows = pd.DataFrame([row for r in range(2 * reps) for row in run_replication(cfg, r)])
    usual = rows[(rows.arm == "usual_care") & (rows.replication < reps)].set_index("replication")
    paired_arm = rows[(rows.arm == cfg.program.name) & (rows.replication < reps)].set_index("replication")
    other_seeds = rows[(rows.arm == cfg.program.name) & (rows.replication >= reps)]
    other_seeds = other_seeds.assign(replication=other_seeds.replication - reps).set_index("replication")
    for metric in ("admissions_per_1000py", "bed_days_per_1000py"):
        paired = mean_ci(paired_arm[metric] - usual[metric])
        unpaired = mean_ci(other_seeds[metric] - usual[metric])
        assert paired["ci_high"] - paired["ci_low"] < 0.5 * (unpaired["ci_high"] - unpaired["ci_low"]), metric


def test_both_intervals_cluster_replications_by_draw_and_predict_over_draws():
    """Two replications of a draw are one cluster: counted as independent, six runs that repeat three draw means
    would give a CI too narrow by far. The prediction interval is the headline's kind, over draws."""
    draw_means = np.array([1.0, 2.0, 6.0])
    per_run = np.repeat(draw_means, 2)
    draws = np.repeat([0, 1, 2], 2)
    s = both_intervals(per_run, draws, parameter_uncertainty=True)
    sd = draw_means.std(ddof=1)
    t = stats.t.ppf(0.975, 2)
    assert s["mean"] == pytest.approx(3.0)
    assert s["mean_ci_high"] - s["mean"] == pytest.approx(t * sd / np.sqrt(3))
    assert s["prediction_high"] - s["mean"] == pytest.approx(t * sd * np.sqrt(1 + 1 / 3))
    naive = mean_ci(per_run)
    assert naive["ci_high"] - naive["ci_low"] < s["mean_ci_high"] - s["mean_ci_low"]
    alone = both_intervals(per_run, np.arange(6), parameter_uncertainty=False)
    assert alone["mean_ci_low"] == pytest.approx(naive["ci_low"]) and np.isnan(alone["prediction_low"])
