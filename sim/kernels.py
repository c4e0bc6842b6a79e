"""The Numba engine: the care pathway applied to all patients, one phase at a time.

Each phase is a tight loop over patients (separate loops ran faster than one
fused pass in a prototype at 1M patients). The per-patient sequence is the
same as `Patient.step` in the Mesa engine: a patient who starts the day in a
bed or under the crisis team spends it there (phase 1); one who starts it in
the community goes through phases 2-4. Serial on purpose: the draws are keyed
by (seed, stream, day, patient), so a parallel version would give the same
numbers, but a serial loop is fast enough for the default study.
"""

import numpy as np
from numba import njit

from sim import events as ev
from sim import streams
from sim.columns import COMMUNITY, CRISIS, INPATIENT, NO_WORKER
from sim.pathway import begin_day, enrol, neighbour_hope, record_admission
from sim.rules import (
    awaits_followup,
    followup_probability,
    hope_after_crisis,
    length_of_stay,
    next_engagement,
    next_hope,
    relapse_probability,
)

begin_day_kernel = njit(cache=True)(begin_day)


@njit(cache=True)
def simulate_days(p, w, c, snap, net, r, events, seed, n_beds, first_day, last_day):
    """Advance the care system from `first_day` up to (not including) `last_day`."""
    n = p.state.size
    neighbours = np.zeros(n)
    contacted = np.zeros(n, np.bool_)
    followed = np.zeros(n, np.bool_)
    for day in range(first_day, last_day):
        begin_day(p, w, c, snap, events, n_beds, r.followup_window_days, day)
        d = np.uint64(day)
        # 1. ward and crisis team: stays run down; a discharge opens the readmission
        #    windows and offers a peer worker
        for i in range(n):
            if snap.state[i] == COMMUNITY:
                continue
            if p.state[i] == INPATIENT:
                events[day, ev.BED_DAYS] += 1
            p.days_left[i] -= 1
            if p.days_left[i] > 0:
                continue
            if p.state[i] == INPATIENT:
                p.last_discharge_day[i] = day
                events[day, ev.DISCHARGES] += 1
                if (p.peer_worker[i] == NO_WORKER
                        and streams.uniform(seed, streams.PEER_OFFER, d, np.uint64(i)) < r.coverage):
                    k = enrol(w.caseload, w.capacity, events, day)
                    if k != NO_WORKER:
                        p.peer_worker[i] = k
                        p.peer_end_day[i] = day + r.duration_days
            p.state[i] = COMMUNITY
        # 2. network support: neighbours' start-of-day hope
        for i in range(n):
            if snap.state[i] == COMMUNITY:
                neighbours[i] = neighbour_hope(net.indptr, net.indices, snap.hope, i)
        # 3. peer contacts, then clinician follow-up (slower when the clinician is over capacity)
        for i in range(n):
            if snap.state[i] != COMMUNITY:
                continue
            ui = np.uint64(i)
            contacted[i] = (p.peer_worker[i] != NO_WORKER
                            and streams.uniform(seed, streams.PEER_CONTACT, d, ui) < r.contact_probability)
            if contacted[i]:
                events[day, ev.PEER_CONTACTS] += 1
            last = p.last_discharge_day[i]
            k = p.clinician[i]
            followed[i] = (awaits_followup(day - last, p.last_followup_day[i], last, r.followup_window_days)
                           and streams.uniform(seed, streams.FOLLOWUP, d, ui)
                           < followup_probability(r, p.engagement[i], c.load[k], c.capacity[k]))
            if followed[i]:
                p.last_followup_day[i] = day
                events[day, ev.FOLLOWUPS] += 1
        # 4. hope and engagement move with today's contacts
        for i in range(n):
            if snap.state[i] == COMMUNITY:
                p.hope[i] = next_hope(r, p.hope[i], p.baseline_hope[i], neighbours[i], contacted[i])
                p.engagement[i] = next_engagement(r, p.engagement[i], p.baseline_engagement[i], contacted[i],
                                                  followed[i])
        # 5. relapse: a crisis is admitted if a bed is free today, else diverted to the crisis team
        for i in range(n):
            if snap.state[i] != COMMUNITY:
                continue
            ui = np.uint64(i)
            risk = relapse_probability(r, p.diagnosis[i], p.severity[i], p.hope[i], p.engagement[i], neighbours[i],
                                       day - p.last_discharge_day[i], day - p.last_followup_day[i])
            if streams.uniform(seed, streams.RELAPSE, d, ui) >= risk:
                continue
            p.hope[i] = hope_after_crisis(r, p.hope[i])
            if snap.beds_free[0] <= 0:
                p.state[i] = CRISIS
                p.days_left[i] = r.diversion_days
                events[day, ev.DIVERSIONS] += 1
                continue
            snap.beds_free[0] -= 1
            p.state[i] = INPATIENT
            p.days_left[i] = length_of_stay(r, p.diagnosis[i], streams.uniform(seed, streams.LENGTH_OF_STAY, d, ui))
            p.admissions[i] += 1
            record_admission(events, day, p.last_discharge_day[i])
