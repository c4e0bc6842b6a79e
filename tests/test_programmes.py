"""Every programme runs from the command line in both engines, and the engines agree on every count."""

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.engines.model import CareSystemModel
from sim.experiment.replications import run_experiment
from sim.model import events as ev

from .conftest import make_cfg

ROOT = Path(__file__).resolve().parents[1]
PROGRAMMES = sorted(p.stem for p in (ROOT / "conf" / "program").glob("*.yaml") if p.stem != "usual_care")
SMALL = ["population.n=150", "replications=2", "burn_in_days=0", "horizon_days=90", "primary_outcome=readmission_30"]


def test_the_library_holds_every_programme_of_the_design():
    assert set(PROGRAMMES) == {"peer_mentoring", "self_management", "discharge_support", "intentional_peer_support",
                               "crisis_respite", "mutual_help"}


@pytest.mark.parametrize("programme", PROGRAMMES)
@pytest.mark.slow
def test_programme_runs_from_the_cli_in_both_engines_with_identical_counts(programme, tmp_path):
    """The CLI with engine=mesa gives the table the Numba engine gives for the same config."""
    out = tmp_path / "mesa"
    run = subprocess.run([sys.executable, "-m", "sim", f"program={programme}", "engine=mesa", *SMALL,
                          f"hydra.run.dir={out}"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    fast = run_experiment(make_cfg(f"program={programme}", "engine=numba", *SMALL), progress=False)
    pd.testing.assert_frame_equal(pd.read_csv(out / "replications.csv"),
                                  pd.read_csv(io.StringIO(fast.to_csv(index=False))))


@pytest.mark.parametrize("programme", PROGRAMMES)
def test_engines_agree_on_every_event_and_column_for_a_year(programme):
    cfg = make_cfg("population.n=500", "burn_in_days=0", "horizon_days=365", "primary_outcome=readmission_30",
                   f"program={programme}", "workforce.quit_per_day=0.005")
    fast = CareSystemModel(cfg, engine="numba").run()
    reference = CareSystemModel(cfg, engine="mesa").run()
    assert fast.events[:, ev.ENROLMENTS].sum() + fast.events[:, ev.RESPITE_STAYS].sum() > 0
    assert fast.events[:, ev.HIRES].sum() > 0
    np.testing.assert_array_equal(fast.events, reference.events)
    for table in ("patients", "workers"):
        for name in getattr(fast, table)._fields:
            np.testing.assert_array_equal(getattr(getattr(fast, table), name),
                                          getattr(getattr(reference, table), name), err_msg=f"{table}.{name}")
