"""The package runs outside its checkout: a wheel installed into a fresh virtual environment (pinned by
constraints.txt) runs the main job and shows its help screen from an unrelated folder."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(command, **kwargs):
    run = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=1200, **kwargs)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    return run


@pytest.mark.slow
def test_an_installed_wheel_runs_from_any_folder(tmp_path):
    # Built from a copy of the sources, so the build leaves nothing in the checkout and nothing but the
    # package's own files (no checkout-only folder) can reach the wheel.
    source = tmp_path / "source"
    left_out = {".git", ".venv", ".venv-viz", ".numba_cache", "results", "outputs", "multirun", "build", "dist"}

    def ignore(folder, names):  # checkout-level folders only: sim/outputs is part of the package
        return [n for n in names if (Path(folder) == ROOT and n in left_out) or n.endswith(".egg-info")]

    shutil.copytree(ROOT, source, ignore=ignore)
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, source])
    wheel, = dist.glob("peer_support_sim-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv])
    python = venv / "bin" / "python"
    _run([python, "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", wheel])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = _run([python, "-c", "import sim; print(sim.__file__)"], cwd=elsewhere, env=env).stdout.strip()
    assert Path(where).is_relative_to(venv), where
    job = _run([python, "-m", "sim", "population.n=500", "psa=none", "replications=2"], cwd=elsewhere, env=env)
    assert "verdict:" in job.stdout
    manifest, = (elsewhere / "outputs").glob("*/*/manifest.json")
    assert (manifest.parent / "replications.csv").exists()
    # the default PSA draws from the posterior the package ships (conf/setting/england/posterior.csv)
    drawn = _run([python, "-m", "sim", "population.n=500", "psa.draws=2", "replications=1", "jobs=1"],
                 cwd=elsewhere, env=env)
    headers = [p.read_text().splitlines()[0] for p in (elsewhere / "outputs").glob("*/*/replications.csv")]
    assert "verdict:" in drawn.stdout and any("psa:contact.hope_gain" in h for h in headers)
    helped = _run([python, "-m", "sim", "--help"], cwd=elsewhere, env=env).stdout
    assert helped.startswith("peer-support-sim:") and "python -m sim" in helped and "program:" in helped
