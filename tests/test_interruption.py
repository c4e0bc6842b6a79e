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
ARGS = ["population.n=3000", "replications=6", "burn_in_days=30", "horizon_days=400"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_killed_run_writes_nothing_and_the_rerun_completes(tmp_path, sig):
    out = tmp_path / "run"
    # The run gets SIGINT as from a terminal's Ctrl-C even when this test runs in a background job
    # (a non-interactive shell starts those with SIGINT ignored, and Python then keeps it ignored).
    proc = subprocess.Popen([sys.executable, "-m", "sim", *ARGS, f"hydra.run.dir={out}"], cwd=ROOT,
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
