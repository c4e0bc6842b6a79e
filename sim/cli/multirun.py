"""A Hydra multirun of `python -m sim`, as the studies launch it."""

import subprocess
import sys

from sim.paths import CHECKOUT


def multirun(overrides):
    """`python -m sim -m <overrides>` through the configured launcher; every job is checked before any
    runs (exit status 2 on bad input). Returns the exit status."""
    return subprocess.run([sys.executable, "-m", "sim", "-m", *overrides], cwd=CHECKOUT).returncode
