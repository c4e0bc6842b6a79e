"""`python -m sim.tools.structural` re-runs a committed result under the other network structure faithfully:
the same structure and posterior give the committed answer exactly; the alternative runs with its own spillover
and posterior; a result without a posterior is listed, not run; a missing alternative posterior is refused."""

import dataclasses
import json
import shutil

import pandas as pd
import pytest

from sim.analysis.decision.decide import DecisionSettings, decide
from sim.analysis.decision.options import gather_options
from sim.experiment.replications import COMPARATOR, run_experiment
from sim.outputs.atomic import write_json
from sim.outputs.manifest import manifest
from sim.outputs.summary import summarise
from sim.tools.structural import NOT_COMPARED, _settings, alternative, compare, decision_rows, main
from tests.conftest import make_cfg

# Two calibrations of different structures: the alternative's particles sit elsewhere.
DEFAULT = pd.DataFrame({"care.hope_log_hr": [2.0, 2.6], "contact.hope_gain": [0.3, 0.6], "weight": [0.5, 0.5]})
SPILLOVER = pd.DataFrame({"care.hope_log_hr": [1.2, 1.5], "contact.hope_gain": [0.8, 0.95], "weight": [0.4, 0.6]})
TINY = ("population.n=300", "burn_in_days=30", "horizon_days=200", "psa=none", "psa.draws=2", "replications=1",
        "primary_outcome=readmission_30")


def _posterior(folder, particles):
    folder.mkdir(parents=True)
    particles.to_csv(folder / "posterior.csv", index_label="particle")
    write_json(folder / "posterior.json", {"program": "self_management"})
    return str(folder / "posterior.csv")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """A checkout's results/: one committed comparison drawing from the default posterior, and a copy of it
    whose manifest has no posterior (an uncalibrated result)."""
    root = tmp_path_factory.mktemp("structural")
    default = _posterior(root / "calibration", DEFAULT)
    _posterior(root / "calibration" / "spillover", SPILLOVER)
    cfg = make_cfg(*TINY, f"psa.posterior={default}")
    table = run_experiment(cfg, progress=False)
    job = root / "results" / "study"
    job.mkdir(parents=True)
    table.to_csv(job / "replications.csv", index=False)
    write_json(job / "summary.json", summarise(cfg, table))
    write_json(job / "manifest.json", manifest(cfg, 0.0))
    plain = root / "results" / "uncalibrated"
    shutil.copytree(job, plain)
    record = json.loads((plain / "manifest.json").read_text())
    record["config"]["psa"].update(posterior=None, draws=1)
    record["config"]["replications"] = 2
    write_json(plain / "manifest.json", record)
    return root


def test_the_alternative_changes_only_the_spillover_and_the_posterior(root):
    cfg = make_cfg(*TINY, f"psa.posterior={root / 'calibration' / 'posterior.csv'}")
    sample = str(root / "calibration" / "spillover" / "posterior.csv")
    alt = alternative(cfg, 0.005, sample)
    assert alt.care.network_spillover_per_day == 0.005 and alt.psa.posterior == sample
    assert alt.care.network_spillover_per_day != cfg.care.network_spillover_per_day
    assert alt.population == cfg.population and alt.program == cfg.program and alt.psa.draws == cfg.psa.draws


def test_the_same_structure_gives_the_committed_answer_exactly(root):
    """A re-run with no spillover and the committed posterior is the committed result, number for number."""
    row = compare(root / "results" / "study", root, 0.0, str(root / "calibration" / "posterior.csv"), jobs=1)
    for key in ("verdict", "effect", "low", "high", "economic_verdict"):
        assert row[f"{key}_alternative"] == row[key], key
    assert row["answer_differs"] is False


def test_each_job_is_compared_or_listed_and_the_files_are_written(root, capsys):
    sample = str(root / "calibration" / "spillover" / "posterior.csv")
    assert main(["--root", str(root), "--posterior", sample, "--jobs", "1"]) == 0
    out = root / "results" / "structural"
    table = pd.read_csv(out / "structural.csv").set_index("job")
    assert list(table.index) == ["study", "uncalibrated"]
    committed = json.loads((root / "results" / "study" / "summary.json").read_text())
    row = table.loc["study"]
    effect = committed["effects"]["readmission_30"]
    assert (row["verdict"], row["effect"], row["low"], row["high"]) == (
        committed["verdict"], effect["mean"], effect["ci_low"], effect["ci_high"])
    assert row["economic_verdict"] == committed["economic_verdict"] and isinstance(row["economic_verdict"], str)
    assert row["spillover"] == 0 and row["spillover_alternative"] == 0.005 and row["runs"] == 2
    assert isinstance(row["verdict_alternative"], str) and isinstance(row["economic_verdict_alternative"], str)
    assert row["effect_alternative"] != row["effect"]  # another structure, other particles: another number
    differs = (row["verdict_alternative"] != row["verdict"]) or (
        row["economic_verdict_alternative"] != row["economic_verdict"])
    assert bool(row["answer_differs"]) == differs
    plain = table.loc["uncalibrated"]
    assert plain["note"] == NOT_COMPARED and pd.isna(plain["verdict_alternative"]) and pd.isna(plain["answer_differs"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["jobs"] == 2 and summary["compared"] == 1 and summary["answers_differ"] == int(differs)
    record = json.loads((out / "manifest.json").read_text())
    assert record["posteriors"]["alternative"]["path"] == sample and len(record["posteriors"]["default"]) == 1
    assert all(len(p["sha256"]) == 64 for p in [record["posteriors"]["alternative"], *record["posteriors"]["default"]])
    text = (out / "structural.md").read_text()
    assert "calibrated separately" in text and NOT_COMPARED in text and "`study`" in text
    assert not (out / ".partial").exists()


def test_a_missing_alternative_posterior_is_refused_naming_the_file(root, capsys):
    missing = root / "calibration" / "nowhere" / "posterior.csv"
    with pytest.raises(SystemExit) as stop:
        main(["--root", str(root), "--posterior", str(missing)])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and str(missing) in err and err.count("\n") == 1


def test_the_re_run_draws_from_the_alternative_posterior(root):
    """With the same spillover, the alternative's posterior alone changes the numbers: it is the one drawn from."""
    row = compare(root / "results" / "study", root, 0.0, str(root / "calibration" / "spillover" / "posterior.csv"),
                  jobs=1)
    assert row["effect_alternative"] != row["effect"]


def test_kept_rows_are_reused_only_with_the_same_settings(root):
    """Resumable: a row kept in .partial is the job's row on a re-run with the same spillover and posterior,
    and is dropped when either changes."""
    sample = str(root / "calibration" / "spillover" / "posterior.csv")
    partial = root / "results" / "structural" / ".partial"
    kept = {**compare(root / "results" / "study", root, 0.0, sample, jobs=1), "verdict_alternative": "kept"}
    for spillover, reused in ((0.005, True), (0.004, False)):
        partial.mkdir(parents=True, exist_ok=True)
        write_json(partial / "settings.json", _settings(0.005, sample))
        write_json(partial / "study.json", kept)
        assert main(["--root", str(root), "--posterior", sample, "--spillover", str(spillover), "--jobs", "1"]) == 0
        table = pd.read_csv(root / "results" / "structural" / "structural.csv").set_index("job")
        assert (table.loc["study", "verdict_alternative"] == "kept") is reused


def test_a_decision_study_is_judged_as_a_whole(tmp_path):
    """Under the same structure and posterior, a decision study's re-run tables give the committed decisions."""
    default = _posterior(tmp_path / "calibration", DEFAULT)
    study = tmp_path / "results" / "options"
    tables = {}
    for job, programme in (("0", "discharge_support"), ("1", "peer_mentoring")):
        cfg = make_cfg(*TINY, f"program={programme}", f"psa.posterior={default}",
                       "+psa.parameters=[{key: costs.bed_day, distribution: gamma, cv: 0.1}]")
        tables[job] = run_experiment(cfg, progress=False)
        (study / job).mkdir(parents=True)
        tables[job].to_csv(study / job / "replications.csv", index=False)
        write_json(study / job / "summary.json", summarise(cfg, tables[job]))
        write_json(study / job / "manifest.json", manifest(cfg, 0.0))
    settings = DecisionSettings([0.0, 20000.0], [20000.0, 30000.0], 100, 2, 0.0, {}, 1)
    result = decide(gather_options(tables, COMPARATOR), settings, COMPARATOR)
    write_json(study / "decision.json", {"decisions": result["decisions"]})
    write_json(study / "manifest.json", {"jobs": ["0", "1"], "decision": dataclasses.asdict(settings)})
    partial = tmp_path / "partial"
    partial.mkdir()
    for job in ("0", "1"):
        compare(study / job, tmp_path, 0.0, default, jobs=1, partial=partial)
    rows = decision_rows(tmp_path, partial)
    assert [(r["study"], r["threshold"]) for r in rows] == [("options", 20000.0), ("options", 30000.0)]
    assert all(r["option"] == r["option_alternative"] and not r["decision_differs"] for r in rows)
    assert [r["probability_best"] for r in rows] == [r["probability_best_alternative"] for r in rows]
