"""Probabilistic sensitivity analysis: parameters drawn once per replication, centred on the run's own config.

An entry names a config key, a distribution and a spread. Its centre is the value the run is configured with
(after `program=...`, `setting=...` and command-line overrides), so the PSA follows the configuration instead of
replacing it with fixed means; the spread is relative (`cv`: sd = cv x |centre|) or, opt-in, absolute (`sd`),
and an absolute `mean` may replace the centre. The families are those of Briggs, Claxton & Sculpher (2006):
gamma for costs, beta for probabilities and utilities, normal or lognormal otherwise, each set by mean and sd.

Each key's draw maps one uniform quantile, from a generator seeded by (replication seed, key), through the
inverse CDF: a replication stays a pure function of (seed, replication) and the config, both arms share the
drawn config, and a sweep over programmes maps the same quantile through each programme's own distribution
(common random numbers across the uncertainty too). With `psa.posterior`, each draw first takes every
calibrated value from one particle of the calibration's posterior sample, picked by weight with one quantile
of its own (the calibrated parameters are drawn jointly, as the posterior has them, never one by one); a
programme's own calibrated keys (`program.*`) apply only to the programme that was calibrated. The quantile
is confined to the key's schema range
(inverse-CDF truncation: an exact truncated draw, no redraw loop), so every draw lies in range; `check_psa`
rejects, before any work, an entry the range would cut by more than MAX_CUT, as its draws would no longer be
centred on the configured value.
"""

import copy
import functools
import math
from dataclasses import fields, is_dataclass

import numpy as np
from scipy import stats

from sim.config import posterior
from sim.errors import ConfigError

PSA_STREAM = 2  # the PSA's seed-sequence stream (population 0, lived experience 1)
MAX_CUT = 0.05  # share of a distribution the key's range may cut: moves a normal's mean by at most ~0.1 sd


def _lookup(cfg, key):
    """(value, schema metadata) of a dotted key, walking config fields only (not attributes such as `.real`)."""
    *path, last = key.split(".")
    node = cfg
    for part in path:
        node = getattr(node, part) if is_dataclass(node) and part in {f.name for f in fields(node)} else None
    found = {f.name: f for f in fields(node)} if is_dataclass(node) else {}
    if last not in found or is_dataclass(getattr(node, last)):
        raise ConfigError(f"psa.parameters: key {key} is not a config key")
    return getattr(node, last), found[last].metadata


def _bounds(meta):
    """The key's schema range; an open end is infinite."""
    lo, hi = meta.get("lo"), meta.get("hi")
    return (-math.inf if lo is None else lo), (math.inf if hi is None else hi)


def _centre(p, value):
    """The configured value, unless the entry gives an absolute mean."""
    return value if p.mean is None else p.mean


SMALLEST_SPREAD = 1e-12  # in the key's unit: below it a spread is no spread (a family cannot be built on 1e-300)


def _spread(p, centre):
    """The sd: relative to the centre (`cv`) or absolute (`sd`); 0 below SMALLEST_SPREAD (a point)."""
    s = p.sd if p.sd is not None else p.cv * abs(centre)
    return s if s >= SMALLEST_SPREAD else 0.0


@functools.lru_cache(maxsize=1024)
def _family(name, m, s):
    """The frozen distribution of a family with mean m and sd s > 0 (cached: building one costs ~0.4 ms, and a
    key's distribution is the same in every replication)."""
    if name == "normal":
        return stats.norm(m, s)
    if name == "lognormal":
        sigma2 = math.log(1 + (s / m) ** 2)
        return stats.lognorm(math.sqrt(sigma2), scale=math.exp(math.log(m) - sigma2 / 2))
    if name == "gamma":
        return stats.gamma((m / s) ** 2, scale=s ** 2 / m)
    if name == "beta":
        k = m * (1 - m) / s ** 2 - 1
        return stats.beta(m * k, (1 - m) * k)
    half = s * math.sqrt(3)  # a uniform with this sd
    return stats.uniform(m - half, 2 * half)


@functools.lru_cache(maxsize=1024)
def _kept(name, m, s, lo, hi):
    """(mass below lo, mass inside [lo, hi]) of the family: the quantiles a draw truncated to the range uses."""
    dist = _family(name, m, s)
    below = float(dist.cdf(lo))
    return below, float(dist.cdf(hi)) - below


def _fit_error(distribution, m, s):
    """Why a family cannot have mean m and sd s, or None."""
    if distribution in ("gamma", "lognormal") and m <= 0:
        return f"a {distribution} needs a centre > 0"
    if distribution == "beta" and not (0 < m < 1 and s ** 2 < m * (1 - m)):
        return "a beta needs a centre in (0, 1) and sd^2 < centre (1 - centre)"
    return None


def _check_entry(cfg, p):
    """One entry: a numeric key, one spread, a distribution that has the centre and sd and fits the range."""
    value, meta = _lookup(cfg, p.key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"psa.parameters: {p.key} = {value!r} is not a number")
    if (p.cv is None) == (p.sd is None):
        raise ConfigError(f"psa.parameters: {p.key}: give exactly one spread, cv (relative to the centre) or sd")
    m = _centre(p, value)
    s = _spread(p, m)
    origin = "the configured value" if p.mean is None else "mean"
    lo, hi = _bounds(meta)
    if not lo <= m <= hi:
        raise ConfigError(f"psa.parameters: {p.key}: centre {m:g} ({origin}) is outside the key's range [{lo}, {hi}]")
    if s == 0:
        return  # a point: the centre itself (e.g. a programme without that effect)
    why = _fit_error(p.distribution, m, s)
    if why:
        raise ConfigError(f"psa.parameters: {p.key}: {why}; centre {m:g} ({origin}), sd {s:g}")
    cut = 1 - _kept(p.distribution, m, s, lo, hi)[1]
    if cut > MAX_CUT:
        raise ConfigError(f"psa.parameters: {p.key}: a {p.distribution} with centre {m:g} ({origin}) and sd {s:g} "
                          f"puts {cut:.0%} of its draws outside the key's range [{lo}, {hi}] (at most "
                          f"{MAX_CUT:.0%}): use a smaller spread or a family that fits the range")


def uncertain(cfg):
    """Whether a run draws parameters: independent entries, a posterior, or both."""
    return bool(cfg.psa.parameters or cfg.psa.posterior)


def calibrated_keys(cfg):
    """The keys a posterior draw sets for this run's programme (none without a posterior)."""
    if not cfg.psa.posterior:
        return []
    frame, meta = posterior.load(cfg.psa.posterior)
    keys = [c for c in frame.columns if c != posterior.WEIGHT]
    return [k for k in keys if not k.startswith("program.") or meta.get("program") == cfg.program.name]


def _check_posterior(cfg):
    frame, _ = posterior.load(cfg.psa.posterior)
    conflicting = set(calibrated_keys(cfg)) & {p.key for p in cfg.psa.parameters}
    for key in (c for c in frame.columns if c != posterior.WEIGHT):
        try:
            value, meta = _lookup(cfg, key)
        except ConfigError:
            raise ConfigError(f"psa.posterior = {cfg.psa.posterior}: column {key} is not a config key") from None
        lo, hi = _bounds(meta)
        if not (isinstance(value, float) and frame[key].between(lo, hi).all()):
            raise ConfigError(f"psa.posterior = {cfg.psa.posterior}: column {key} needs real values in [{lo}, {hi}]")
        if key in conflicting:
            raise ConfigError(f"psa.parameters: {key} is calibrated (psa.posterior draws it jointly with the other "
                              "calibrated keys): drop it from psa.parameters")


def check_psa(cfg):
    """Every entry against the run's config, so a PSA that cannot follow it stops before any work."""
    if cfg.psa.posterior:
        _check_posterior(cfg)
    seen = set()
    for p in cfg.psa.parameters:
        if p.key in seen:
            raise ConfigError(f"psa.parameters: {p.key} is listed twice")
        seen.add(p.key)
        _check_entry(cfg, p)


def quantile(seed, key):
    """The key's uniform quantile in (0, 1) of one replication: a function of (seed, key) alone, so adding or
    reordering entries leaves the other keys' draws unchanged."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), PSA_STREAM, *key.encode()]))
    return (int(rng.integers(2 ** 53)) + 0.5) / 2 ** 53


def draw(p, value, meta, q):
    """The entry's value at quantile q, centred on `value` (the configured one) and truncated to the key's range."""
    m = _centre(p, value)
    s = _spread(p, m)
    lo, hi = _bounds(meta)
    if s == 0:
        x = m
    else:
        below, inside = _kept(p.distribution, m, s, lo, hi)
        x = float(_family(p.distribution, m, s).ppf(below + q * inside))
    x = min(max(x, lo), hi)  # ppf's rounding at the ends
    return round(x) if isinstance(value, int) else x


POSTERIOR = "posterior"  # the quantile stream of the posterior particle


def posterior_values(cfg, seed):
    """{key: value} of the particle this draw takes from the posterior (empty without one)."""
    keys = calibrated_keys(cfg)
    if not keys:
        return {}
    frame, _ = posterior.load(cfg.psa.posterior)
    particle = posterior.pick(frame, quantile(seed, POSTERIOR))
    return {key: float(particle[key]) for key in keys}


def draws(cfg, seed):
    """{key: value}: one replication's draws: the posterior particle's calibrated values, then each entry
    centred on the config's own value of its key."""
    return {**posterior_values(cfg, seed),
            **{p.key: draw(p, *_lookup(cfg, p.key), quantile(seed, p.key)) for p in cfg.psa.parameters}}


def _set(cfg, key, value):
    """Set a dotted key on the (copied) config."""
    *path, last = key.split(".")
    node = cfg
    for part in path:
        node = getattr(node, part)
    setattr(node, last, value)


def sample(cfg, seed):
    """(the config with this replication's draws, {key: value}); the config itself if there is no PSA."""
    if not uncertain(cfg):
        return cfg, {}
    drawn = copy.deepcopy(cfg)
    values = draws(cfg, seed)
    for key, value in values.items():
        _set(drawn, key, value)
    return drawn, values
