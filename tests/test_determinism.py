"""Same config and seed, same results: whatever the Numba thread count or hash seed of the process."""

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numba
import numpy as np
import pytest

from sim.engines.model import CareSystemModel, numba_threads

from .conftest import make_cfg

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["population.n=400", "psa=none", "replications=2", "burn_in_days=20", "horizon_days=120",
        "primary_outcome=readmission_30"]
# long enough that a BLAS kernel's summation order shows in the discounted totals
BLAS_ARGS = ["population.n=600", "psa.draws=3", "replications=1", "burn_in_days=30", "horizon_days=365",
             "primary_outcome=readmission_30"]


def _run(out, threads, hash_seed):
    env = {**os.environ, "NUMBA_NUM_THREADS": "2", "PYTHONHASHSEED": str(hash_seed)}
    run = subprocess.run([sys.executable, "-m", "sim", *ARGS, f"threads={threads}", f"hydra.run.dir={out}"],
                         cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return (out / "replications.csv").read_bytes(), (out / "summary.json").read_bytes()


@pytest.mark.slow
def test_results_identical_across_thread_counts(tmp_path):
    """The parallel phases (network support, hope and the relapse draw) on one thread and on two."""
    assert _run(tmp_path / "one", threads=1, hash_seed=0) == _run(tmp_path / "two", threads=2, hash_seed=0)
    manifest = json.loads((tmp_path / "two" / "manifest.json").read_text())
    assert manifest["numba_threads"] == 2 and manifest["config"]["threads"] == 2


@pytest.mark.slow
def test_results_identical_across_hash_seeds(tmp_path):
    assert _run(tmp_path / "a", threads=1, hash_seed=1) == _run(tmp_path / "b", threads=1, hash_seed=987)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs a process that allows 2 Numba threads")
def test_the_parallel_phases_agree_with_one_thread_in_process(small_cfg):
    """Every patient and worker column and the event table, after a year at 1,000 patients with a
    mutual-help programme (group ties read other patients' hope), on 1 and on 2 threads."""
    runs = {}
    for threads in (1, 2):
        cfg = replace(small_cfg, threads=threads, program=make_cfg("program=mutual_help").program)
        model = CareSystemModel(cfg, agent_views=False)
        with numba_threads(threads):
            assert numba.get_num_threads() == threads
        runs[threads] = model.run()
    one, two = runs[1], runs[2]
    assert np.array_equal(one.events, two.events)
    for name in one.patients._fields:
        assert np.array_equal(getattr(one.patients, name), getattr(two.patients, name)), name
    for name in one.workers._fields:
        assert np.array_equal(getattr(one.workers, name), getattr(two.workers, name)), name
    assert one.events[:, 0].sum() > 0


def _avx2():
    try:
        return "avx2" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


# Environments that change what the CPU-specific code does: OpenBLAS's kernel and thread count, and an
# older CPU emulated on this one (Numba kernels compiled for generic x86-64, glibc's libm without its
# AVX2/FMA code paths, OpenBLAS's SSE3 kernel).
OLDER_CPU = {"NUMBA_CPU_NAME": "generic", "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F",
             "OPENBLAS_CORETYPE": "Prescott"}
CPU_SETTINGS = {
    "prescott-1-thread": {"OPENBLAS_CORETYPE": "Prescott", "OPENBLAS_NUM_THREADS": "1"},
    "haswell-1-thread": {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1"},
    "haswell-2-threads": {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "2"},
    "older-cpu": OLDER_CPU,
}


@pytest.mark.slow
@pytest.mark.skipif(not _avx2(), reason="needs an x86-64 CPU with AVX2, so OpenBLAS can run both kernels")
def test_results_identical_across_blas_kernels_threads_and_cpu_features(tmp_path):
    """Costs and QALYs once went through BLAS (`@`) and changed in the 16th digit with the CPU's kernel.
    The same job under each setting of CPU_SETTINGS writes the same replications.csv bytes."""
    runs = {}
    for name, settings in CPU_SETTINGS.items():
        out = tmp_path / name
        run = subprocess.run([sys.executable, "-m", "sim", *BLAS_ARGS, f"hydra.run.dir={out}"], cwd=ROOT,
                             env={**os.environ, **settings}, capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stderr
        runs[name] = (out / "replications.csv").read_bytes()
    assert len(set(runs.values())) == 1, [name for name in runs if runs[name] != runs["prescott-1-thread"]]
