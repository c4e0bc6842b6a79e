"""The committed studies: each composes, and re-running it reproduces its committed results exactly."""

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.study import load_study, main, study_config

ROOT = Path(__file__).resolve().parents[1]
STUDIES = sorted((ROOT / "experiments").glob("*.yaml"))


@pytest.mark.parametrize("path", STUDIES, ids=[p.stem for p in STUDIES])
def test_study_is_valid_and_its_results_are_committed(path):
    spec = load_study(path)
    study_config(spec)
    results = ROOT / "results" / path.stem
    summary = json.loads((results / "summary.json").read_text())
    assert summary["question"] == spec["question"] and summary["overrides"] == spec["overrides"]
    assert (results / "manifest.json").exists() and (results / "readmission.png").exists()


@pytest.mark.parametrize("path", STUDIES, ids=[p.stem for p in STUDIES])
def test_rerunning_a_study_reproduces_its_committed_table(path, tmp_path):
    main([str(path), "--out", str(tmp_path)])
    committed = pd.read_csv(ROOT / "results" / path.stem / "replications.csv")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "replications.csv"), committed)


def test_the_two_studies_reach_opposite_verdicts():
    verdicts = {p.stem: json.loads((ROOT / "results" / p.stem / "summary.json").read_text())["verdict"]
                for p in STUDIES}
    assert verdicts["targeted_mentoring"] == "lowers readmissions"
    assert verdicts["broad_low_fidelity"] != "lowers readmissions"
