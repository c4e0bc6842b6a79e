"""One-way, two-way and threshold analysis of net monetary benefit, on paired runs with common random numbers.

Every point is the same experiment (the same seeds, so the same patients and the same random numbers) with
one or two parameters set: the difference between two points is the parameters' effect, not Monte Carlo
noise. A threshold is where the programme's net monetary benefit against usual care crosses zero, so the
decision changes: found by Brent's method (scipy's `brentq`) on the evaluated points, to a tolerance given
as a share of the bracket.
"""

from scipy import optimize

XTOL = 1e-3  # of the bracket's width: finer than any range a parameter is known to


def one_way(base, ends):
    """Tornado rows, widest swing first: {key: (low value, high value)} and {key: (nmb at low, nmb at high)}
    as `ends`, around the base case's net benefit."""
    rows = [{"parameter": key, "low": values[0], "high": values[1], "nmb_low": nmb[0], "nmb_high": nmb[1],
             "swing": abs(nmb[1] - nmb[0]), "base_nmb": base} for key, (values, nmb) in ends.items()]
    return sorted(rows, key=lambda r: -r["swing"])


class NoCrossing(Exception):
    """The net benefit keeps one sign over the bracket: no threshold there."""


def crossing(evaluate, low, high, xtol=XTOL):
    """The x in [low, high] where evaluate(x), the net benefit, crosses zero."""
    at_low, at_high = evaluate(low), evaluate(high)
    if at_low == 0:
        return low
    if at_high == 0:
        return high
    if (at_low > 0) == (at_high > 0):
        raise NoCrossing(f"net benefit {at_low:,.2f} at {low:g} and {at_high:,.2f} at {high:g}: the same sign")
    return optimize.brentq(evaluate, low, high, xtol=xtol * (high - low), maxiter=100)
