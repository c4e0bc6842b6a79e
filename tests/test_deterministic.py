"""One-way, threshold and two-way analysis: the root-finding, the refused blocks, and a real study that resumes
and re-runs to the same numbers."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.analysis.decision.threshold import NoCrossing, crossing, one_way
from sim.cli.study import analysis_of
from sim.config.study import check_study
from sim.errors import ConfigError
from tests.conftest import make_cfg

ROOT = Path(__file__).resolve().parents[1]


def test_crossing_of_a_line_and_of_a_step():
    calls = []

    def line(x):
        calls.append(x)
        return 100.0 - 0.01 * x

    assert crossing(line, 0.0, 50_000.0) == pytest.approx(10_000.0, abs=50.0)
    assert len(calls) < 10
    assert abs(crossing(lambda x: 1.0 if x < 0.3 else -1.0, 0.0, 1.0) - 0.3) <= 1e-3  # a CRN step: to the tolerance
    with pytest.raises(NoCrossing, match="the same sign"):
        crossing(lambda x: 5.0 + x, 0.0, 1.0)


def test_tornado_rows_widest_first():
    rows = one_way(10.0, {"a": ((0.0, 1.0), (9.0, 11.0)), "b": ((0.0, 1.0), (-20.0, 30.0))})
    assert [r["parameter"] for r in rows] == ["b", "a"] and rows[0]["swing"] == 50.0


def _spec(block, overrides=("psa=none",)):
    return {"question": "q", "why": "w", "overrides": list(overrides), "deterministic": block}


@pytest.mark.parametrize(("block", "overrides", "message"), [
    ({"one_way": {"costs.bed_day": [300.0, 600.0]}}, (), "add psa=none"),
    ({"one_way": {"costs.nothing": [1.0, 2.0]}}, ("psa=none",), "costs.nothing: not a real-valued config key"),
    ({"one_way": {"costs.bed_day": [600.0, 300.0]}}, ("psa=none",), "must be \\[low, high\\] with low < high"),
    ({"thresholds": {"program.uptake": [0.0, 2.0]}}, ("psa=none",), "program.uptake"),
    ({"two_way": {"keys": ["program.uptake"], "ranges": [[0.1, 0.9]], "points": 3}}, ("psa=none",),
     "deterministic.two_way.keys = \\['program.uptake'\\]: List should have at least 2 items"),
    ({"tornado": {}}, ("psa=none",), "deterministic.tornado: unknown key \\(allowed: one_way, thresholds, two_way\\)"),
    ({"one_way": {"costs.bed_day": [300.0, math.inf]}}, ("psa=none",), "Input should be a finite number"),
])
def test_bad_blocks_are_refused(block, overrides, message):
    spec = _spec(block, overrides)
    with pytest.raises(ConfigError, match=message):
        analysis_of(check_study(spec, "study.yaml"), spec["overrides"], "study.yaml", make_cfg(*spec["overrides"]))


@pytest.mark.slow
def test_a_deterministic_study_end_to_end(tmp_path):
    study = tmp_path / "tiny_thresholds.yaml"
    study.write_text(yaml.safe_dump({
        "question": "Where does the decision change?", "why": "a test",
        "overrides": ["population.n=200", "psa=none", "replications=2", "burn_in_days=100", "horizon_days=200",
                      "primary_outcome=readmission_90", "jobs=1"],
        "deterministic": {"one_way": {"costs.bed_day": [300.0, 600.0], "program.uptake": [0.1, 0.9]},
                          "thresholds": {"costs.peer_worker_per_year": [0.0, 500000.0]},
                          "two_way": {"keys": ["program.uptake", "contact.hope_gain"],
                                      "ranges": [[0.2, 0.8], [0.2, 0.8]], "points": 2}}}))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sim.study", str(study), "--out", str(out)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    tornado = pd.read_csv(out / "one_way.csv")
    assert set(tornado["parameter"]) == {"costs.bed_day", "program.uptake"}
    (row,) = pd.read_csv(out / "thresholds.csv").to_dict("records")
    # the salary enters the cost linearly: the zero of the line through the bracket's two ends
    linear = row["bracket_high"] * row["nmb_at_low"] / (row["nmb_at_low"] - row["nmb_at_high"])
    assert row["threshold"] == pytest.approx(linear, abs=500.0)
    assert len(pd.read_csv(out / "two_way.csv")) == 4
    for figure in ("tornado", "two_way"):
        assert (out / f"{figure}.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((out / "manifest.json").read_text())["deterministic"]["two_way"]["points"] == 2
    # interrupted after the fact: the kept points make the second run evaluate nothing
    (out / "manifest.json").unlink()
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0 and "point {" not in again.stderr, again.stderr
    check = subprocess.run([sys.executable, "-m", "sim.reproduce", str(out), "--points", "0,3"], cwd=ROOT,
                           capture_output=True, text=True, timeout=900)
    assert check.returncode == 0 and "identical, all 8 numbers" in check.stdout, check.stdout + check.stderr
