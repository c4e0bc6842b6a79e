"""The posterior sample: the last generation's particles and weights, written to
`results/calibration/posterior.csv` (with `posterior.json`: the calibrated programme and what made it) and,
by `python -m sim.calibrate --apply`, copied to `conf/psa/` where `psa=default` reads it (it ships with the
package, like the rest of the config).

A PSA draw or a predictive simulation picks one particle by weight, with one uniform quantile, so every
calibrated parameter comes from the same particle: the parameters are drawn jointly, never independently.
"""

import functools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.outputs.atomic import write_atomic, write_json
from sim.paths import CHECKOUT, CONF

WEIGHT = "weight"


def final_generation(history, settings):
    """The generation the settings end on: the first whose evaluations bring the total to `max_simulations`,
    else the last of `generations`, else the last stored. A database run further (a larger budget, or a run
    stopped late) gives the same posterior for the same settings."""
    populations = history.get_all_populations().sort_values("t")
    total = 0  # as pyabc counts: the calibration sample (t = -1) included
    for row in populations.itertuples():
        total += int(row.samples)
        if row.t >= 0 and (total >= settings["max_simulations"] or int(row.t) >= settings["generations"] - 1):
            return int(row.t)
    return int(history.max_t)


def from_history(history, keys, generation):
    """(the generation's particles in stored order with normalised weights, generation number)."""
    frame, w = history.get_distribution(m=0, t=generation)
    frame = frame[list(keys)].reset_index(drop=True)
    total = math.fsum(w)
    frame[WEIGHT] = [float(x) / total for x in w]
    return frame, int(generation)


def write(out, frame, meta):
    out = Path(out)
    write_atomic(out / "posterior.csv", lambda p: frame.to_csv(p, index_label="particle", float_format="%.17g"))
    write_json(out / "posterior.json", meta)


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
    frame = pd.read_csv(path, index_col="particle")
    meta_path = path.with_name("posterior.json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    return frame, meta


def load(path):
    """(particles with weights, metadata) of a posterior.csv; a clear error if it is missing or malformed."""
    path = resolve(path)
    if not path.is_file():
        raise ConfigError(f"psa.posterior = {path}: no such file (run python -m sim.calibrate)")
    frame, meta = _read(path, path.stat().st_mtime_ns)
    if WEIGHT not in frame.columns or len(frame) == 0 or not np.all(frame[WEIGHT] >= 0):
        raise ConfigError(f"psa.posterior = {path}: needs a {WEIGHT} column of non-negative weights and a row "
                          "per particle")
    return frame, meta


def pick(frame, q):
    """The row of the particle at quantile q in (0, 1) of the cumulative weights (stored order)."""
    target = q * math.fsum(frame[WEIGHT])
    running = 0.0
    for position, weight in enumerate(frame[WEIGHT]):
        running += float(weight)
        if target < running:
            return frame.iloc[position]
    return frame.iloc[-1]


def weighted_quantile(values, weights, q):
    """The smallest value whose cumulative weight (values in increasing order) reaches q of the total."""
    order = np.argsort(np.asarray(values, dtype=float), kind="stable")
    target = q * math.fsum(weights)
    running = 0.0
    for i in order:
        running += float(weights[i])
        if running >= target:
            return float(values[i])
    return float(values[order[-1]])
