"""Two ways of visiting patients over the same decisions: the Numba kernels and the Mesa agents.

Importing this package points Numba's cache at a folder keyed by the package's source (`cache.py`), before
any kernel is defined.
"""

from sim.engines.cache import use_source_keyed_cache

use_source_keyed_cache()
