"""The plain verdict on the primary outcome: does the programme change readmissions by an amount that matters?

A confidence interval over replications measures Monte Carlo error, which
common random numbers make tiny, so "the interval excludes 0" says nothing
about whether an effect matters. The verdict instead compares the interval of
the effect (intervention - comparator; negative = fewer readmissions) with a
minimal important difference MID > 0:

- lowers readmissions: high < -MID (a one-sided test against -MID at (1 - level) / 2);
- raises readmissions: low > MID;
- no effect worth having: -MID < low and high < MID (equivalence by two one-sided tests at the same level);
- inconclusive otherwise, with what would settle it.

The strict rule for "lowers" (the whole interval beyond the MID), rather than
"the interval excludes 0 and the point estimate is beyond the MID", makes the
decisive labels mutually exclusive in truth: each claims a region of true
effects (below -MID, within +-MID, above MID) disjoint from the others', and
reaching a label whose region does not hold the truth takes a one-sided error
of at most (1 - level) / 2. So a label can change into another decisive one
only through a 2.5% error, which is what doubling the replications must be
able to test; under the looser rule a true effect just beyond -MID would flip
between "lowers" and "no effect worth having" half the time. The interval is the
Monte Carlo CI without parameter uncertainty and the prediction interval over
parameter draws with it (sim/analysis/statistics.py).

"Wastes resources" is a separate statement: no effect worth having, at an
incremental cost above 0 with confidence.
"""

import math

from scipy import stats

from sim.analysis.statistics import PARAMETERS

LOWERS = "lowers readmissions"
RAISES = "raises readmissions"
NO_EFFECT = "no effect worth having"
INCONCLUSIVE = "inconclusive"

VERDICT_RULE = ("The programme lowers (raises) readmissions if the whole interval of its effect on the primary "
                "outcome lies below minus (above plus) the minimal important difference, and has no effect worth "
                "having if the whole interval lies within plus or minus that difference; otherwise the verdict is "
                "inconclusive. The interval is the Monte Carlo confidence interval of the mean over paired "
                "replications, or with parameter uncertainty the prediction interval over parameter draws.")


def minimal_difference(verdict_cfg, comparator_mean):
    """The MID in the outcome's unit: as configured (absolute) or as a fraction of usual care's mean."""
    if verdict_cfg.scale == "relative":
        return verdict_cfg.difference * comparator_mean
    return verdict_cfg.difference


def label(low, high, mid):
    """The verdict's label from the interval [low, high] (NaN bounds, no interval: inconclusive)."""
    if high < -mid:
        return LOWERS
    if low > mid:
        return RAISES
    if -mid < low and high < mid:
        return NO_EFFECT
    return INCONCLUSIVE


def _one_sided_p(distance, scale, df):
    """p-value of a one-sided t-test that the effect lies `distance` inside a boundary."""
    if scale == 0.0:
        return 0.0 if distance > 0 else 1.0
    return float(stats.t.sf(distance / scale, df))


def tost_p(effect, mid):
    """Two one-sided tests of equivalence within +-MID: the larger of the two p-values, on the same scale
    and degrees of freedom as the verdict's interval, so p < (1 - level) / 2 exactly when the label is
    'no effect worth having'."""
    if effect["n"] < 2:
        return math.nan
    m, scale, df = effect["mean"], effect["scale"], effect["n"] - 1
    return max(_one_sided_p(m + mid, scale, df), _one_sided_p(mid - m, scale, df))


def _t(effect):
    return float(stats.t.ppf(0.5 + effect["level"] / 2, effect["n"] - 1))


def _settle_by_replications(effect, distance):
    """Without parameter uncertainty: the fewest replications whose t interval's half-width fits in
    `distance`, counting up from the normal quantile's answer (a lower bound: t exceeds z)."""
    q = 0.5 + effect["level"] / 2
    needed = max(2, math.ceil((float(stats.norm.ppf(q)) * effect["sd"] / distance) ** 2))
    while float(stats.t.ppf(q, needed - 1)) * effect["sd"] / math.sqrt(needed) >= distance:
        needed += 1
    return f"about {needed:,} replications would settle it"


def _settle_by_draws(effect, distance):
    """With parameter uncertainty: inner replications per draw that shrink the Monte Carlo part enough, unless
    the parameter part alone already reaches a boundary."""
    variance = effect["variance"]
    if variance is None:
        return "run at least 2 replications per draw to measure the Monte Carlo part of the uncertainty"
    t, inflation = _t(effect), 1 + 1 / effect["n"]
    room = (distance / t) ** 2 / inflation - variance["parameters"]
    if room <= 0:
        return ("more replications cannot settle it: the parameter uncertainty alone spans the minimal important "
                "difference; research on the uncertain parameters would (value of information)")
    needed = math.ceil(effect["within_sd"] ** 2 / room)
    return f"about {needed:,} replications per parameter draw would settle it"


def settle(effect, mid):
    """What would turn an inconclusive verdict into a decisive one."""
    if effect["n"] < 2:
        return "one replication gives no interval: run at least 2"
    distance = min(abs(effect["mean"] + mid), abs(effect["mean"] - mid))
    if distance == 0.0:
        return "the estimate sits on the minimal important difference: no number of replications can settle it"
    if effect["interval"] == PARAMETERS:
        return _settle_by_draws(effect, distance)
    return _settle_by_replications(effect, distance)


def qualifier(verdict_label, low, high):
    """The direction the interval shows when the label is not decisive about it."""
    if verdict_label in (LOWERS, RAISES):
        return None
    size = "by less than" if verdict_label == NO_EFFECT else "by less than, or uncertainly beyond,"
    if high < 0:
        return f"lowers readmissions, but {size} the minimal important difference"
    if low > 0:
        return f"raises readmissions, but {size} the minimal important difference"
    return None


def judge(effect, mid):
    """The verdict on one effect summary against the MID: label, qualifier, what would settle it, TOST p."""
    verdict_label = label(effect["ci_low"], effect["ci_high"], mid)
    return {"label": verdict_label, "qualifier": qualifier(verdict_label, effect["ci_low"], effect["ci_high"]),
            "settle": settle(effect, mid) if verdict_label == INCONCLUSIVE else None,
            "tost_p": tost_p(effect, mid)}


def wastes_resources(verdict_label, incremental_cost):
    """No effect worth having at an incremental cost above 0 with confidence: (bool, sentence or None)."""
    wasted = verdict_label == NO_EFFECT and incremental_cost["ci_low"] > 0
    if not wasted:
        return False, None
    return True, (f"wastes resources: no effect worth having on readmissions at a higher cost "
                  f"({incremental_cost['mean']:+,.0f} per patient-year, interval {incremental_cost['ci_low']:+,.0f} "
                  f"to {incremental_cost['ci_high']:+,.0f})")
