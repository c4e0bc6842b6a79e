"""Parallel sweeps, as a ratio: `python -m sim.launch_benchmark [--jobs 20]`.

Runs the same sweep (one job per seed) twice, one after the other: serially
through Hydra's basic launcher, then through the joblib launcher (the
default, one job per core). Prints both wall times, their ratio, and whether
the two gathered tables are identical. Machines here are shared and noisy:
read the ratio.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sim.outputs.sweep import gather
from sim.paths import CHECKOUT

ROOT = CHECKOUT


def timed_sweep(folder, launcher, jobs, overrides):
    seeds = ",".join(str(s) for s in range(1, jobs + 1))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", "-m", *overrides, f"seed={seeds}", f"hydra/launcher={launcher}",
                    f"hydra.sweep.dir={folder}"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20, help="sweep jobs (one per seed)")
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--replications", type=int, default=4)
    args = parser.parse_args(argv)
    overrides = [f"population.n={args.patients}", f"replications={args.replications}"]
    with tempfile.TemporaryDirectory() as tmp:
        serial = timed_sweep(Path(tmp) / "basic", "basic", args.jobs, overrides)
        parallel = timed_sweep(Path(tmp) / "joblib", "joblib", args.jobs, overrides)
        same = gather(Path(tmp) / "basic")[0].equals(gather(Path(tmp) / "joblib")[0])
    print(f"{args.jobs} jobs of {args.patients:,} patients x {args.replications} paired replications")
    print(f"serial (hydra/launcher=basic):  {serial:7.1f} s")
    print(f"joblib (hydra/launcher=joblib): {parallel:7.1f} s")
    print(f"speed-up: {serial / parallel:.2f}x; identical tables: {same}")
