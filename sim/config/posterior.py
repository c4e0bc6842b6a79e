"""A posterior sample on disk: `posterior.csv` (a row per particle, a column per calibrated key, and its
weight) with `posterior.json` beside it (the calibrated programme and what made it).

A PSA draw or a predictive simulation picks one particle by weight, with one uniform quantile, so every
calibrated parameter comes from the same particle: the parameters are drawn jointly, never independently.
`python -m sim.calibrate --apply` copies the committed sample to `conf/setting/<setting>/`, where `psa=default` reads it
(it ships with the package, like the rest of the config).
"""

import functools
import math
from pathlib import Path

from sim.config.read_back import check_finite, positive_total, read_json, read_table
from sim.errors import ConfigError
from sim.paths import CHECKOUT, CONF

WEIGHT = "weight"


def resolve(path):
    """An absolute path as it is; `conf/...` in the package's config tree (so an installed copy finds the
    posterior it ships with); any other relative path in the checkout."""
    path = Path(path)
    if path.is_absolute():
        return path
    if path.parts[0] == "conf":
        return CONF.joinpath(*path.parts[1:])
    return CHECKOUT / path


@functools.lru_cache(maxsize=8)
def _read(path, stamp):
    frame = read_table(path, ("particle", WEIGHT))
    check_finite(path, frame, frame.columns)  # every calibrated value and weight a number
    if frame["particle"].duplicated().any():
        raise ConfigError(f"{path}: particle numbers repeat")
    positive_total(path, frame[WEIGHT], f"the {WEIGHT} column")
    meta_path = path.with_name("posterior.json")
    meta = read_json(meta_path) if meta_path.exists() else {}
    return frame.set_index("particle"), meta


def load(path):
    """(particles with weights, metadata) of a posterior.csv; a clear error if it is missing or malformed:
    readable, a particle and a weight column, finite numbers, weights that sum to a positive number."""
    path = resolve(path)
    if not path.is_file():
        raise ConfigError(f"psa.posterior = {path}: no such file (a setting's comes from python -m sim.calibrate "
                          "setting_name=<name> ... --apply; psa=none runs without one)")
    try:
        return _read(path, path.stat().st_mtime_ns)
    except ConfigError as err:
        raise ConfigError(f"psa.posterior = {err}") from None


def pick_with(frame, rng):
    """The particle at a uniform quantile in (0, 1) drawn from `rng` (53 bits, never 0 or 1)."""
    return pick(frame, (int(rng.integers(2 ** 53)) + 0.5) / 2 ** 53)


def pick(frame, q):
    """The row of the particle at quantile q in (0, 1) of the cumulative weights (stored order)."""
    target = q * math.fsum(frame[WEIGHT])
    running = 0.0
    for position, weight in enumerate(frame[WEIGHT]):
        running += float(weight)
        if target < running:
            return frame.iloc[position]
    return frame.iloc[-1]
