"""Sweeps through Hydra's launchers: joblib (the default) and submitit give identical tables, the SLURM
launcher config composes, and a sweep killed part-way resumes to the same table as an uninterrupted one."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

from sim.outputs.sweep import gather
from sim.paths import CONF

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ["population.n=1500", "psa=none", "replications=2", "burn_in_days=30", "horizon_days=400",
         "primary_outcome=readmission_90", "program.fidelity=0.0,0.4,0.7,1.0"]


def multirun(folder, *extra, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "sim", "-m", *SWEEP, *extra, f"hydra.sweep.dir={folder}"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def finish(process):
    out, err = process.communicate(timeout=900)
    assert process.returncode == 0, err[-3000:]
    return out


def table_of(folder):
    table, swept, left_out = gather(folder)
    assert swept == ["program.fidelity"] and not left_out and table["job"].nunique() == 4
    return table


@pytest.fixture(scope="module")
def joblib_table(tmp_path_factory):
    folder = tmp_path_factory.mktemp("joblib")
    finish(multirun(folder))  # the default launcher
    assert "joblib" in (folder / "0" / ".hydra" / "hydra.yaml").read_text()
    return table_of(folder)


@pytest.mark.slow
def test_joblib_and_submitit_local_give_identical_tables(joblib_table, tmp_path):
    finish(multirun(tmp_path, "hydra/launcher=submitit_local"))
    assert (tmp_path / ".submitit").is_dir()  # submitit really ran the jobs
    pd.testing.assert_frame_equal(table_of(tmp_path), joblib_table)


@pytest.mark.slow
def test_a_killed_sweep_resumes_to_the_same_table(joblib_table, tmp_path):
    sweep = multirun(tmp_path, start_new_session=True)
    deadline = time.monotonic() + 600
    while not list(tmp_path.glob("*/manifest.json")):
        assert sweep.poll() is None and time.monotonic() < deadline, "the sweep ended before any job finished"
        time.sleep(0.05)
    os.killpg(sweep.pid, signal.SIGKILL)  # the launcher and its workers, as a lost node would
    sweep.wait()
    done = len(list(tmp_path.glob("*/manifest.json")))
    assert 1 <= done < 4
    out = finish(multirun(tmp_path))
    assert out.count("skipped:") == done  # complete jobs are kept, the rest run again
    pd.testing.assert_frame_equal(table_of(tmp_path), joblib_table)


@pytest.mark.slow
def test_a_job_with_a_different_config_in_the_folder_is_run_again(tmp_path):
    args = ["population.n=500", "psa=none", "replications=2", "burn_in_days=10", "horizon_days=100",
            "primary_outcome=readmission_30", f"hydra.sweep.dir={tmp_path}"]
    for seed, expected in (("seed=1", 0), ("seed=1", 1), ("seed=2", 0)):
        run = subprocess.run([sys.executable, "-m", "sim", "-m", *args, seed], cwd=ROOT, capture_output=True,
                             text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        assert run.stdout.count("skipped:") == expected, seed


def test_the_slurm_launcher_config_composes_with_overrides():
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose("config", overrides=["hydra/launcher=slurm", "hydra.launcher.partition=short",
                                           "hydra.launcher.array_parallelism=8"], return_hydra_config=True)
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("SlurmLauncher")
    assert (launcher.partition, launcher.array_parallelism, launcher.cpus_per_task) == ("short", 8, 1)
