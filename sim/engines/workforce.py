"""The peer workforce's day, shared by both engines: burnout, absence, quitting and refilling posts."""

import numpy as np
from numba.extending import register_jitable

from sim.model import events as ev
from sim.model import streams
from sim.model.rules import absence_probability, next_burnout, quit_probability


@register_jitable
def record_workforce(w, events, day):
    """End of day: posts filled, absences and burnout of the workers employed."""
    burnout = 0.0
    for k in range(w.capacity.size):
        if w.vacant_days[k] == 0:
            events[day, ev.WORKER_DAYS] += 1
            burnout += w.burnout[k]
            if w.absent_days[k] > 0:
                events[day, ev.WORKER_ABSENT_DAYS] += 1
    events[day, ev.BURNOUT_MILLI] = int(burnout * 1000.0)


@register_jitable(_nrt=False)
def hire(p, w, events, seed, day, k):
    """Fill post k with a fresh worker (burnout 0) whose lived experience is the diagnosis of a patient drawn
    at random: the peer workforce shares the patients' mix of diagnoses. The hire is not that patient."""
    j = int(streams.uniform(seed, streams.RECRUIT_PICK, np.uint64(day), np.uint64(k)) * p.state.size)
    w.burnout[k] = 0.0
    w.absent_days[k] = 0
    w.diagnosis[k] = p.diagnosis[j]
    events[day, ev.HIRES] += 1


@register_jitable(_nrt=False)
def worker_day(p, w, r, events, seed, day, k):
    """End of post k's day: a vacancy counts down to a hire; otherwise absence counts down, burnout moves with
    caseload and the job's pressures, then the worker's own relapse or sickness absence, and quitting (the
    post is refilled at once or after the hiring delay)."""
    d = np.uint64(day)
    uk = np.uint64(k)
    if w.vacant_days[k] > 0:
        w.vacant_days[k] -= 1
        if w.vacant_days[k] == 0:
            hire(p, w, events, seed, day, k)
        return
    if w.absent_days[k] > 0:
        w.absent_days[k] -= 1
    w.burnout[k] = next_burnout(r, w.burnout[k], w.caseload[k] / w.capacity[k])
    if w.absent_days[k] == 0:
        if streams.uniform(seed, streams.WORKER_RELAPSE, d, uk) < r.worker_relapse_per_day:
            w.absent_days[k] = r.relapse_absence_days
        elif streams.uniform(seed, streams.WORKER_ABSENCE, d, uk) < absence_probability(r, w.burnout[k]):
            w.absent_days[k] = r.absence_days
    if streams.uniform(seed, streams.WORKER_QUIT, d, uk) < quit_probability(r, w.burnout[k]):
        events[day, ev.QUITS] += 1
        w.absent_days[k] = 0
        if r.hiring_delay_days == 0:
            hire(p, w, events, seed, day, k)
        else:
            w.vacant_days[k] = r.hiring_delay_days
