"""The warm-up analysis: Welch's method and MSER-5 find where a known transient ends, leave a stationary
series alone and flag one still drifting; stepping a week at a time is the run itself; the tool writes
its files with the expected columns."""

import json
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.analysis.warmup import (
    SERIES,
    mser,
    mser_truncation,
    replication_mean,
    verdict,
    warmup,
    welch_smooth,
    welch_truncation,
)
from sim.experiment.replications import arm_models, drawn_config
from sim.model import events as ev
from sim.model.columns import COMMUNITY
from sim.paths import CONF
from sim.tools import warmup as tool

WEEKS = np.arange(104)
TAU = 8.0  # weeks: the transient's time constant


def replications(seed, curve, count=5, sd=0.2):
    """`count` noisy replications of a mean curve (independent normal noise each week)."""
    rng = np.random.default_rng(seed)
    return np.array([curve + rng.normal(0, sd, curve.size) for _ in range(count)])


def exponential(seed):
    """An exponential approach from 0 to a level of 10: the bias is 10 exp(-t / TAU)."""
    return replications(seed, 10 - 10 * np.exp(-WEEKS / TAU))


def test_welch_smooth_is_laws_moving_average():
    assert welch_smooth([1, 2, 3, 4, 5, 6, 7], 2) == [1, 2, 3, 4, 5]  # a line stays a line
    assert welch_smooth([0, 0, 0, 9, 0, 0, 0], 1) == [0, 0, 3, 3, 3, 0]  # 2i-1 weeks near the start, then 3
    assert welch_smooth([1, math.nan, 3, 5], 1) == [1, 2, 4]  # an empty week is left out of its windows


def test_welch_finds_the_end_of_an_exponential_transient():
    """The band is 2% of the transient (the noise allowance is narrower here): the bias 10 exp(-t / 8) falls
    inside 0.2 at t = 8 ln 50 = 31.3 weeks; smoothing lags a little behind a convex curve."""
    found = [welch_truncation(exponential(seed), 5, 0.02) for seed in range(10)]
    assert all(settled for _, settled, _ in found)
    assert all(29 <= weeks <= 38 for weeks, _, _ in found), [w for w, _, _ in found]
    assert all(abs(level - 10) < 0.05 for _, _, level in found)


def test_mser5_finds_the_end_of_an_exponential_transient():
    """MSER-5 truncates where the bias falls to about the noise of a batch mean (0.2 / sqrt(25) = 0.04:
    t = 8 ln(10 / 0.04) = 44 weeks), in whole batches of 5 weeks; never before the bias is small."""
    found = [mser_truncation(replication_mean(exponential(seed))) for seed in range(10)]
    weeks = sorted(w for w, _ in found)
    assert all(30 <= w <= 50 for w in weeks), weeks
    assert 35 <= weeks[len(weeks) // 2] <= 45


def test_a_stationary_series_is_not_truncated():
    """No transient: both rules keep (nearly) every week; MSER-5 is known to truncate now and then on
    stationary data (White, Cobb & Spratt 2000), so it is held to most series rather than all."""
    series = [replications(100 + seed, np.full(WEEKS.size, 10.0)) for seed in range(20)]
    welch = [welch_truncation(x, 5, 0.02)[0] for x in series]
    batches = [mser_truncation(replication_mean(x))[0] for x in series]
    assert sum(w == 0 for w in welch) >= 18, welch
    assert np.median(batches) == 0 and sum(b <= 10 for b in batches) >= 14, batches


def test_a_series_still_drifting_at_the_end_is_not_settled():
    ramp = replications(7, 0.05 * WEEKS)
    result = warmup(ramp, 5, 0.02)
    assert result["settled"] is False and not result["welch_settled"] and not result["mser5_settled"]
    assert verdict({"arm": {"ramp": result}}, burn_in_days=10_000)["burn_in_covers"] is False


def test_mser_is_the_marginal_standard_error_of_the_batch_means():
    series = [3.0] * 5 + [1.0] * 5 + [2.0] * 5  # batch means 3, 1, 2
    assert mser(series) == [2 / 9, 0.5 / 4]  # d = 0: squared deviations 1 + 1 + 0 over 3^2; d = 1: 0.5 over 2^2
    assert mser([4.0] * 20) == [0.0, 0.0, 0.0]


def test_verdict_covers_only_a_burn_in_at_least_the_longest_settled_warm_up():
    results = {"a": {"x": warmup(exponential(0), 5, 0.02)}, "b": {"y": warmup(np.full((3, 104), math.nan), 5, 0.02)}}
    longest = results["a"]["x"]["warmup_days"]
    assert results["b"]["y"]["warmup_days"] is None  # no values (usual care's burnout): not counted
    assert verdict(results, longest)["burn_in_covers"] and not verdict(results, longest - 1)["burn_in_covers"]
    assert verdict(results, longest)["longest_series"] == "x"


def test_replication_means_are_correctly_rounded_and_skip_empty_weeks():
    assert replication_mean([[0.1, 1.0], [0.2, math.nan], [0.3, 3.0]]) == [math.fsum([0.1, 0.2, 0.3]) / 3, 2.0]
    assert math.isnan(replication_mean([[math.nan], [math.nan]])[0])


SMALL = ["population.n=300", "primary_outcome=readmission_30"]


def test_weekly_steps_record_what_a_whole_run_records():
    """Stepping a week at a time and reading the model leaves the run as it was: the weeks' admissions add
    up to the whole run's, and the last week's cohort is the whole run's final cohort."""
    _, run = tool.run_config(SMALL, replications=1, weeks=16)
    observed = tool.observe(run, 1, progress=False)
    assert set(observed) == {"usual_care", "discharge_support"}
    for arm, model in arm_models(drawn_config(run, 0)[0], 0).items():
        model.run()
        weekly = observed[arm]
        assert sum(weekly["admissions"][0]) == model.events[:, ev.ADMISSIONS].sum()
        since = model.day - model.patients.last_discharge_day.astype(np.int64)
        assert weekly["post_discharge_cohort"][0][-1] == np.count_nonzero(
            (model.patients.state == COMMUNITY) & (since <= 365))
    assert all(math.isnan(b) for b in observed["usual_care"]["peer_worker_burnout"][0])  # no workers
    assert all(0 <= b <= 1 for b in observed["discharge_support"]["peer_worker_burnout"][0])


def test_the_tool_writes_its_files(tmp_path, capsys):
    out = tmp_path / "warmup"
    summary = tool.main([*SMALL, "--replications", "2", "--weeks", "16", "--window", "2", "--out", str(out)])
    assert sorted(p.name for p in out.iterdir()) == sorted(tool.FILES)
    table = pd.read_csv(out / "weekly.csv")
    assert list(table.columns) == ["arm", "week", "day_end", *SERIES, *(f"{s}_welch" for s in SERIES)]
    assert len(table) == 2 * 16 and table["day_end"].max() == 16 * 7
    written = json.loads((out / "summary.json").read_text())
    configured = yaml.safe_load((CONF / "config.yaml").read_text())["burn_in_days"]
    assert written["verdict"]["burn_in_days"] == configured  # the configured burn-in, not the run's 0
    assert set(written["warmup"]) == {"usual_care", "discharge_support"}
    assert written["warmup"]["discharge_support"]["peer_worker_burnout"]["warmup_days"] is not None
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["burn_in_days"] == 0 and manifest["config"]["horizon_days"] == 16 * 7
    assert "Longest warm-up" in capsys.readouterr().out and summary["replications"] == 2


def test_bad_options_stop_with_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        tool.main([*SMALL, "--since", "no_such_day", "--out", str(tmp_path)])
    assert stop.value.code == 2 and "--since" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        tool.main([*SMALL, "--weeks", "16", "--window", "4", "--out", str(tmp_path)])
    assert stop.value.code == 2
    assert not any(tmp_path.iterdir())
