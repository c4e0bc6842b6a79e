"""The value of further research: EVPI scaled to the population a decision affects, and EVPPI for named
groups of parameters by a regression metamodel.

EVPPI of a group is mean over draws of the best option's fitted net benefit given the group, minus the best
expected net benefit, each option's incremental net benefit (against the first option) regressed on the
group's parameters (Strong, Oakley & Brennan, Med Decis Making 2014;34:311-26). Its standard error comes
from re-computing it with fitted values drawn from the regression coefficients' approximate posterior, as
they do. A per-person value is scaled by the people affected each year over the decision's horizon,
discounted: N x sum_{t=0}^{T-1} (1 + r)^-t.
"""

import math
from dataclasses import dataclass

import numpy as np

from sim.analysis import exact
from sim.analysis.decision.metamodel import Smoother

STANDARD_ERROR_DRAWS = 200  # draws of the fitted values for EVPPI's standard error; assumption (SE of an SE ~5%)


def population_factor(people_per_year, years, discount_rate):
    """The discounted number of people a decision affects: N x sum over years t = 0..T-1 of (1 + r)^-t."""
    return people_per_year * math.fsum((1.0 + discount_rate) ** -t for t in range(years))


def _value(fitted_incremental):
    """EVPPI from fitted incremental net benefits (draws x options, the reference's column all zero)."""
    return exact.mean(np.max(fitted_incremental, axis=1)) - float(np.max(exact.column_means(fitted_incremental)))


@dataclass
class Evppi:
    value: float  # per person
    standard_error: float
    parameters: list


def evppi(parameters, nmb, seed, names=None):
    """EVPPI per person of the parameters (draws x p) for net benefits nmb (draws x options), with its standard
    error (STANDARD_ERROR_DRAWS draws from a generator seeded by `seed`)."""
    nmb = np.asarray(nmb, dtype=float)
    incremental = nmb[:, 1:] - nmb[:, :1]
    smoother = Smoother(parameters)
    fits = smoother.fit(incremental)
    zeros = np.zeros((nmb.shape[0], 1))
    value = _value(np.column_stack([zeros, *[f.fitted for f in fits]]))
    rng = np.random.default_rng(seed)
    draws = [smoother.fitted_draws(f, rng, STANDARD_ERROR_DRAWS) for f in fits]
    values = [_value(np.column_stack([zeros, *[d[i] for d in draws]])) for i in range(STANDARD_ERROR_DRAWS)]
    return Evppi(value, exact.std(values), list(names or []))
