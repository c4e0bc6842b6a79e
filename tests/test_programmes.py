"""Every programme runs from the command line in both engines, and the engines agree on every count."""

import io
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from omegaconf import OmegaConf

from sim.config.schema import ConfigError, ProgramConfig, validate
from sim.engines.model import CareSystemModel
from sim.experiment.replications import run_experiment
from sim.model import events as ev

from .conftest import compose_raw, make_cfg

ROOT = Path(__file__).resolve().parents[1]
PROGRAMMES = sorted(p.stem for p in (ROOT / "conf" / "program").glob("*.yaml")
                    if p.stem not in ("usual_care", "_base_"))  # _base_: what every programme file extends
SMALL = ["population.n=150", "psa=none", "replications=2", "burn_in_days=0",
         "horizon_days=90", "primary_outcome=readmission_30"]


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


BASE = ROOT / "conf" / "program" / "_base_.yaml"
_KEY = re.compile(r"^(\w+):")


def test_the_base_holds_every_programme_key_in_schema_order_each_with_its_source():
    """Adding a key to the schema touches conf/program/_base_.yaml only: it lists every key, with a comment."""
    lines = [line for line in BASE.read_text().splitlines() if _KEY.match(line)]
    assert [_KEY.match(line)[1] for line in lines] == [f.name for f in fields(ProgramConfig)]
    assert all(re.search(r"\S\s+#\s*\S", line) for line in lines), "every default states its source or meaning"
    assert yaml.safe_load(BASE.read_text())["name"] == "???"  # each programme names itself


@pytest.mark.parametrize("programme", [*PROGRAMMES, "usual_care"])
def test_each_programme_file_extends_the_base_and_names_only_what_differs(programme):
    base = yaml.safe_load(BASE.read_text())
    own = yaml.safe_load((ROOT / "conf" / "program" / f"{programme}.yaml").read_text())
    assert own.pop("defaults") == ["_base_", "_self_"]
    assert own["name"] == programme
    assert not [key for key, value in own.items() if key != "name" and base[key] == value], "same as the base"
    cfg = OmegaConf.to_container(compose_raw(f"program={programme}").program)
    assert cfg == {**base, **own}  # the composed config: the base, then the file's own values


def test_the_base_is_not_a_programme_to_run():
    with pytest.raises(ConfigError, match=r"^program\.name = \?\?\?: .*program=_base_ is the base"):
        validate(compose_raw("program=_base_"))
