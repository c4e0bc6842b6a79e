"""Property-based tests of every command's input handling (Hypothesis): valid study files, calibration and
validation settings, posteriors and result folders are mutated (a value replaced by a bad one, a key deleted,
misspelt or added, a file truncated, a cell corrupted), and each command must either refuse the input with
exit status 2 and one line, no traceback, or accept it; and a complete result on disk must be byte-identical
afterwards. The work an accepted input would start (a simulation, a decision analysis) is replaced by a stop
(`Accepted`): these tests are about the checks that run before it. Derandomised: every run tries the same
cases."""

import copy
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import sim.__main__ as main_command
from sim import report as report_command
from sim.calibration import validation
from sim.cli import calibrate as calibrate_cli
from sim.cli import decision as decision_cli
from sim.cli import reproduce as reproduce_cli
from sim.cli import study as study_cli
from sim.config.posterior import WEIGHT
from sim.config.posterior import load as load_posterior
from tests.test_careful_commands import snapshot

ROOT = Path(__file__).resolve().parents[1]
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
BAD_VALUES = [math.nan, math.inf, -math.inf, -1, 0, 1e308, 10**20, "", "x", None, [], {}, True, [1, 2, 3],
              "key=value", -0.5, 2.5]
BAD_TEXT = ["nan", "inf", "-inf", "-1", "0", "''", "null", "[]", "{}", "abc", "1e400", "true", "-0.5", "2.5"]


class Accepted(Exception):
    """The input passed every check: the command reached its work."""


def _stop(*args, **kwargs):
    raise Accepted


def outcome(run, capsys):
    """'accepted', or 'refused' after checking the refusal is exit 2 and one line with no traceback."""
    try:
        run()
    except Accepted:
        capsys.readouterr()
        event("accepted")
        return "accepted"
    except SystemExit as stop:
        err = capsys.readouterr().err
        assert stop.code == 2, err
        assert err.count("\n") == 1 and "Traceback" not in err and err.startswith(("error: ", "config error: ")), err
        event("refused")
        return "refused"
    raise AssertionError("the command returned without refusing or reaching its work")


def paths(node, prefix=()):
    """Every (path, value) in a nested mapping or list."""
    found = [(prefix, node)] if prefix else []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in children:
        found += paths(value, (*prefix, key))
    return found


@st.composite
def mutated(draw, spec):
    """The spec with one mutation: a value replaced, a key deleted, misspelt or added."""
    spec = copy.deepcopy(spec)
    path, _ = draw(st.sampled_from(paths(spec)))
    *parents, last = path
    node = spec
    for part in parents:
        node = node[part]
    op = draw(st.sampled_from(["replace", "delete", "misspell", "add"]))
    if op == "replace" or not isinstance(node, dict):
        node[last] = draw(st.sampled_from(BAD_VALUES))
    elif op == "delete":
        del node[last]
    elif op == "misspell":
        node[f"{last[:-1]}{last[-1] * 2}" if last else "x"] = node.pop(last)
    else:
        node[draw(st.sampled_from(["extra", "sweeps", "overide", "step_size"]))] = draw(st.sampled_from(BAD_VALUES))
    return spec


STUDY_BASES = ["all_options", "payoff_sensitivity", "default_comparison", "subgroups"]
SMALL_DETERMINISTIC = {"question": "q", "why": "w", "overrides": ["population.n=200", "psa=none"],
                       "deterministic": {"one_way": {"costs.bed_day": [300.0, 600.0]},
                                         "thresholds": {"program.uptake": [0.01, 1.0]},
                                         "two_way": {"keys": ["program.uptake", "contact.hope_gain"],
                                                     "ranges": [[0.1, 0.9], [0.1, 0.9]], "points": 3}}}


@pytest.fixture
def complete(tmp_path):
    folder = tmp_path / "complete"
    shutil.copytree(ROOT / "results" / "default_comparison", folder, ignore=shutil.ignore_patterns("*.png"))
    return folder


@pytest.fixture
def stubbed_study(monkeypatch):
    for name in ("run_sweep", "run_sensitivity", "run_deterministic", "execute"):
        monkeypatch.setattr(study_cli, name, _stop)


@pytest.mark.parametrize("base", [*STUDY_BASES, "small_deterministic"])
@FUZZ
@given(data=st.data())
def test_a_mutated_study_file_is_refused_in_one_line_or_accepted(base, data, tmp_path, complete, stubbed_study,
                                                                 capsys):
    spec = SMALL_DETERMINISTIC if base == "small_deterministic" else yaml.safe_load(
        (ROOT / "experiments" / f"{base}.yaml").read_text())
    study = tmp_path / "study.yaml"
    study.write_text(yaml.safe_dump(data.draw(mutated(spec))))
    before = snapshot(complete)
    outcome(lambda: study_cli.main([str(study), "--out", str(complete)]), capsys)
    assert snapshot(complete) == before


CALIBRATE_KEYS = [".".join(map(str, p)) for p, v in paths(yaml.safe_load((ROOT / "conf" / "calibrate.yaml")
                                                                          .read_text())) if not isinstance(v, dict)]


@st.composite
def bad_override(draw, keys):
    key = draw(st.sampled_from(keys))
    op = draw(st.sampled_from(["set", "delete", "add"]))
    if op == "delete":
        return f"~{key}"
    if op == "add":
        return f"+{key}_x={draw(st.sampled_from(BAD_TEXT))}"
    return f"{key}={draw(st.sampled_from(BAD_TEXT))}"


@FUZZ
@given(override=bad_override(CALIBRATE_KEYS))
def test_mutated_calibration_settings_are_refused_in_one_line_or_accepted(override, monkeypatch, capsys):
    for name in ("calibrate", "apply", "report"):
        monkeypatch.setattr(calibrate_cli, name, _stop)
    monkeypatch.setattr(calibrate_cli, "check_writable", _stop)
    outcome(lambda: calibrate_cli.main([override]), capsys)


VALIDATION_KEYS = [".".join(map(str, p)) for p, v in paths(yaml.safe_load((ROOT / "conf" / "validation.yaml")
                                                                           .read_text())) if not isinstance(v, dict)
                   and p[0] != "out"]


@FUZZ
@given(override=bad_override(VALIDATION_KEYS))
def test_mutated_validation_settings_leave_a_complete_validation_as_it_was(override, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "validation"
    if not folder.exists():
        shutil.copytree(ROOT / "results" / "calibration" / "england" / "validation", folder)
    monkeypatch.setattr(validation, "validation_table", _stop)
    before = snapshot(folder)
    outcome(lambda: calibrate_cli.main(["--validate", f"out={folder}", override]), capsys)
    assert snapshot(folder) == before


POSTERIOR = (ROOT / "conf" / "setting" / "england" / "posterior.csv").read_text().splitlines(keepends=True)[:40]


@st.composite
def damaged_posterior(draw):
    """The committed posterior's first rows with one kind of damage."""
    lines = list(POSTERIOR)
    op = draw(st.sampled_from(["cell", "column", "truncate", "empty", "header", "repeat"]))
    if op == "cell":
        row = draw(st.integers(0, len(lines) - 1))
        cells = lines[row].rstrip("\n").split(",")
        cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(BAD_TEXT))
        lines[row] = ",".join(cells) + "\n"
    elif op == "column":
        drop = draw(st.integers(0, POSTERIOR[0].count(",")))
        lines = [",".join(c for i, c in enumerate(line.rstrip("\n").split(",")) if i != drop) + "\n" for line in lines]
    elif op == "truncate":
        text = "".join(lines)
        return text[: draw(st.integers(0, len(text) - 1))]
    elif op == "empty":
        return ""
    elif op == "header":
        lines[0] = lines[0].replace(draw(st.sampled_from(["particle", WEIGHT, "contact.hope_gain"])), "renamed")
    else:
        lines[2] = lines[1]
    return "".join(lines)


@FUZZ
@given(text=damaged_posterior())
def test_a_damaged_posterior_is_refused_or_can_be_drawn_from(text, tmp_path, monkeypatch, capsys):
    path = tmp_path / "posterior.csv"
    path.write_text(text)
    monkeypatch.setattr(main_command, "main", _stop)
    argv = ["program=self_management", "psa=none", f"psa.posterior={path}", "psa.draws=2",
            f"hydra.run.dir={tmp_path / 'out'}"]
    if outcome(lambda: main_command.cli(argv), capsys) == "accepted":  # whatever is accepted can be drawn from
        frame, _ = load_posterior(path)
        assert frame.notna().all().all() and (frame[WEIGHT] >= 0).all() and math.fsum(frame[WEIGHT]) > 0
    assert not (tmp_path / "out").exists()


def _corrupt(draw, path):
    """One kind of damage to a file a command reads back."""
    data = path.read_bytes()
    op = draw(st.sampled_from(["truncate", "delete", "garbage", "value"]))
    if op == "truncate":
        path.write_bytes(data[: draw(st.integers(0, len(data) - 1))])
    elif op == "delete":
        path.unlink()
    elif op == "garbage":
        path.write_bytes(b"\xff\xfe not a table {" + data[:10])
    elif path.suffix == ".json":
        import json

        content = json.loads(data)
        leaf_paths = [p for p, v in paths(content) if not isinstance(v, dict | list)] or [()]
        where = draw(st.sampled_from(leaf_paths))
        node = content
        for part in where[:-1]:
            node = node[part]
        if where:
            node[where[-1]] = draw(st.sampled_from(["x", None, -1, [], {}]))
        path.write_text(json.dumps(content))
    else:
        frame = pd.read_csv(path) if path.suffix == ".csv" else None
        if frame is None:
            path.write_text("- [unclosed\n")
            return
        column = draw(st.sampled_from(list(frame.columns)))
        frame[column] = frame[column].astype(object)
        frame.loc[draw(st.integers(0, len(frame) - 1)), column] = draw(st.sampled_from(["nan", "abc", "", "inf"]))
        frame.to_csv(path, index=False)


RESULT_CASES = {
    "decide": ("all_options", ["manifest.json", "0/replications.csv", "3/replications.csv", "0/summary.json"]),
    "reproduce": ("default_comparison", ["manifest.json", "replications.csv"]),
    "report": ("all_programmes", ["0/summary.json", "2/summary.json", "4/.hydra/overrides.yaml", "1/manifest.json"]),
}


@pytest.fixture(scope="module")
def result_copies(tmp_path_factory):
    base = tmp_path_factory.mktemp("results")
    for study, _ in RESULT_CASES.values():
        shutil.copytree(ROOT / "results" / study, base / study,
                        ignore=shutil.ignore_patterns("*.png", "records", "*.parquet", "*.log"))
    for table in (base / "all_options").glob("*/replications.csv"):  # two draws of each option: a quicker read
        frame = pd.read_csv(table)
        frame[frame["draw"] < 2].to_csv(table, index=False)
    return base


@pytest.mark.parametrize("command", list(RESULT_CASES))
@FUZZ
@given(data=st.data())
def test_a_damaged_result_folder_is_refused_in_one_line_or_accepted(command, data, result_copies, monkeypatch,
                                                                    capsys):
    study, files = RESULT_CASES[command]
    folder = result_copies / study
    name = data.draw(st.sampled_from(files))
    kept = (folder / name).read_bytes()
    monkeypatch.setattr(decision_cli, "decide", _stop)
    monkeypatch.setattr(reproduce_cli, "run_experiment", _stop)
    monkeypatch.setattr(report_command, "write_tables", _stop)
    run = {"decide": lambda: decision_cli.main([str(folder)]),
           "reproduce": lambda: reproduce_cli.main([str(folder), "--runs", "0"]),
           "report": lambda: report_command.main([str(folder)])}[command]
    try:
        _corrupt(data.draw, folder / name)
        before = snapshot(folder)
        outcome(run, capsys)
        assert snapshot(folder) == before
    finally:
        (folder / name).write_bytes(kept)
