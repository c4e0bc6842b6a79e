"""The calibration's posterior sample: the particles and weights of the generation the budget ends on, read
from pyabc's history and written to `results/calibration/england/posterior.csv` and `posterior.json`
(`sim.config.posterior` reads them back), and weighted quantiles for the diagnostics.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.posterior import WEIGHT, pick_with
from sim.outputs.atomic import write_atomic, write_json


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


def joined(frame, shared, seed):
    """A setting's base-rate particles, each given the other keys of one particle of the shared posterior,
    picked by weight with a generator seeded by the calibration's seed: a sample of the two posteriors taken
    as independent (the base rates were fitted with the shared keys drawn from it on every evaluation)."""
    others = [c for c in shared.columns if c != WEIGHT and c not in frame.columns]
    rng = np.random.default_rng(seed)
    extra = pd.DataFrame([pick_with(shared, rng)[others] for _ in range(len(frame))]).reset_index(drop=True)
    keys = [c for c in frame.columns if c != WEIGHT]
    return frame[keys].join(extra).assign(**{WEIGHT: frame[WEIGHT].to_numpy()})


def write(out, frame, meta):
    out = Path(out)
    write_atomic(out / "posterior.csv", lambda p: frame.to_csv(p, index_label="particle", float_format="%.17g"))
    write_json(out / "posterior.json", meta)


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

