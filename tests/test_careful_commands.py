"""Every command refuses bad input before any work, in one line, and a refused input changes nothing on disk:
the examples a review found mishandled, each now refused (or answered) as it should be."""

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.__main__ import cli
from sim.calibration import smc
from sim.calibration.settings import load_settings
from sim.cli import calibrate as calibrate_cli
from sim.cli import study as study_cli
from sim.cli.command import check_writable
from sim.cli.decision import main as decide_main
from sim.cli.reproduce import main as reproduce_main
from sim.config.posterior import load as load_posterior
from sim.errors import ConfigError
from sim.outputs.atomic import write_json
from sim.report import main as report_main
from sim.tools.admission_history import main as history_main
from sim.tools.structural import main as structural_main
from sim.tools.verdict_stability import main as stability_main
from sim.tools.warmup import main as warmup_main
from tests.conftest import make_cfg

ROOT = Path(__file__).resolve().parents[1]


def snapshot(folder):
    """Every file under `folder` and its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def refused(run, capsys, status=2):
    """Run a command's main; it must stop with `status` and exactly one line on stderr, no traceback."""
    with pytest.raises(SystemExit) as stop:
        run()
    err = capsys.readouterr().err
    assert stop.value.code == status, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.fixture
def complete(tmp_path):
    """A folder holding a complete result (its manifest last): what a refused re-run must leave as it was."""
    folder = tmp_path / "complete"
    folder.mkdir()
    (folder / "replications.csv").write_text("replication,arm\n0,usual_care\n")
    write_json(folder / "manifest.json", {"study": "earlier", "git_commit": "abc"})
    return folder


def test_a_programme_cannot_take_the_comparators_name():
    """Before: `python -m sim program.name=usual_care` ran, dropped the programme arm and said "no effect"."""
    with pytest.raises(ConfigError, match="program.name = usual_care: the comparator's name"):
        make_cfg("program.name=usual_care")
    assert make_cfg("program=usual_care").program.name == "usual_care"  # usual care itself keeps its name


@pytest.mark.parametrize("name", ["a/b", "../up", "", ".hidden", "x" * 101, "with space"])
def test_a_programme_name_must_be_a_safe_file_name(name):
    with pytest.raises(ConfigError, match="must be a file name"):
        make_cfg(f"program.name='{name}'")


def test_the_main_command_refuses_the_comparators_name_in_one_line(tmp_path, capsys):
    err = refused(lambda: cli(["program.name=usual_care", f"hydra.run.dir={tmp_path / 'out'}"]), capsys)
    assert err.startswith("config error: program.name = usual_care") and not (tmp_path / "out").exists()


def test_an_output_folder_under_a_file_is_an_environment_error_before_any_work(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    err = refused(lambda: cli([f"hydra.run.dir={tmp_path / 'file' / 'out'}"]), capsys, status=1)
    assert f"{tmp_path / 'file' / 'out'}: cannot make this output folder" in err
    study = tmp_path / "study.yaml"
    study.write_text(yaml.safe_dump({"question": "q", "why": "w", "overrides": ["population.n=200"]}))
    err = refused(lambda: study_cli.main([str(study), "--out", str(tmp_path / "file" / "out")]), capsys, status=1)
    assert "is a file" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only folder")
def test_a_read_only_output_folder_is_an_environment_error(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="read-only"):
            check_writable(tmp_path / "out")
    finally:
        tmp_path.chmod(0o700)


def test_a_bad_sweep_value_leaves_a_complete_study_as_it_was(tmp_path, complete, capsys):
    """Before: the sweep's values were checked only after the study's manifest.json had been deleted."""
    study = tmp_path / "sweep.yaml"
    study.write_text(yaml.safe_dump({"question": "q", "why": "w", "overrides": ["population.n=200", "psa=none"],
                                     "sweep": ["program.uptake=0.2,7"]}))
    before = snapshot(complete)
    err = refused(lambda: study_cli.main([str(study), "--out", str(complete)]), capsys)
    assert "program.uptake" in err and snapshot(complete) == before


@pytest.mark.parametrize("top, typo", [("decision", "decison"), ("sweep", "sweeps")])
def test_a_misspelt_top_level_key_is_named_with_the_nearest_one(tmp_path, top, typo, capsys):
    """Before: `decison:` or `sweeps:` was ignored, and a different study ran to a complete manifest."""
    spec = yaml.safe_load((ROOT / "experiments" / "all_options.yaml").read_text())
    spec[typo] = spec.pop(top)
    study = tmp_path / "typo.yaml"
    study.write_text(yaml.safe_dump(spec))
    err = refused(lambda: study_cli.main([str(study), "--out", str(tmp_path / "out")]), capsys)
    assert f"{typo}: unknown key; did you mean {top}?" in err and not (tmp_path / "out").exists()


def test_a_nan_discount_rate_is_refused_and_json_never_holds_nan(tmp_path, capsys):
    """Before: `discount_rate: .nan` ran to the end and wrote bare NaN tokens into decision.json."""
    spec = yaml.safe_load((ROOT / "experiments" / "all_options.yaml").read_text())
    spec["decision"]["population"]["discount_rate"] = float("nan")
    study = tmp_path / "nan.yaml"
    study.write_text(yaml.safe_dump(spec))
    err = refused(lambda: study_cli.main([str(study), "--out", str(tmp_path / "out")]), capsys)
    assert "decision.population.discount_rate = nan: Input should be a finite number" in err
    write_json(tmp_path / "x.json", {"rates": [0.1, float("nan")], "nested": {"inf": [float("inf")]}})
    assert json.loads((tmp_path / "x.json").read_text()) == {"rates": [0.1, None], "nested": {"inf": [None]}}


def test_a_refused_validation_leaves_a_complete_validation_as_it_was(tmp_path, capsys):
    """Before: `--validate out=<a complete validation> draws=0` deleted its manifest, then failed."""
    folder = tmp_path / "validation"
    shutil.copytree(ROOT / "results" / "calibration" / "england" / "validation", folder)
    before = snapshot(folder)
    for bad in ("draws=0", "draws=nan", "+trials.core.targets.x={value:1}", "trials.core.overrides=[program=nope]"):
        err = refused(lambda bad=bad: calibrate_cli.main(["--validate", f"out={folder}", bad]), capsys)
        assert err.startswith("config error: validation") and snapshot(folder) == before, err


@pytest.mark.parametrize("weights, message", [
    ([0.0, 0.0, 0.0], "sum to a positive number \\(sum 0\\)"),
    ([0.5, -0.1, 0.6], "non-negative"),
    ([0.5, float("nan"), 0.5], "weight in row 1 is nan"),
])
def test_a_posterior_whose_weights_cannot_be_drawn_from_is_refused(tmp_path, weights, message):
    """Before: all-zero weights were accepted, and every draw took the last particle."""
    path = tmp_path / "posterior.csv"
    pd.DataFrame({"particle": [0, 1, 2], "contact.hope_gain": [0.1, 0.2, 0.3], "weight": weights}).to_csv(
        path, index=False)
    with pytest.raises(ConfigError, match=message):
        load_posterior(path)


def _truncated(path):
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


@pytest.mark.parametrize("command, study, damaged", [
    (lambda f: decide_main([str(f), "--check"]), "all_options", "manifest.json"),
    (lambda f: decide_main([str(f), "--check"]), "all_options", "0/replications.csv"),
    (lambda f: decide_main([str(f)]), "all_options", "2/replications.csv"),
    (lambda f: reproduce_main([str(f), "--runs", "0"]), "default_comparison", "manifest.json"),
    (lambda f: reproduce_main([str(f), "--runs", "0"]), "default_comparison", "replications.csv"),
    (lambda f: report_main([str(f)]), "all_programmes", "3/summary.json"),
    (lambda f: report_main([str(f)]), "all_programmes", "1/.hydra/overrides.yaml"),
])
def test_a_truncated_file_read_back_is_named_in_one_line_and_changes_nothing(tmp_path, command, study, damaged,
                                                                             capsys):
    """Before: malformed or truncated JSON or CSV given to sim.decide, sim.reproduce or sim.report crashed."""
    folder = tmp_path / study
    shutil.copytree(ROOT / "results" / study, folder, ignore=shutil.ignore_patterns("*.png", "records"))
    _truncated(folder / damaged)
    before = snapshot(folder)
    err = refused(lambda: command(folder), capsys)
    assert err.startswith("error: ") and damaged.split("/")[-1] in err and snapshot(folder) == before, err


@pytest.mark.parametrize("argv, message", [
    (["--runs", "a"], "argument --runs: 'a' is not a whole number"),
    (["--runs", "-1"], "argument --runs"),
    (["--runs", "1,,2"], "argument --runs"),
    (["--runs", "99999"], "--runs 99999 is not one of its"),
])
def test_bad_flags_are_one_line(argv, message, capsys):
    err = refused(lambda: reproduce_main([str(ROOT / "results" / "default_comparison"), *argv]), capsys)
    assert message in err


def test_a_folder_that_is_not_there_is_named(tmp_path, capsys):
    for run in (lambda: reproduce_main([str(tmp_path / "nope")]), lambda: decide_main([str(tmp_path / "nope")]),
                lambda: report_main([str(tmp_path / "nope")])):
        assert str(tmp_path / "nope") in refused(run, capsys)


def test_hydra_full_error_gives_the_traceback_for_every_command(tmp_path, monkeypatch):
    monkeypatch.setenv("HYDRA_FULL_ERROR", "1")
    with pytest.raises(ConfigError, match="no such results folder"):
        reproduce_main([str(tmp_path / "nope")])


def test_a_flag_that_does_not_apply_to_the_folder_is_refused(capsys):
    """--points picks a sensitivity or deterministic study's points, --runs a run's: either given to the other
    kind of folder was ignored, and a whole study re-run."""
    err = refused(lambda: reproduce_main([str(ROOT / "results" / "default_comparison"), "--points", "0"]), capsys)
    assert "--points is for sensitivity and deterministic studies" in err
    err = refused(lambda: reproduce_main([str(ROOT / "results" / "payoff_sensitivity"), "--runs", "0"]), capsys)
    assert "--runs is for a run or a sweep's jobs" in err


def test_a_decision_check_of_an_incomplete_study_is_bad_input(tmp_path, capsys):
    folder = tmp_path / "all_options"
    shutil.copytree(ROOT / "results" / "all_options", folder, ignore=shutil.ignore_patterns("*.png", "records"))
    (folder / "decision.md").unlink()
    assert "not a complete decision study: no decision.md" in refused(lambda: decide_main([str(folder), "--check"]),
                                                                     capsys)


def test_an_unknown_flag_is_one_line(capsys):
    for run in (lambda: study_cli.main(["experiments/default_comparison.yaml", "--outt", "x"]),
                lambda: decide_main(["results/all_options", "--chek"]),
                lambda: calibrate_cli.main(["--validat"])):
        assert "unrecognized arguments" in refused(run, capsys)


def test_a_sweep_job_whose_manifest_is_not_whole_is_refused(tmp_path, capsys):
    folder = tmp_path / "all_programmes"
    shutil.copytree(ROOT / "results" / "all_programmes", folder, ignore=shutil.ignore_patterns("*.png", "records"))
    (folder / "0" / "manifest.json").write_bytes(b"\x80\x81 binary")
    before = snapshot(folder)
    assert "0/manifest.json: not a text file" in refused(lambda: report_main([str(folder)]), capsys)
    assert snapshot(folder) == before


def _root_with_a_damaged_job(tmp_path, tool):
    """A checkout whose one judged job has a truncated table, beside a complete earlier output of `tool`."""
    root = tmp_path / "checkout"
    shutil.copytree(ROOT / "results" / "default_comparison", root / "results" / "default_comparison",
                    ignore=shutil.ignore_patterns("*.png"))
    shutil.copytree(ROOT / "results" / tool, root / "results" / tool, ignore=shutil.ignore_patterns(".partial"))
    _truncated(root / "results" / "default_comparison" / "replications.csv")
    return root


POSTERIOR = ROOT / "conf" / "setting" / "england" / "posterior.csv"


@pytest.mark.parametrize("name, command, output", [
    ("sim", lambda out: cli(["program.uptake=2", f"hydra.run.dir={out}"]), None),
    ("sim.study", lambda out: study_cli.main(["experiments/default_comparison.yaml", "population.n=5", "--out",
                                             str(out)]), None),
    ("sim.calibrate", lambda out: calibrate_cli.main(["particles=0", f"out={out}"]), None),
    ("sim.calibrate --apply", lambda out: calibrate_cli.main(["--apply", f"out={out}"]), None),
    ("sim.tools.warmup", lambda out: warmup_main(["population.n=5", "--out", str(out)]), None),
    ("sim.tools.admission_history", lambda out: history_main(["population.n=5", "--out", str(out)]), None),
    ("sim.tools.verdict_stability", lambda root: stability_main(["--root", str(root)]), "verdict_stability"),
    ("sim.tools.structural", lambda root: structural_main(["--root", str(root), "--posterior", str(POSTERIOR)]),
     "structural"),
])
def test_a_refused_input_leaves_a_complete_result_as_it_was(name, command, output, tmp_path, complete, capsys):
    """Every command that writes: a bad input, given a folder (or checkout) holding a complete result."""
    if output is None:
        target, watched = complete, complete
        if name == "sim.calibrate --apply":  # a calibration folder whose posterior is not whole
            (complete / "posterior.csv").write_text("particle,weight\n0,0\n")
    else:
        target = _root_with_a_damaged_job(tmp_path, output)
        watched = target / "results" / output
    conf = snapshot(ROOT / "conf")
    before = snapshot(watched)
    refused(lambda: command(target), capsys)
    assert snapshot(watched) == before and snapshot(ROOT / "conf") == conf


def test_a_key_given_twice_in_a_study_file_is_refused(tmp_path, capsys):
    """Plain YAML keeps the second `overrides:` silently, and a different study would run."""
    study = tmp_path / "twice.yaml"
    study.write_text("question: q\nwhy: w\noverrides: []\noverrides: [population.n=200]\n")
    assert "the key 'overrides' is given twice" in refused(lambda: study_cli.main([str(study)]), capsys)


@pytest.mark.parametrize("options", ["usual_care,discharge_support", "discharge_support,discharge_support"])
def test_a_decision_compares_each_option_once_against_usual_care(tmp_path, options, capsys):
    spec = yaml.safe_load((ROOT / "experiments" / "all_options.yaml").read_text())
    spec["sweep"] = [f"program={options}"]
    study = tmp_path / "options.yaml"
    study.write_text(yaml.safe_dump(spec))
    err = refused(lambda: study_cli.main([str(study), "--out", str(tmp_path / "out")]), capsys)
    assert "each option once, without usual_care" in err


def test_a_run_or_a_job_listed_twice_is_refused(tmp_path, capsys):
    err = refused(lambda: reproduce_main([str(ROOT / "results" / "default_comparison"), "--runs", "0,0"]), capsys)
    assert "--runs lists 0 twice" in err
    folder = tmp_path / "all_options"
    shutil.copytree(ROOT / "results" / "all_options", folder, ignore=shutil.ignore_patterns("*.png", "records"))
    manifest = json.loads((folder / "manifest.json").read_text())
    write_json(folder / "manifest.json", {**manifest, "jobs": ["0", "0", "1"]})
    assert "a job is listed twice" in refused(lambda: decide_main([str(folder), "--check"]), capsys)


def test_a_summary_value_that_is_not_a_number_is_refused_before_the_table_is_written(tmp_path, capsys):
    folder = tmp_path / "all_programmes"
    shutil.copytree(ROOT / "results" / "all_programmes", folder, ignore=shutil.ignore_patterns("*.png", "records"))
    summary = json.loads((folder / "1" / "summary.json").read_text())
    summary["arms"]["usual_care"]["readmission_30"]["mean"] = "abc"
    write_json(folder / "1" / "summary.json", summary)
    before = snapshot(folder)
    err = refused(lambda: report_main([str(folder)]), capsys)
    assert "1/summary.json: readmission_30_mean is not a number" in err and snapshot(folder) == before


def test_apply_refuses_a_posterior_whose_columns_are_not_the_calibrated_keys(tmp_path, capsys):
    out = tmp_path / "calibration"
    out.mkdir()
    for name in ("posterior.csv", "posterior.json"):
        shutil.copy(ROOT / "results" / "calibration" / "england" / name, out / name)
    shutil.copy(ROOT / "results" / "calibration" / "england" / "posterior_summary.csv", out / "posterior_summary.csv")
    frame = pd.read_csv(out / "posterior.csv").drop(columns="contact.hope_gain")
    frame.to_csv(out / "posterior.csv", index=False)
    conf = snapshot(ROOT / "conf")
    err = refused(lambda: calibrate_cli.main(["--apply", f"out={out}"]), capsys)
    assert "are not the calibrated keys" in err and snapshot(ROOT / "conf") == conf


@pytest.mark.parametrize("damage, message", [
    ("other settings", "made with other settings (abc.settings.json differs)"),
    ("not sqlite", "not a readable pyabc database"),
    ("truncated sidecar", "abc.settings.json: not valid JSON"),
    ("no sidecar", "no abc.settings.json beside it"),
])
@pytest.mark.parametrize("flag", [[], ["--report"]])
def test_a_calibration_database_that_cannot_be_resumed_leaves_the_finished_calibration(tmp_path, damage, message,
                                                                                      flag, capsys):
    """Before: a refused database was found only after the finished posterior and manifest had been deleted."""
    out, db = tmp_path / "calibration", tmp_path / "db" / "abc.db"
    shutil.copytree(ROOT / "results" / "calibration" / "england", out,
                    ignore=shutil.ignore_patterns("*.png", "validation", "spillover", "abc.db"))
    db.parent.mkdir()
    db.write_bytes(b"SQLite format 3\x00" if damage != "not sqlite" else b"not a database at all")
    fingerprint = smc._fingerprint(load_settings([f"out={out}", f"db={db}"]))
    sidecar = db.with_suffix(".settings.json")
    if damage != "no sidecar":
        write_json(sidecar, {**fingerprint, "seed": 1} if damage == "other settings" else fingerprint)
    if damage == "truncated sidecar":
        sidecar.write_text(sidecar.read_text()[:20])
    before = snapshot(out)
    err = refused(lambda: calibrate_cli.main([*flag, f"out={out}", f"db={db}"]), capsys)
    assert message in err and snapshot(out) == before


def test_what_a_review_found_after_the_audit(tmp_path, capsys, monkeypatch):
    """Each of these escaped as a traceback, or was refused though valid."""
    study = tmp_path / "study.yaml"
    spec = {"question": "q", "why": "w", "overrides": ["population.n=200", "psa=none"],
            "deterministic": {"one_way": {"costs.bed_day": [300.0, 600.0]}, "two_way": None}}
    study.write_text(yaml.safe_dump(spec))
    monkeypatch.setattr(study_cli, "run_deterministic", lambda *a: 0)  # a part set to null is not given
    with pytest.raises(SystemExit) as stop:
        study_cli.main([str(study), "--out", str(tmp_path / "out")])
    assert stop.value.code == 0
    for argv, message in ((["~population.age_shares.0"], "cannot apply these overrides"),
                          (["~population"], "population.engagement_mean = ???: a value is required"),
                          (["program.name=${nope}"], "Interpolation key 'nope' not found"),
                          (["--foo"], "unrecognized arguments: --foo (python -m sim --help)")):
        assert message in refused(lambda argv=argv: cli([*argv, f"hydra.run.dir={tmp_path / 'x'}"]), capsys)
    monkeypatch.setattr(calibrate_cli.validation, "validation_table", lambda settings: (_ for _ in ()).throw(
        KeyboardInterrupt))
    err = refused(lambda: calibrate_cli.main(["--validate", "~engagement", f"out={tmp_path / 'v'}"]), capsys,
                  status=130)
    assert err.startswith("interrupted") and not (tmp_path / "v").exists()


def test_yaml_merge_keys_and_hydra_deletions_are_valid_in_a_study_file(tmp_path):
    study = tmp_path / "merged.yaml"
    study.write_text("base: &base {question: q, why: w}\n")
    with pytest.raises(ConfigError, match="base: unknown key"):  # the anchor's own key is not a study key
        study_cli.load_study(study)
    study.write_text("<<: {question: q, why: w}\noverrides: [~records, population.n=200]\n")
    assert study_cli.load_study(study).overrides == ["~records", "population.n=200"]


def test_a_number_json_cannot_hold_is_refused(tmp_path, capsys):
    (tmp_path / "manifest.json").write_text('{"config": {"seed": 1e400}}')
    assert "1e400 is not a finite number" in refused(lambda: reproduce_main([str(tmp_path)]), capsys)


def test_a_sweep_job_without_what_its_figures_read_is_refused_before_the_table(tmp_path, capsys):
    folder = tmp_path / "all_programmes"
    shutil.copytree(ROOT / "results" / "all_programmes", folder, ignore=shutil.ignore_patterns("*.png", "records"))
    summary = json.loads((folder / "2" / "summary.json").read_text())
    del summary["currency"]
    write_json(folder / "2" / "summary.json", summary)
    before = snapshot(folder)
    assert "2/summary.json: lacks currency" in refused(lambda: report_main([str(folder)]), capsys)
    assert snapshot(folder) == before


def test_a_decision_over_a_glob_of_programmes_is_asked_to_list_them(tmp_path, capsys):
    spec = yaml.safe_load((ROOT / "experiments" / "all_options.yaml").read_text())
    spec["sweep"] = ["program=glob(*)"]
    study = tmp_path / "glob.yaml"
    study.write_text(yaml.safe_dump(spec))
    assert "list the options" in refused(lambda: study_cli.main([str(study), "--out", str(tmp_path / "o")]), capsys)
