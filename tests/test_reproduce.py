"""`python -m sim.reproduce`: the environment is compared before the numbers, and a difference in numbers
beside a difference in versions is reported as possibly coming from the environment."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.outputs.provenance import environment, environment_differences

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["population.n=300", "psa=none", "replications=2", "burn_in_days=10",
         "horizon_days=60", "primary_outcome=readmission_30"]


@pytest.fixture(scope="module")
def small_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduce") / "run"
    run = subprocess.run([sys.executable, "-m", "sim", *SMALL, f"hydra.run.dir={out}"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return out


def _reproduce(folder):
    return subprocess.run([sys.executable, "-m", "sim.reproduce", str(folder)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.slow
def test_the_manifest_says_whether_the_commit_was_clean(small_result):
    manifest = json.loads((small_result / "manifest.json").read_text())
    status = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    status = "\n".join(line for line in status.splitlines() if not line[3:].startswith("results/"))
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert manifest["git_clean"] is (status.strip() == "")
    assert manifest["git_commit"] == head + ("" if manifest["git_clean"] else "-dirty")
    assert manifest["packages"]["numpy"] and manifest["packages"]["numba"] and manifest["packages"]["llvmlite"]


@pytest.mark.slow
def test_same_environment_same_numbers(small_result):
    run = _reproduce(small_result)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "identical" in run.stdout and "environment differs" not in run.stdout


@pytest.mark.slow
def test_a_changed_number_under_changed_versions_is_blamed_possibly_on_the_environment(small_result, tmp_path):
    folder = tmp_path / "copy"
    folder.mkdir()
    manifest = json.loads((small_result / "manifest.json").read_text())
    manifest["packages"]["numpy"] = "1.0.0"
    manifest["python"] = "3.99.0"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    lines = (small_result / "replications.csv").read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    column = header.index("cost_total_discounted")
    cells[column] = repr(float(cells[column]) + 1.0)
    (folder / "replications.csv").write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    run = _reproduce(folder)
    assert run.returncode == 1
    here = environment()
    assert f"numpy: 1.0.0 in the manifest, {here['packages']['numpy']} here" in run.stdout
    assert f"python: 3.99.0 in the manifest, {here['python']} here" in run.stdout
    assert "DIFFERENT, 1 of" in run.stdout and "cost_total_discounted" in run.stdout
    assert "may come from the environment" in run.stdout


def test_environment_differences_name_each_changed_version_and_nothing_else():
    current = {"python": "3.11.7", "packages": {"numpy": "2.4.6", "numba": "0.68.1", "scipy": "1.17.1"}}
    recorded = {"python": "3.11.7", "packages": {"numpy": "2.5.5", "numba": "0.68.1", "scipy": None}}
    assert environment_differences(recorded, current) == [
        "numpy: 2.5.5 in the manifest, 2.4.6 here", "scipy: None in the manifest, 1.17.1 here"]
    assert environment_differences(current, current) == []
