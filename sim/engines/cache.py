"""Compiled kernels are cached in a folder named by a hash of the package's source.

Numba's own cache is keyed only by the file that defines a kernel, so an
edited rule in another module (the rules are compiled into the kernels) would
silently run stale machine code. A folder per source hash makes every edit
recompile. It must be set before the kernels are defined: `sim.engines` does
it when it is first imported, and every process (joblib's workers too) finds
the same folder.
"""

import hashlib
import os
from pathlib import Path

import numba

PACKAGE = Path(__file__).resolve().parents[1]


def source_key():
    """A hash of every Python file of the package, in a fixed order."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def use_source_keyed_cache():
    """Point Numba's cache at <NUMBA_CACHE_DIR or ~/.cache/peer-support-sim/numba>/<source key>."""
    base = os.environ.get("NUMBA_CACHE_DIR") or os.path.join(Path.home(), ".cache", "peer-support-sim", "numba")
    numba.config.CACHE_DIR = os.path.join(base, source_key())
