"""An interrupted run leaves no folder that looks complete, says where it stopped, and the next run
in the same folder completes cleanly."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["population.n=3000", "psa=none", "replications=6", "burn_in_days=30", "horizon_days=400"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.slow
def test_killed_run_writes_nothing_and_the_rerun_completes(tmp_path, sig, jobs):
    out = tmp_path / "run"
    # The run gets SIGINT as from a terminal's Ctrl-C even when this test runs in a background job
    # (a non-interactive shell starts those with SIGINT ignored, and Python then keeps it ignored).
    proc = subprocess.Popen([sys.executable, "-m", "sim", *ARGS, f"jobs={jobs}", f"hydra.run.dir={out}"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "SIM_PROGRESS": "lines"},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen = ""
    deadline = time.monotonic() + 300
    while "replication 1/6 done" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.readline()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "interrupted:" in err and "of 6 replications had finished" in err
    assert not (out / "manifest.json").exists() and not (out / "summary.json").exists()
    assert not list(out.glob(".*.tmp"))
    rerun = subprocess.run([sys.executable, "-m", "sim", *ARGS, "replications=2", f"hydra.run.dir={out}"],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert (out / "manifest.json").exists() and (out / "summary.json").exists()


# A short run whose writing phase is stopped by the signal a script sends itself when one file lands (every
# result file is renamed into place with os.replace).
KILL_WHILE_WRITING = """
import os, signal, sys
real = os.replace
def replace(source, target):
    real(source, target)
    if os.path.basename(target) == {after!r}:
        os.kill(os.getpid(), signal.{signal})
os.replace = replace
sys.argv = ["sim", *{args!r}]
from sim.__main__ import cli
cli()
"""
SHORT = ["population.n=400", "psa=none", "replications=2", "burn_in_days=10",
         "horizon_days=60", "primary_outcome=readmission_30"]


def _run_into(out, *extra, kill_after=None, sig="SIGKILL"):
    args = [*SHORT, *extra, f"hydra.run.dir={out}"]
    if kill_after is None:
        command = [sys.executable, "-m", "sim", *args]
    else:
        command = [sys.executable, "-c", KILL_WHILE_WRITING.format(after=kill_after, signal=sig, args=args)]
    # SIGINT as from a terminal even under a background job, which starts children with SIGINT ignored
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


@pytest.mark.parametrize("after", ["replications.csv", "readmission.png", "summary.json"])
@pytest.mark.slow
def test_a_kill_while_results_are_written_leaves_no_manifest_in_a_reused_folder(tmp_path, after):
    """A folder holding a complete earlier result (another seed) is re-used; SIGKILL (no handler runs) after
    one of the new files is written must not leave the old manifest.json beside the new files."""
    out = tmp_path / "run"
    assert _run_into(out, "seed=1").returncode == 0 and (out / "manifest.json").exists()
    killed = _run_into(out, "seed=2", kill_after=after)
    assert killed.returncode == -signal.SIGKILL
    assert not (out / "manifest.json").exists()
    rerun = _run_into(out, "seed=2")
    assert rerun.returncode == 0, rerun.stderr
    assert '"seed": 2' in (out / "manifest.json").read_text()


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
@pytest.mark.slow
def test_ctrl_c_or_sigterm_while_results_are_written_removes_them(tmp_path, sig):
    """The handlers run: exit 130, and none of the result files (old or new) is left."""
    out = tmp_path / "run"
    assert _run_into(out, "seed=1").returncode == 0
    stopped = _run_into(out, "seed=2", kill_after="cost_effectiveness.png", sig=sig)
    assert stopped.returncode == 130, stopped.stderr
    assert "interrupted:" in stopped.stderr
    left = {p.name for p in out.iterdir()}
    assert not left & {"manifest.json", "summary.json", "replications.csv", "readmission.png",
                       "cost_effectiveness.png"}, left
    assert not list(out.glob(".*.tmp"))
