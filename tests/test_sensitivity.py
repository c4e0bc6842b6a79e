"""Global sensitivity analysis: SALib samples, points run as one Hydra multirun, indices read back.

A parameter that only prices the results (the bed-day cost) cannot change the
simulated readmission effect: its Morris elementary effects on that output are
exactly zero. Uptake changes who gets a peer worker, so it moves both outputs.
"""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.cli.reproduce import result_folders

ROOT = Path(__file__).resolve().parents[1]
STUDY = {
    "question": "test", "why": "test",
    "overrides": ["population.n=800", "psa=none", "replications=2", "burn_in_days=30", "horizon_days=200",
                  "primary_outcome=readmission_90", "contact.hope_gain=0.3"],
    "sensitivity": {"method": "morris", "samples": 2, "seed": 5,
                    "parameters": {"program.uptake": [0.1, 0.9], "costs.bed_day": [300.0, 600.0]}},
}


def run_study(tmp_path, spec):
    path = tmp_path / "gsa.yaml"
    path.write_text(yaml.safe_dump(spec))
    return subprocess.run([sys.executable, "-m", "sim.study", str(path), "--out", str(tmp_path / "out")], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_morris_screening_through_the_launcher(tmp_path):
    run = run_study(tmp_path, STUDY)
    assert run.returncode == 0, run.stderr[-3000:]
    out = tmp_path / "out"
    points = pd.read_csv(out / "points.csv")
    assert len(points) == 2 * (2 + 1)  # Morris: trajectories x (parameters + 1)
    indices = pd.read_csv(out / "indices.csv").set_index(["output", "parameter"])
    assert indices.loc[("effect", "costs.bed_day"), "mu_star"] == 0.0
    assert indices.loc[("effect", "program.uptake"), "mu_star"] > 0.0
    assert indices.loc[("incremental_cost", "program.uptake"), "mu_star"] > 0.0
    # each point's values reached its job: the manifest holds the sampled values
    jobs = result_folders(out / "jobs")
    assert len(jobs) == len(points)
    for job in jobs:
        config = json.loads((job / "manifest.json").read_text())["config"]
        point = yaml.safe_load((job / ".hydra" / "overrides.yaml").read_text())[-1].split("=")[1]
        row = points.loc[int(point[1:])]
        assert (config["program"]["uptake"], config["costs"]["bed_day"]) == (row["program.uptake"],
                                                                             row["costs.bed_day"])
    assert (out / "sensitivity.png").read_bytes()[:4] == b"\x89PNG" and (out / "manifest.json").exists()


@pytest.mark.parametrize("change, message", [
    ({"method": "fast"}, "sensitivity.method = 'fast': Input should be 'sobol' or 'morris'"),
    ({"samples": 1}, "sensitivity.samples = 1: Input should be greater than or equal to 2"),
    ({"parameters": {"program.uptake": [0.9, 0.1], "costs.bed_day": [300.0, 600.0]}},
     "sensitivity.parameters: program.uptake = [0.9, 0.1]: must be [low, high] with low < high"),
    ({"parameters": {"program.uptak": [0.1, 0.9], "costs.bed_day": [300.0, 600.0]}},
     "sensitivity.parameters.program.uptak: not a real-valued config key"),
    ({"parameters": {"program.uptake": [0.1, 1.5], "costs.bed_day": [300.0, 600.0]}},
     "sensitivity.parameters.program.uptake = [0.1, 1.5]: program.uptake = 1.5: must be in [0.0, 1.0]"),
])
@pytest.mark.slow
def test_a_bad_sensitivity_block_stops_before_any_job(tmp_path, change, message):
    spec = {**STUDY, "sensitivity": {**STUDY["sensitivity"], **change}}
    run = run_study(tmp_path, spec)
    assert run.returncode == 2 and message in run.stderr and run.stderr.count("\n") == 1, run.stderr[-2000:]
    assert not (tmp_path / "out" / "jobs").exists()
