"""Each setting's committed calibration fits that setting's own targets (a changed target without a new
calibration fails here), and the defaults against the published ranges they were first checked against."""

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


# The published ranges the defaults were first checked against (before settings). Ontario's base rates are
# fitted to the North American figures and reproduce them; England's are fitted to English targets, and its
# usual care readmits less than these ranges: a finding (docs/explanation/validation.md), kept as strict
# expected failures so that a model which meets them again fails here and the claim is looked at again.
ENGLAND_BELOW = pytest.mark.xfail(strict=True, reason="a finding of the English setting: usual care readmits "
                                  "7.7% in 30 days and 32% in a year per discharge, below these published ranges")


@pytest.fixture(scope="module", params=["ontario", pytest.param("england", marks=ENGLAND_BELOW)])
def usual_care(request):
    from sim.analysis.outcomes import arm_outcomes
    from sim.engines.model import CareSystemModel
    from sim.experiment.replications import usual_care_of

    cfg = make_cfg(f"setting={request.param}")
    return arm_outcomes(CareSystemModel(cfg, usual_care_of(cfg.program)).run())


def test_usual_care_30_day_readmission_is_in_the_published_range(usual_care):
    # CIHI 2011: 11.4%; HCUP 2015: 15.0% mood, 22.4% schizophrenia
    assert 0.11 <= usual_care["readmission_30"] <= 0.15


def test_usual_care_one_year_readmission_is_in_the_published_range(usual_care):
    # O'Connell 2018: 40-60% (per participant; per discharge runs higher)
    assert 0.38 <= usual_care["readmission_365"] <= 0.60
