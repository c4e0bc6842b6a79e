"""The defaults reproduce the base rates they were calibrated to (docs/explanation/validation.md)."""

import pytest

from sim.analysis.outcomes import arm_outcomes
from sim.engines.model import CareSystemModel
from sim.experiment.replications import usual_care_of

from .conftest import make_cfg


@pytest.fixture(scope="module")
def usual_care():
    cfg = make_cfg()
    return arm_outcomes(CareSystemModel(cfg, usual_care_of(cfg.program)).run())


def test_usual_care_30_day_readmission_is_in_the_published_range(usual_care):
    # CIHI 2011: 11.4%; HCUP 2015: 15.0% mood, 22.4% schizophrenia
    assert 0.11 <= usual_care["readmission_30"] <= 0.15


def test_usual_care_one_year_readmission_is_in_the_published_range(usual_care):
    # O'Connell 2018: 40-60% (per participant; per discharge runs higher)
    assert 0.38 <= usual_care["readmission_365"] <= 0.60
