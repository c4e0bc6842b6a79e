"""The committed studies: each composes, its results are committed, and `python -m sim.reproduce`
re-runs it from its manifest to identical numbers."""

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.cli.decision import main as decide_main
from sim.cli.preflight import check_command_line
from sim.cli.reproduce import differences
from sim.cli.reproduce import main as reproduce_main
from sim.cli.study import load_study, study_config
from sim.outputs.decision import BUDGET_FILES, DECISION_FILES
from sim.outputs.records import RECORD_FILES

from .test_environment import pins

ROOT = Path(__file__).resolve().parents[1]
STUDIES = sorted((ROOT / "experiments").glob("*.yaml"))


@pytest.mark.parametrize("path", STUDIES, ids=[p.stem for p in STUDIES])
def test_study_is_valid_and_its_results_are_committed(path):
    study = load_study(path)
    study_config(study)
    spec = study.model_dump(exclude_unset=True)
    results = ROOT / "results" / path.stem
    if "sensitivity" in spec:
        study = json.loads((results / "study.json").read_text())
        assert study["question"] == spec["question"] and study["sensitivity"] == spec["sensitivity"]
        names = ["manifest.json", "points.csv", "indices.csv", "sensitivity.png"]
        assert len(pd.read_csv(results / "points.csv")) == study["points"]
    elif "deterministic" in spec:
        study = json.loads((results / "study.json").read_text())
        assert study["question"] == spec["question"] and study["deterministic"] == spec["deterministic"]
        names = ["manifest.json", "evaluations.csv"]
        for part, files in {"one_way": ["one_way.csv", "tornado.png"], "thresholds": ["thresholds.csv"],
                            "two_way": ["two_way.csv", "two_way.png"]}.items():
            names += files if part in spec["deterministic"] else []
    elif "sweep" in spec:
        check_command_line(["-m", *spec["overrides"], *spec["sweep"]])
        study = json.loads((results / "study.json").read_text())
        assert study["question"] == spec["question"] and study["sweep"] == spec["sweep"]
        names = ["manifest.json", "sweep.csv", "sweep.parquet", "sweep_effects.png", "sweep_acceptability.png",
                 "sweep_survival.png", "sweep_occupancy.png"]
        names += [f"{point['job']}/{name}" for point in study["points"] for name in ("manifest.json", "summary.json")]
        if "decision" in spec:
            names += [*DECISION_FILES, *(BUDGET_FILES if "budget_impact" in spec["decision"] else ())]
        if "records=patients" in [o.split("#")[0].strip() for o in spec["overrides"]]:
            names += [f"{point['job']}/{name}" for point in study["points"] for name in RECORD_FILES]
    else:
        summary = json.loads((results / "summary.json").read_text())
        assert summary["question"] == spec["question"] and summary["overrides"] == spec["overrides"]
        names = ["manifest.json", "replications.csv"]
        names += (["trial.png"] if "trial" in summary else
                  ["readmission.png", "cost_effectiveness.png", "survival.png", "occupancy.png"])
    for name in names:
        assert (results / name).exists(), name


RUNS_SAID = re.compile(r"(?:(?P<draws>\d+) (?:parameter |posterior )?draws x )?"
                       r"(?P<replications>\d+) (?:paired )?replications")


@pytest.mark.parametrize("path", STUDIES, ids=[p.stem for p in STUDIES])
def test_a_study_says_the_runs_it_is_configured_with(path):
    """Every "D draws x R paired replications" or "R paired replications" in a study's question and why is what
    its config runs (a study's text goes into its committed summary)."""
    study = load_study(path)
    cfg, _ = study_config(study)
    for m in RUNS_SAID.finditer(" ".join(f"{study.question} {study.why}".split())):
        said = (int(m["draws"]) if m["draws"] else None, int(m["replications"]))
        configured = (cfg.psa.draws if m["draws"] else None, cfg.replications)
        assert said == configured, f"{path.name}: {m.group(0)!r}, configured {configured}"


def test_a_study_whose_text_miscounts_its_runs_is_caught():
    text = "10,000 patients, 20 paired replications, discharge support"
    assert [int(m["replications"]) for m in RUNS_SAID.finditer(text)] == [20]
    text = "16 parameter draws x 2 paired replications"
    assert [(m["draws"], m["replications"]) for m in RUNS_SAID.finditer(text)] == [("16", "2")]


def test_every_programme_is_paired_with_the_same_usual_care_arm():
    """Common random numbers across a sweep: only the programme differs, so usual care is identical."""
    table = pd.read_csv(ROOT / "results" / "all_programmes" / "sweep.csv", dtype={"job": str})
    usual = table[table.arm == "usual_care"].drop(columns=["job", "program", "verdict", "economic_verdict",
                                                                "economic_probability"])
    assert len(usual) == 6 and (usual.nunique(dropna=False) == 1).all()
    programmes = table[table.arm != "usual_care"]
    assert sorted(programmes.arm) == sorted(p.stem for p in (ROOT / "conf" / "program").glob("*.yaml")
                                            if p.stem not in ("usual_care", "_base_"))


@pytest.mark.parametrize("path", STUDIES, ids=[p.stem for p in STUDIES])
def test_reproduce_gives_identical_numbers_for_every_committed_study(path, capsys):
    """Every job of every study; for a sensitivity or deterministic study, its first, middle and last points; for a
    decision study (thousands of runs) or a sweep of more than 64 runs a job, each job's first, middle and last
    runs."""
    extra = []
    spec = load_study(path).model_dump(exclude_unset=True)
    if "sensitivity" in spec or "deterministic" in spec:
        table = "points.csv" if "sensitivity" in spec else "evaluations.csv"
        n = len(pd.read_csv(ROOT / "results" / path.stem / table))
        extra = ["--points", f"0,{n // 2},{n - 1}"]
    if "sweep" in spec:
        config = json.loads((ROOT / "results" / path.stem / "0" / "manifest.json").read_text())["config"]
        n = config["psa"]["draws"] * config["replications"]
        if "decision" in spec or n > 64:
            extra = ["--runs", f"0,{n // 2},{n - 1}"]
    with pytest.raises(SystemExit) as done:
        reproduce_main([str(ROOT / "results" / path.stem), *extra])
    assert done.value.code == 0, capsys.readouterr().out
    assert "identical" in capsys.readouterr().out


@pytest.mark.parametrize("path", [p for p in STUDIES if load_study(p).decision is not None],
                         ids=lambda p: p.stem)
def test_a_decision_study_recomputes_to_its_committed_tables(path, capsys):
    """The decision analysis is a function of the jobs' committed tables: computed again, the same bytes."""
    assert decide_main([str(ROOT / "results" / path.stem), "--check"]) == 0, capsys.readouterr()


def test_every_committed_result_comes_from_a_clean_commit_under_the_lock():
    """Each manifest of results/ (studies and their jobs): made from a clean commit, with the versions that
    constraints.txt pins for its Python."""
    manifests = sorted((ROOT / "results").glob("**/manifest.json"))
    assert manifests
    for path in manifests:
        manifest = json.loads(path.read_text())
        where = path.relative_to(ROOT)
        assert manifest["git_clean"] is True and not manifest["git_commit"].endswith("-dirty"), where
        pinned = pins(manifest["python"])
        for name, version in manifest["packages"].items():
            if name != "peer-support-sim":
                assert pinned[name.lower()] == version, f"{where}: {name} {version}, pinned {pinned[name.lower()]}"


def test_reproduce_reports_a_changed_number_and_fails(tmp_path, capsys):
    copy = tmp_path / "tampered"
    shutil.copytree(ROOT / "results" / "targeted_mentoring", copy)
    table = pd.read_csv(copy / "replications.csv")
    table.loc[3, "readmission_30"] += 1e-9
    table.to_csv(copy / "replications.csv", index=False)
    with pytest.raises(SystemExit) as done:
        reproduce_main([str(copy)])
    out = capsys.readouterr().out
    assert done.value.code == 1 and "DIFFERENT, 1 of" in out and "readmission_30" in out


def test_differences_are_found_number_by_number():
    a = pd.DataFrame({"replication": [0, 0], "arm": ["x", "y"], "v": [1.0, float("nan")]})
    assert differences(a, a.copy()) == (6, [])
    b = a.copy()
    b.loc[0, "v"] = 2.0
    compared, found = differences(a, b)
    assert compared == 6 and len(found) == 1 and "committed 1.0, re-run 2.0" in found[0]


def test_reproduce_re_runs_only_the_runs_asked_for(capsys):
    """A run is a function of the config and its number: one run of a study re-runs to its committed row."""
    with pytest.raises(SystemExit) as done:
        reproduce_main([str(ROOT / "results" / "targeted_mentoring"), "--runs", "3"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and "identical, all 142 numbers" in out, out
