"""The extension point: a module plus a config file adds a rule that runs identically in both engines."""

import numpy as np
import pandas as pd
import pytest

from sim.engines.model import CareSystemModel
from sim.experiment.replications import run_replication

from .conftest import make_cfg

BASE = ("population.n=1500", "burn_in_days=30", "horizon_days=300", "primary_outcome=readmission_30")


@pytest.mark.slow
def test_worked_example_runs_identically_in_both_engines():
    cfg = make_cfg(*BASE, "extension=text_reminders")
    fast = CareSystemModel(cfg, engine="numba").run()
    reference = CareSystemModel(cfg, engine="mesa").run()
    np.testing.assert_array_equal(fast.events, reference.events)
    np.testing.assert_array_equal(fast.patients.engagement, reference.patients.engagement)
    np.testing.assert_array_equal(fast.extension_costs, reference.extension_costs)
    assert fast.extension_costs.sum() > 0


def test_reminders_raise_follow_up_and_cost_money():
    def arms(*extra):
        cfg = make_cfg(*BASE, "program=usual_care", *extra)
        cfg.program.name = "no_programme"  # compare usual care with itself: only the extension differs
        return pd.DataFrame(run_replication(cfg, 0)).set_index("arm").loc["usual_care"]

    plain, reminded = arms(), arms("extension=text_reminders", "extension.params.engagement_gain=0.2")
    assert reminded["followups_per_1000py"] > plain["followups_per_1000py"]
    assert reminded["cost_extension"] > 0 == plain["cost_extension"]
