"""Per-patient records in the engines (`records.write`): each counted event of a patient added to its
`Patients.record`, as it is and discounted day by day at the cost and the outcome rate, so costs and QALYs can
be read per patient (`sim.analysis.records`).

Without records the record column is an empty one-dimensional array, a different type, for which Numba compiles
`tally` and `record_day` as nothing at all: the kernels run as they ran before records existed. In Python (the
Mesa engine) the same test is made at run time.
"""

import math

from numba.core import types
from numba.extending import overload, register_jitable

from sim.model.columns import RECORD_COSTS, RECORD_COUNT, RECORD_OUTCOMES, TALLY_ALIVE_DAYS, TALLY_HOPE_MICRO


def _kept(p_type):
    """Whether a Patients type carries records (a three-dimensional record column)."""
    return isinstance(p_type, types.BaseNamedTuple) and p_type[p_type.fields.index("record")].ndim == 3


@register_jitable(inline="always")
def add_to_record(p, i, kind, amount, cost_factor, outcome_factor):
    """Add `amount` of `kind` to patient i's record, and its value discounted by the day's two factors."""
    p.record[i, RECORD_COUNT, kind] += amount
    p.record[i, RECORD_COSTS, kind] += amount * cost_factor
    p.record[i, RECORD_OUTCOMES, kind] += amount * outcome_factor


def _tally_kept(p, r, day, i, kind, amount):
    t = day - r.first_counted_day
    if t >= 0:
        add_to_record(p, i, kind, amount, math.exp(-r.cost_discount_per_day * t),
                      math.exp(-r.outcome_discount_per_day * t))


def tally(p, r, day, i, kind, amount):
    """Count `amount` of `kind` in patient i's record if records are kept and the day is counted: the per-patient
    twin of an event-table count, discounted from the start of the counted period as `arm_economics` does."""
    if p.record.ndim == 3:
        _tally_kept(p, r, day, i, kind, amount)


@overload(tally, inline="always")
def _tally(p, r, day, i, kind, amount):
    return _tally_kept if _kept(p) else (lambda p, r, day, i, kind, amount: None)


def _record_day_kept(p, i, micro, cost_factor, outcome_factor):
    add_to_record(p, i, TALLY_ALIVE_DAYS, 1, cost_factor, outcome_factor)
    add_to_record(p, i, TALLY_HOPE_MICRO, micro, cost_factor, outcome_factor)


def record_day(p, i, micro, cost_factor, outcome_factor):
    """A counted day alive, with its hope above 0.5 in millionths, in patient i's record (if records are kept)."""
    if p.record.ndim == 3:
        _record_day_kept(p, i, micro, cost_factor, outcome_factor)


@overload(record_day, inline="always")
def _record_day(p, i, micro, cost_factor, outcome_factor):
    return _record_day_kept if _kept(p) else (lambda p, i, micro, cost_factor, outcome_factor: None)
