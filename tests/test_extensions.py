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


class _Worsening:
    """An extension that writes a column other than hope and engagement: every 20 days, 50 patients' severity
    goes to 1 (a higher hazard than the Numba engine's bound for them). It says so with `model.changed`."""

    @staticmethod
    def end_of_day(model, params, day):
        if day % 20 == 0:
            who = np.random.default_rng(day).choice(model.patients.state.size, 50, replace=False)
            model.patients.severity[who] = 1.0
            model.changed(who)
        return 0.0


def test_an_extension_writing_any_column_runs_identically_in_both_engines():
    """The Numba engine keeps each patient's relapse bound and its list of busy patients from one day to the
    next; patients an extension says it changed are looked at again, so both engines still agree."""
    cfg = make_cfg(*BASE)
    runs = []
    for engine in ("numba", "mesa"):
        model = CareSystemModel(cfg, engine=engine)
        model.extension = (_Worsening, None)
        runs.append(model.run())
    fast, reference = runs
    np.testing.assert_array_equal(fast.events, reference.events)
    for name in fast.patients._fields:
        np.testing.assert_array_equal(getattr(fast.patients, name), getattr(reference.patients, name), err_msg=name)
