"""Care-system bookkeeping shared by both engines: the start-of-day snapshot, peer slots, events.

These functions take arrays and scalars (never a whole state tuple: Numba then
refcounts every column on each call, which made a prototype 80x slower).
What patients read about each other comes from the start-of-day snapshot, and
beds and peer slots are handed out in patient-index order: that is why the
phased Numba loops and agent-by-agent Mesa stepping give the same result.
"""

from numba.extending import register_jitable

from sim import events as ev
from sim.columns import COMMUNITY, INPATIENT, NEVER, NO_WORKER
from sim.rules import awaits_followup


@register_jitable
def begin_day(p, w, c, snap, events, n_beds, followup_window_days, day):
    """Take the start-of-day snapshot: hope, states, free beds, caseloads and clinician load.

    Peer relationships that reach their end day are closed here, so a freed
    slot reopens at the start of a day, never in the middle of one. Beds free
    today are those free at the start of the day plus today's scheduled discharges.
    """
    occupied = 0
    leaving = 0
    enrolled = 0
    w.caseload[:] = 0
    c.load[:] = 0
    for i in range(p.state.size):
        s = p.state[i]
        snap.state[i] = s
        snap.hope[i] = p.hope[i]
        if s == INPATIENT:
            occupied += 1
            if p.days_left[i] == 1:
                leaving += 1
        k = p.peer_worker[i]
        if k != NO_WORKER and day >= p.peer_end_day[i]:
            p.peer_worker[i] = NO_WORKER
        elif k != NO_WORKER:
            w.caseload[k] += 1
            enrolled += 1
        last = p.last_discharge_day[i]
        if s == COMMUNITY and awaits_followup(day - last, p.last_followup_day[i], last, followup_window_days):
            c.load[p.clinician[i]] += 1
    snap.beds_free[0] = n_beds - occupied + leaving
    events[day, ev.ENROLLED] = enrolled


@register_jitable
def enrol(caseload, capacity, events, day):
    """Take the first peer worker with a free slot; NO_WORKER if all are full."""
    for k in range(caseload.size):
        if caseload[k] < capacity[k]:
            caseload[k] += 1
            events[day, ev.ENROLMENTS] += 1
            return k
    return NO_WORKER


@register_jitable
def neighbour_hope(indptr, indices, hope_start, i):
    """Mean start-of-day hope of i's neighbours (own hope if isolated), summed in CSR order."""
    lo = indptr[i]
    hi = indptr[i + 1]
    if hi == lo:
        return hope_start[i]
    total = 0.0
    for j in range(lo, hi):
        total += hope_start[indices[j]]
    return total / (hi - lo)


@register_jitable
def record_admission(events, day, last_discharge_day):
    """Count an admission, and a readmission on the row of the discharge it follows."""
    events[day, ev.ADMISSIONS] += 1
    if last_discharge_day != NEVER:
        gap = day - last_discharge_day
        for window, column in ev.READMISSION_WINDOWS:
            if gap <= window:
                events[last_discharge_day, column] += 1
