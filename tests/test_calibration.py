"""Each setting's committed calibration fits that setting's own targets: a changed target without a new
calibration fails here. How well it fits is the calibration's finding, in its fitted-vs-target table, made
with it (docs/explanation/validation.md), not a range frozen in a test."""

import json

import pandas as pd
import pytest

from sim.calibration.settings import TRIAL_STATISTICS
from sim.paths import CHECKOUT, CONF

from .conftest import make_cfg

SETTINGS = sorted(p.stem for p in (CONF / "setting").glob("*.yaml"))


@pytest.mark.parametrize("name", SETTINGS)
def test_the_committed_calibration_fits_the_settings_own_targets(name):
    out = CHECKOUT / "results" / "calibration" / name
    manifest = json.loads((out / "manifest.json").read_text())["calibration"]
    targets = make_cfg(f"setting={name}").setting.targets
    fitted = manifest["fit"] == "all"
    expected = {k: v for k, v in targets.items() if fitted or k not in TRIAL_STATISTICS}
    assert manifest["targets"] == {k: dict(v) for k, v in expected.items()}
    table = pd.read_csv(out / "fitted_vs_target.csv")
    assert set(table["target"]) == set(expected)
    assert f"setting={name}" in manifest["model_overrides"]


@pytest.mark.parametrize("name", SETTINGS)
def test_the_psa_draws_from_the_settings_own_posterior(name):
    shipped = (CONF / "setting" / name / "posterior.csv").read_bytes()
    assert shipped == (CHECKOUT / "results" / "calibration" / name / "posterior.csv").read_bytes()
