"""Acceptability, expected loss, EVPI and EVPPI against values computed by hand, in closed form and by LAPACK."""

import math

import numpy as np
import pytest
from scipy import stats

from sim.analysis.decision import acceptability as acc
from sim.analysis.decision.metamodel import GAMMA, LAMBDAS, RIDGE, Smoother, difference_penalty
from sim.analysis.decision.value_of_information import evppi, population_factor

# Two options, four equally likely draws of net benefit (by hand): the means are 25 and 27.5, so B is chosen;
# the draw-wise best is 30, 20, 50, 40 (mean 35), so EVPI = 35 - 27.5 = 7.5. Choosing A forgoes 20, 0, 20, 0
# (expected loss 10); choosing B forgoes 0, 10, 0, 20 (7.5 = EVPI). Each option is best in two draws.
HAND = np.array([[10.0, 30.0], [20.0, 10.0], [30.0, 50.0], [40.0, 20.0]])


def test_evpi_by_hand():
    assert acc.evpi(HAND) == 7.5
    assert acc.expected_loss(HAND).tolist() == [10.0, 7.5]
    assert acc.acceptability(HAND).tolist() == [0.5, 0.5]


def test_curves_from_costs_and_effects():
    """Net benefit t x effect - cost: at t = 0 the cheaper option is chosen and nothing is worth knowing."""
    costs = np.array([[100.0, 150.0], [100.0, 130.0]])
    effects = np.array([[1.0, 1.01], [1.0, 1.0]])
    low, high = acc.curves(costs, effects, [0.0, 10_000.0])
    assert low["optimal"] == 0 and low["evpi"] == 0.0 and low["frontier"] == 1.0
    # at 10,000: B's net benefit is +50 and -30 against A's: B chosen (mean +10), EVPI = (0 + 30) / 2
    assert high["optimal"] == 1 and high["evpi"] == 15.0 and high["acceptability"].tolist() == [0.5, 0.5]


def test_evpi_matches_the_normal_closed_form():
    """Two options with incremental net benefit ~ N(mu, sigma^2): EVPI = sigma phi(mu/sigma) - |mu| Phi(-|mu|/sigma)
    (the unit normal loss integral; Raiffa & Schlaifer 1961)."""
    mu, sigma, n = 200.0, 1000.0, 200_000
    inb = stats.norm(mu, sigma).ppf((np.arange(n) + 0.5) / n)  # the quantiles: a near-exact sample
    nmb = np.column_stack([np.zeros(n), inb])
    exact_value = sigma * stats.norm.pdf(mu / sigma) - abs(mu) * stats.norm.cdf(-abs(mu) / sigma)
    assert acc.evpi(nmb) == pytest.approx(exact_value, rel=1e-3)


def test_population_factor():
    assert population_factor(1000, 3, 0.035) == pytest.approx(1000 * (1 + 1 / 1.035 + 1 / 1.035 ** 2), rel=1e-15)
    assert population_factor(500, 4, 0.0) == 2000.0


def test_metamodel_matches_a_lapack_solve_and_its_gcv_choice():
    """The fixed-order solve equals NumPy's (LAPACK) to rounding, and GCV picks the same penalty weight."""
    rng = np.random.default_rng(1)
    x = rng.random((300, 2))
    y = np.sin(6 * x[:, 0]) + x[:, 1] ** 2 + rng.normal(0, 0.3, 300)
    smoother = Smoother(x)
    fit = smoother.fit(y)[0]
    basis, penalty = smoother.basis, np.array(smoother.penalty)
    scores = []
    for lam in LAMBDAS:
        a = basis.T @ basis + lam * penalty + RIDGE * np.eye(basis.shape[1])
        fitted = basis @ np.linalg.solve(a, basis.T @ y)
        trace = np.trace(np.linalg.solve(a, basis.T @ basis))
        scores.append((len(y) * np.sum((y - fitted) ** 2) / (len(y) - GAMMA * trace) ** 2, lam, fitted))
    _, lam, fitted = min(scores, key=lambda s: s[0])
    assert fit.lam == lam
    assert np.max(np.abs(fitted - fit.fitted)) < 1e-9
    truth = np.sin(6 * x[:, 0]) + x[:, 1] ** 2
    assert np.sqrt(np.mean((fit.fitted - truth) ** 2)) < 0.1  # the smooth recovers the signal under sd 0.3 noise


def test_difference_penalty():
    """Second differences: a straight line goes unpenalised, a kink does not."""
    p = difference_penalty(5)
    line, kink = np.arange(5.0), np.array([0.0, 0, 1, 0, 0])
    assert line @ p @ line == 0 and kink @ p @ kink == 6


def test_evppi_of_the_deciding_parameter_and_of_an_irrelevant_one():
    """Net benefit depends on a alone (plus noise): EVPPI(a) is close to the noise-free EVPI, EVPPI(b) near 0."""
    rng = np.random.default_rng(7)
    n = 400
    a, b = rng.random(n), rng.random(n)
    signal = 1000.0 * (a - 0.45)
    nmb = np.column_stack([np.zeros(n), signal + rng.normal(0, 200, n)])
    noise_free = acc.evpi(np.column_stack([np.zeros(n), signal]))
    on_a = evppi(a[:, None], nmb, seed=1)
    on_b = evppi(b[:, None], nmb, seed=1)
    assert on_a.value == pytest.approx(noise_free, rel=0.1)
    assert on_a.standard_error > 0 and on_a.value > 10 * on_a.standard_error
    assert on_b.value < 0.1 * noise_free
    assert on_a.value <= acc.evpi(nmb) + 1e-9
    again = evppi(a[:, None], nmb, seed=1)
    assert (again.value, again.standard_error) == (on_a.value, on_a.standard_error)


def test_a_parameter_that_never_varies_has_no_value():
    n = 50
    nmb = np.column_stack([np.zeros(n), np.linspace(-100, 100, n)])
    assert math.isclose(evppi(np.ones((n, 1)), nmb, seed=0).value, 0.0, abs_tol=1e-9)
