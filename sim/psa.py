"""Probabilistic sensitivity analysis: parameters drawn once per replication, shared by every arm.

Each listed config key gets a value from its distribution (parameterised by
mean and standard deviation) from a generator seeded by the replication seed,
so a replication is still a pure function of (seed, replication) and both arms
see the same draw (common random numbers across the uncertainty too).
"""

import copy
import math

import numpy as np

from sim.errors import ConfigError


def _get(cfg, key):
    node = cfg
    for part in key.split("."):
        if not hasattr(node, part):
            raise ConfigError(f"psa.parameters: key {key} is not a config key")
        node = getattr(node, part)
    return node


def _set(cfg, key, value):
    *path, last = key.split(".")
    node = cfg
    for part in path:
        node = getattr(node, part)
    setattr(node, last, type(getattr(node, last))(value))


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


def sample(cfg, seed):
    """(the config with this replication's draws, {key: value}); the config itself if there is no PSA."""
    if not cfg.psa.parameters:
        return cfg, {}
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 2]))
    drawn = copy.deepcopy(cfg)
    values = {}
    for p in cfg.psa.parameters:
        values[p.key] = draw(p, rng)
        _set(drawn, p.key, values[p.key])
    return drawn, values
