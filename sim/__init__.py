"""peer-support-sim: does peer support lower psychiatric readmissions, or just spend money?"""

import hashlib
import os
from pathlib import Path

import numba


def _use_source_keyed_numba_cache():
    """Keep compiled kernels in a cache folder named by a hash of this package's source.

    Numba's own cache is keyed only by the file that defines a kernel, so an
    edited rule in another module would silently run stale machine code. A
    folder per source hash makes every edit recompile.
    """
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(here.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    key = digest.hexdigest()[:16]
    base = os.environ.get("NUMBA_CACHE_DIR") or os.path.join(Path.home(), ".cache", "peer-support-sim", "numba")
    if Path(base).name != key:  # a child process inherits the keyed folder already
        base = os.path.join(base, key)
    # Numba re-reads its config from the environment, so set both.
    os.environ["NUMBA_CACHE_DIR"] = base
    numba.config.CACHE_DIR = base


_use_source_keyed_numba_cache()
__version__ = "0.1.0"
