"""Parallel sweeps, as a ratio: `python -m sim.launch_benchmark [--jobs 20]`.

Runs the same sweep (one job per seed) twice, one after the other: serially
through Hydra's basic launcher, then through the joblib launcher (the
default, one job per core). Prints both wall times, their ratio, and whether
the two gathered tables are identical. Machines here are shared and noisy:
read the ratio.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sim.cli.command import Parser, command, whole
from sim.cli.preflight import check_command_line
from sim.outputs.sweep import gather
from sim.paths import CHECKOUT

ROOT = CHECKOUT


def timed_sweep(folder, launcher, jobs, overrides):
    seeds = ",".join(str(s) for s in range(1, jobs + 1))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", "-m", *overrides, f"seed={seeds}", f"hydra/launcher={launcher}",
                    f"hydra.sweep.dir={folder}"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


@command()
def main(argv=None):
    parser = Parser(prog="sim.launch_benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=whole(1, 10_000), default=20, help="sweep jobs (one per seed)")
    parser.add_argument("--patients", type=whole(10, 10_000_000), default=2000)
    parser.add_argument("--replications", type=whole(1, 100_000), default=4)
    args = parser.parse_args(argv)
    overrides = [f"population.n={args.patients}", f"replications={args.replications}"]
    check_command_line(overrides)
    with tempfile.TemporaryDirectory() as tmp:
        serial = timed_sweep(Path(tmp) / "basic", "basic", args.jobs, overrides)
        parallel = timed_sweep(Path(tmp) / "joblib", "joblib", args.jobs, overrides)
        same = gather(Path(tmp) / "basic")[0].equals(gather(Path(tmp) / "joblib")[0])
    print(f"{args.jobs} jobs of {args.patients:,} patients x {args.replications} paired replications")
    print(f"serial (hydra/launcher=basic):  {serial:7.1f} s")
    print(f"joblib (hydra/launcher=joblib): {parallel:7.1f} s")
    print(f"speed-up: {serial / parallel:.2f}x; identical tables: {same}")
