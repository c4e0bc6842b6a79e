"""How sure a decision-maker can be, over the parameter draws: net monetary benefit, acceptability curves and
frontier, expected loss and the expected value of perfect information.

Inputs are per-draw mean costs and effects (draws x options). At a threshold t an option's net monetary
benefit is t x effect - cost. Its acceptability is the share of draws in which it has the highest net
benefit; the acceptability frontier is the acceptability of the option with the highest expected net
benefit, the one to fund (Fenwick, Claxton & Sculpher, Health Econ 2001;10:779-87). An option's expected
loss is the mean, over draws, of the net benefit forgone by choosing it rather than the draw's best; the
lowest expected loss is the EVPI (Eckermann, Briggs & Willan, Med Decis Making 2008;28:21-32; Alarid-Escudero
et al., PharmacoEconomics 2019;37:1329-39). Every mean is correctly rounded (`sim.analysis.exact`).
"""

import numpy as np

from sim.analysis import exact


def net_benefit(costs, effects, threshold):
    """Per draw and option: threshold x effect - cost."""
    return threshold * np.asarray(effects, dtype=float) - np.asarray(costs, dtype=float)


def expected(values):
    """Each column's correctly rounded mean."""
    return np.array(exact.column_means(values))


def best_by_draw(nmb):
    """Per draw, the index of the option with the highest net benefit (the first of equals)."""
    return np.argmax(nmb, axis=1)


def acceptability(nmb):
    """Each option's share of draws in which it has the highest net benefit."""
    best = best_by_draw(nmb)
    return np.array([exact.share(best == j) for j in range(nmb.shape[1])])


def expected_loss(nmb):
    """Each option's mean net benefit forgone against the draw's best option."""
    return expected(np.max(nmb, axis=1, keepdims=True) - nmb)


def evpi(nmb):
    """Expected value of perfect information per person: mean of the draw-wise best minus the best mean."""
    return exact.mean(np.max(nmb, axis=1)) - float(np.max(expected(nmb)))


def curves(costs, effects, thresholds):
    """Per threshold: each option's acceptability and expected loss, the option with the highest expected net
    benefit (its index), the acceptability frontier and the EVPI, as columns of arrays."""
    rows = []
    for t in thresholds:
        nmb = net_benefit(costs, effects, t)
        means = expected(nmb)
        chosen = int(np.argmax(means))
        accept = acceptability(nmb)
        rows.append({"threshold": float(t), "acceptability": accept, "expected_loss": expected_loss(nmb),
                     "optimal": chosen, "frontier": float(accept[chosen]), "evpi": evpi(nmb)})
    return rows
