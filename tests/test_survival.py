"""Per-patient outcomes from the index discharge, and the Kaplan-Meier curve of time to first readmission."""

from types import SimpleNamespace

import numpy as np
import pytest

from sim.analysis.outcomes import arm_outcomes
from sim.analysis.survival import kaplan_meier, per_patient_readmission
from sim.engines.model import CareSystemModel
from sim.experiment.replications import usual_care_of
from sim.model.columns import NEVER

from .conftest import make_cfg


def test_kaplan_meier_by_hand():
    time = np.array([2, 3, 3, 5])
    event = np.array([True, True, False, True])
    curve = kaplan_meier(time, event, days=6)
    # at risk 4 at day 2 (1 event), 3 at day 3 (1 event, 1 censored), 1 at day 5 (1 event)
    assert list(curve) == pytest.approx([1, 1, 0.75, 0.5, 0.5, 0.0, 0.0])


def test_per_patient_rates_count_only_patients_followed_for_the_window():
    patients = SimpleNamespace(
        index_discharge_day=np.array([0, 10, 100, NEVER, 380], np.int32),
        index_readmission_gap=np.array([5, 40, -1, -1, 3], np.int32),
    )
    rates = per_patient_readmission(patients, n_days=400)
    # 30 days: followed are days 0, 10, 100 (380 + 30 > 399): readmitted within 30: only the first
    assert rates["patient_readmission_30"] == pytest.approx(1 / 3)
    # 90 days: the same three; readmitted within 90: the first two
    assert rates["patient_readmission_90"] == pytest.approx(2 / 3)
    # 365 days: only the patient discharged on day 0 is followed that long
    assert rates["patient_readmission_365"] == pytest.approx(1.0)


@pytest.mark.xfail(strict=True, reason="a finding of the English setting: the gap is 1.9 points (0.310 per discharge "
                   "against 0.291 per participant), below the 2 points claimed; strict, so a model that restores "
                   "it fails here and the claim is looked at again (docs/explanation/validation.md)")
def test_frequent_readmitters_make_the_per_discharge_rate_higher():
    """The per-discharge 1-year rate runs above the per-participant one."""
    cfg = make_cfg("population.n=4000", "burn_in_days=90", "horizon_days=730")
    row = arm_outcomes(CareSystemModel(cfg, usual_care_of(cfg.program)).run())
    assert row["readmission_365"] > row["patient_readmission_365"] + 0.02
