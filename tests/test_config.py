"""Bad input is stopped before any work, with one line naming the key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.config.schema import ConfigError, validate

from .conftest import compose_raw

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("override, key", [
    ("program.uptake=1.5", "program.uptake"),
    ("care.beds_per_1000=-1", "care.beds_per_1000"),
    ("population.diagnosis_shares=[0.5,0.5,0.5]", "population.diagnosis_shares"),
    ("population.diagnosis_shares=[0.5,0.5]", "population.diagnosis_shares"),
    ("care.relapse_base_per_day=[0.001,nan,0.001]", "care.relapse_base_per_day"),
    ("network.mean_degree=7", "network.mean_degree"),
    ("engine=fortran", "engine"),
    ("replications=0", "replications"),
    ("costs.bed_day=inf", "costs.bed_day"),
])
def test_out_of_range_values_are_rejected_naming_the_key(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        validate(compose_raw(override))


def test_degree_must_be_below_population():
    with pytest.raises(ConfigError, match="network.mean_degree"):
        validate(compose_raw("population.n=10", "network.mean_degree=10"))


def test_primary_window_must_fit_the_horizon():
    with pytest.raises(ConfigError, match="horizon_days"):
        validate(compose_raw("horizon_days=200"))


def test_cli_bad_value_exits_2_with_one_line_and_writes_nothing(tmp_path):
    env = {**os.environ, "HYDRA_FULL_ERROR": "0"}
    run = subprocess.run([sys.executable, "-m", "sim", "program.uptake=2", f"hydra.run.dir={tmp_path}/run"],
                         cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2
    assert "program.uptake" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "run" / "summary.json").exists()
    assert not (tmp_path / "run" / "replications.csv").exists()


def test_cli_unknown_key_is_rejected(tmp_path):
    run = subprocess.run([sys.executable, "-m", "sim", "care.bedz=3", f"hydra.run.dir={tmp_path}/run"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "bedz" in run.stderr
    assert not (tmp_path / "run" / "summary.json").exists()


def test_cli_rejects_the_programme_base_in_one_line(tmp_path):
    """conf/program/_base_.yaml is listed as a `program=` option by Hydra, but it is not a programme."""
    env = {**os.environ, "HYDRA_FULL_ERROR": "0"}
    run = subprocess.run([sys.executable, "-m", "sim", "program=_base_", f"hydra.run.dir={tmp_path}/run"],
                         cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1 and "program=_base_ is the base" in run.stderr
    assert not (tmp_path / "run").exists()
