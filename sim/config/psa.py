"""Probabilistic sensitivity analysis: parameters drawn once per replication, shared by every arm.

Each listed config key gets a value from its distribution (parameterised by
mean and standard deviation) from a generator seeded by the replication seed,
so a replication is still a pure function of (seed, replication) and both arms
see the same draw (common random numbers across the uncertainty too). Being
known in advance, every replication's draws are range-checked by `validate`
like the key's own value, before any work starts.
"""

import copy
import math
from dataclasses import fields, is_dataclass

import numpy as np

from sim.errors import ConfigError


def _get(cfg, key):
    """The value of a dotted key, walking config fields only (not attributes such as an int's `.real`)."""
    node = cfg
    for part in key.split("."):
        if not is_dataclass(node) or part not in {f.name for f in fields(node)}:
            raise ConfigError(f"psa.parameters: key {key} is not a config key")
        node = getattr(node, part)
    return node


def key_type(cfg, key):
    """The type a draw takes when set: the key's own (an integer key truncates the draw)."""
    return type(_get(cfg, key))


def _set(cfg, key, value):
    *path, last = key.split(".")
    node = cfg
    for part in path:
        node = getattr(node, part)
    setattr(node, last, key_type(cfg, key)(value))


def check_psa(cfg):
    """Every PSA key names a numeric parameter; every distribution can be built from its mean and sd."""
    for p in cfg.psa.parameters:
        value = _get(cfg, p.key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"psa.parameters: {p.key} = {value!r} is not a number")
        if p.distribution in ("gamma", "lognormal") and p.mean <= 0:
            raise ConfigError(f"psa.parameters: {p.key}: a {p.distribution} needs mean > 0, got {p.mean}")
        if p.distribution == "beta" and not (0 < p.mean < 1 and p.sd ** 2 < p.mean * (1 - p.mean)):
            raise ConfigError(f"psa.parameters: {p.key}: a beta needs 0 < mean < 1 and sd^2 < mean (1 - mean)")


def draw(p, rng):
    """One value of a PSA parameter."""
    m, s = p.mean, p.sd
    if s == 0:
        return m
    if p.distribution == "normal":
        return rng.normal(m, s)
    if p.distribution == "lognormal":
        sigma2 = math.log(1 + (s / m) ** 2)
        return rng.lognormal(math.log(m) - sigma2 / 2, math.sqrt(sigma2))
    if p.distribution == "gamma":
        return rng.gamma((m / s) ** 2, s ** 2 / m)
    if p.distribution == "beta":
        k = m * (1 - m) / s ** 2 - 1
        return rng.beta(m * k, (1 - m) * k)
    half = s * math.sqrt(3)  # a uniform with this sd
    return rng.uniform(m - half, m + half)


def draws(cfg, seed):
    """{key: value}: one replication's draws, from a generator seeded by its replication seed alone."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 2]))
    return {p.key: draw(p, rng) for p in cfg.psa.parameters}


def sample(cfg, seed):
    """(the config with this replication's draws, {key: value}); the config itself if there is no PSA."""
    if not cfg.psa.parameters:
        return cfg, {}
    drawn = copy.deepcopy(cfg)
    values = draws(cfg, seed)
    for key, value in values.items():
        _set(drawn, key, value)
    return drawn, values
