"""Per-patient records in the engines (`records.write`): each counted event of a patient added to its row of
`Patients.tally`, and the same discounted day by day at the cost and the outcome rate, so costs and QALYs can be
read per patient (`sim.analysis.records`). Without records the rows are absent and nothing is counted."""

import math

from numba.extending import register_jitable


@register_jitable(inline="always")
def add_to_record(p, i, kind, amount, cost_factor, outcome_factor):
    """Add `amount` of `kind` to patient i's record, and its value discounted by the day's two factors."""
    p.tally[i, kind] += amount
    p.tally_costs[i, kind] += amount * cost_factor
    p.tally_outcomes[i, kind] += amount * outcome_factor


@register_jitable(inline="always")
def tally(p, r, day, i, kind, amount):
    """Count `amount` of `kind` in patient i's record if records are kept and the day is counted: the per-patient
    twin of an event-table count, discounted from the start of the counted period as `arm_economics` does."""
    t = day - r.first_counted_day
    if p.tally.shape[0] == 0 or t < 0:
        return
    add_to_record(p, i, kind, amount, math.exp(-r.cost_discount_per_day * t),
                  math.exp(-r.outcome_discount_per_day * t))
