"""The Numba engine: the day applied to all patients and workers, one phase at a time.

Each phase is a tight loop (separate loops ran faster than one fused pass in a
prototype at 1M patients; hope, engagement and the relapse draw share one, as
they read and write only the patient's own slots). The per-patient sequence is
the same as `Patient.step` in the Mesa engine: a patient who starts the day in
a bed, with the crisis team or in respite spends it there (phase 1); one who
starts it in the community goes through phases 2-5. Workers follow (phase 6),
as `PeerWorker.step` does. Network support and hope/relapse run in parallel
over patients (`threads`): there a patient reads only others' start-of-day
values and the draws are keyed by (seed, stream, day, agent), so the thread
count changes no number; everything that shares beds, places or workers runs
in patient order.
"""

import numpy as np
from numba import njit, prange

from sim import events as ev
from sim import streams
from sim.columns import COMMUNITY, CRISIS, INPATIENT, NEVER, NO_WORKER, RESPITE
from sim.pathway import (
    begin_day,
    enrol,
    neighbour_hope,
    record_admission,
    record_trial_admission,
    record_workforce,
    recruit,
)
from sim.prefetch import prefetch
from sim.rules import (
    AT_CRISIS,
    AT_CRISIS_TEAM_END,
    AT_DISCHARGE,
    AT_START,
    ENTRY_COMMUNITY,
    ENTRY_CRISIS,
    POST_DISCHARGE_DAYS,
    absence_probability,
    awaits_followup,
    contact_weight,
    daily_relapse_bound,
    daily_relapse_probability,
    eligible,
    first_readmission_gap,
    fixed_log_hr,
    followup_probability,
    hope_after_crisis,
    in_trial_follow_up,
    index_discharge,
    length_of_stay,
    next_burnout,
    next_engagement,
    next_hope,
    offered,
    offered_at,
    quit_probability,
)

# Prefetch neighbours' hope from this many patients up: below it their hope fits in a core's cache and the
# prefetches only cost (the neighbours' hope loop, per patient: at 100,000 18-33 ns without, 28-38 with;
# at 200,000 41 without, 28 with; at a million 109-131 without, 34-45 with).
PREFETCH_FROM = 150_000
PREFETCH_AHEAD = 16  # patients

begin_day_kernel = njit(cache=True)(begin_day)
record_workforce_kernel = njit(cache=True)(record_workforce)


@njit(cache=True)
def _offer(p, w, r, events, seed, day, i, event):
    """Offer patient i a peer worker if the programme (or the emulated trial) offers one now."""
    if not offered(r, event, day, p.peer_worker[i] != NO_WORKER, p.trial_arm[i], p.trial_day[i], p.diagnosis[i],
                   p.age_group[i], p.forensic[i], p.prior_admissions[i] + p.admissions[i]):
        return
    if streams.uniform(seed, streams.PEER_OFFER, np.uint64(day), np.uint64(i)) >= r.uptake:
        return
    k = enrol(w.caseload, w.capacity, w.absent_days, w.vacant_days, w.diagnosis, p.diagnosis[i], events, day)
    if k != NO_WORKER:
        p.peer_worker[i] = k
        p.peer_end_day[i] = day + r.duration_days
        p.programme_contacts[i] = 0


@njit(cache=True)
def simulate_days(p, w, c, snap, net, r, events, seed, n_beds, n_respite, first_day, last_day):
    """Advance the care system from `first_day` up to (not including) `last_day`."""
    n = p.state.size
    neighbours = np.zeros(n)
    weight = np.zeros(n)
    followed = np.zeros(n, np.bool_)
    crisis = np.zeros(n, np.bool_)
    base = np.empty(n)  # the baseline hazard and fixed_log_hr, for the parallel loop (which cannot take r)
    fixed = np.empty(n)
    settled_bound = np.empty(n)  # relapse_bound outside the post-discharge window, and inside it
    discharged_bound = np.empty(n)
    daily, group_ties = r.daily, r.group_ties
    for i in range(n):
        base[i] = r.relapse_base[p.diagnosis[i]]
        fixed[i] = fixed_log_hr(r, p.age_group[i], p.forensic[i], p.severity[i])
        settled_bound[i] = daily_relapse_bound(daily, base[i], fixed[i], False)
        discharged_bound[i] = daily_relapse_bound(daily, base[i], fixed[i], True)
    ahead = PREFETCH_AHEAD if n >= PREFETCH_FROM else 0
    for day in range(first_day, last_day):
        begin_day(p, w, c, snap, events, n_beds, n_respite, r.followup_window_days, day)
        d = np.uint64(day)
        # 1. ward, crisis team and respite: episodes run down; a discharge opens the
        #    readmission windows; leaving may bring a peer-worker offer
        for i in range(n):
            s = snap.state[i]
            if s == COMMUNITY:
                continue
            if s == INPATIENT:
                events[day, ev.BED_DAYS] += 1
                if in_trial_follow_up(r, p.trial_day[i], NEVER, day, 1):
                    p.trial_bed_days[i] += 1
            elif s == RESPITE:
                events[day, ev.RESPITE_DAYS] += 1
            else:
                events[day, ev.CRISIS_DAYS] += 1
            p.days_left[i] -= 1
            if p.days_left[i] > 0:
                continue
            p.state[i] = COMMUNITY
            if s == INPATIENT:
                p.last_discharge_day[i] = day
                p.index_discharge_day[i] = index_discharge(r, p.index_discharge_day[i], day, NEVER)
                events[day, ev.DISCHARGES] += 1
                event = AT_DISCHARGE
            else:
                event = AT_CRISIS_TEAM_END
            recruit(r, p.trial_arm, p.trial_day, snap.trial_places, events, day, i, event, p.diagnosis[i],
                    p.age_group[i], p.forensic[i], p.prior_admissions[i] + p.admissions[i],
                    streams.uniform(seed, streams.TRIAL_ALLOCATION, d, np.uint64(i)))
            _offer(p, w, r, events, seed, day, i, event)
        # 2. network support: neighbours' (and mutual-help group members') start-of-day hope
        network_support(snap.state, snap.hope, p.peer_worker, net.indptr, net.indices, group_ties, w.group_hope,
                        w.group_size, neighbours, ahead)
        # 3. peer contacts (engagement fades; absent workers miss them), then clinician follow-up
        for i in range(n):
            if snap.state[i] != COMMUNITY:
                continue
            ui = np.uint64(i)
            if r.entry == ENTRY_COMMUNITY and day == 0:
                _offer(p, w, r, events, seed, day, i, AT_START)
            weight[i] = 0.0
            k = p.peer_worker[i]
            if k != NO_WORKER:
                if streams.uniform(seed, streams.DISENGAGE, d, ui) < r.disengagement:
                    p.peer_worker[i] = NO_WORKER
                    events[day, ev.DROPOUTS] += 1
                elif w.absent_days[k] == 0 and streams.uniform(seed, streams.PEER_CONTACT, d, ui) \
                        < r.contact_probability:
                    weight[i] = contact_weight(r, w.burnout[k], w.diagnosis[k] == p.diagnosis[i])
                    events[day, ev.PEER_CONTACTS] += 1
                    p.programme_contacts[i] += 1
                    if r.max_contacts > 0 and p.programme_contacts[i] >= r.max_contacts:
                        p.peer_end_day[i] = day + 1
            last = p.last_discharge_day[i]
            k = p.clinician[i]
            followed[i] = (awaits_followup(day - last, p.last_followup_day[i], last, r.followup_window_days)
                           and streams.uniform(seed, streams.FOLLOWUP, d, ui)
                           < followup_probability(r, p.engagement[i], c.load[k], c.capacity[k]))
            if followed[i]:
                p.last_followup_day[i] = day
                events[day, ev.FOLLOWUPS] += 1
        # 4. hope and engagement move with today's contacts
        # 5. relapse: the day's draw against each patient's hazard (a draw at or above the patient's relapse
        #    bound is no crisis, without computing the exact hazard); a crisis goes to peer respite (if the
        #    programme offers it), a free bed, or the crisis team, in patient order
        hope_and_relapse(snap.state, p.hope, p.baseline_hope, p.engagement, p.baseline_engagement, p.last_discharge_day,
                         p.last_followup_day, daily, seed, day, neighbours, weight, followed, base, fixed,
                         settled_bound, discharged_bound, crisis)
        for i in range(n):
            if not crisis[i]:
                continue
            ui = np.uint64(i)
            p.hope[i] = hope_after_crisis(r, p.hope[i])
            if (r.entry == ENTRY_CRISIS and snap.respite_free[0] > 0 and offered_at(r, AT_CRISIS)
                    and eligible(r, p.diagnosis[i], p.age_group[i], p.forensic[i],
                                 p.prior_admissions[i] + p.admissions[i])
                    and streams.uniform(seed, streams.RESPITE_OFFER, d, ui) < r.uptake):
                snap.respite_free[0] -= 1
                p.state[i] = RESPITE
                p.days_left[i] = r.respite_days
                events[day, ev.RESPITE_STAYS] += 1
                continue
            if snap.beds_free[0] <= 0:
                p.state[i] = CRISIS
                p.days_left[i] = r.diversion_days
                events[day, ev.DIVERSIONS] += 1
                continue
            snap.beds_free[0] -= 1
            p.state[i] = INPATIENT
            p.days_left[i] = length_of_stay(r, p.diagnosis[i], p.forensic[i],
                                            streams.uniform(seed, streams.LENGTH_OF_STAY, d, ui))
            p.admissions[i] += 1
            p.index_readmission_gap[i] = first_readmission_gap(p.index_discharge_day[i], p.index_readmission_gap[i],
                                                               day, NEVER)
            record_trial_admission(r, p.trial_day, p.trial_admissions, p.trial_readmission_gap, i, day)
            record_admission(events, day, p.last_discharge_day[i])
        # 6. peer workers: burnout, absence, quitting, and refilling vacancies
        for k in range(w.capacity.size):
            uk = np.uint64(k)
            if w.vacant_days[k] > 0:
                w.vacant_days[k] -= 1
                if w.vacant_days[k] == 0:
                    _hire(p, w, r, events, seed, day, k)
                continue
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
                    _hire(p, w, r, events, seed, day, k)
                else:
                    w.vacant_days[k] = r.hiring_delay_days
        record_workforce(w, events, day)


# The two parallel phases take plain arrays, not the NamedTuples: in Numba 0.68 a prange loop's writes
# to an array reached through a NamedTuple were lost, and Rules (a tuple holding tuples) cannot be passed.
@njit(cache=True, parallel=True)
def network_support(state, hope, peer_worker, indptr, indices, group_ties, group_hope, group_size, neighbours,
                    ahead):
    """Phase 2 for every community patient: the mean start-of-day hope of its neighbours (and fellow
    mutual-help group members). Each patient writes only its own slot, so patients run in parallel.
    With `ahead` > 0, the neighbours' hope of the patient `ahead` places on is prefetched."""
    n = state.size
    for i in prange(n):
        if 0 < ahead < n - i:
            for j in range(indptr[i + ahead], indptr[i + ahead + 1]):
                prefetch(hope, indices[j])
        if state[i] == COMMUNITY:
            k = peer_worker[i]
            if group_ties and k != NO_WORKER:
                neighbours[i] = neighbour_hope(indptr, indices, hope, i, group_hope[k], group_size[k])
            else:
                neighbours[i] = neighbour_hope(indptr, indices, hope, i, 0.0, 0)


@njit(cache=True, parallel=True)
def hope_and_relapse(state, hope, baseline_hope, engagement, baseline_engagement, last_discharge_day,
                     last_followup_day, daily, seed, day, neighbours, weight, followed, base, fixed, settled_bound,
                     discharged_bound, crisis):
    """Phases 4 and 5 up to the crisis itself, for every patient whose day started in the community
    (`state` is the start-of-day snapshot): hope and engagement move with today's contacts, then the
    day's relapse draw against the patient's hazard. A draw at or above the patient's relapse bound is
    no crisis, without computing the exact hazard. Each patient reads and writes only its own slots, so
    patients run in parallel; `crisis` marks who relapses today."""
    d = np.uint64(day)
    for i in prange(state.size):
        crisis[i] = False
        if state[i] == COMMUNITY:
            hope[i] = next_hope(daily, hope[i], baseline_hope[i], neighbours[i], weight[i])
            engagement[i] = next_engagement(daily, engagement[i], baseline_engagement[i], weight[i], followed[i])
            u = streams.uniform(seed, streams.RELAPSE, d, np.uint64(i))
            since = day - last_discharge_day[i]
            if u < (discharged_bound[i] if 0 <= since <= POST_DISCHARGE_DAYS else settled_bound[i]):
                crisis[i] = u < daily_relapse_probability(daily, base[i], fixed[i], hope[i], engagement[i],
                                                          neighbours[i], since, day - last_followup_day[i])


@njit(cache=True)
def _hire(p, w, r, events, seed, day, k):
    """Fill post k: a fresh worker whose lived experience is a patient's diagnosis; with probability
    `recruit_from_patients` the hire is that patient, if in stable recovery."""
    d, uk = np.uint64(day), np.uint64(k)
    j = int(streams.uniform(seed, streams.RECRUIT_PICK, d, uk) * p.state.size)
    w.burnout[k] = 0.0
    w.absent_days[k] = 0
    w.diagnosis[k] = p.diagnosis[j]
    events[day, ev.HIRES] += 1
    last = p.last_discharge_day[j]
    if (streams.uniform(seed, streams.RECRUIT_SOURCE, d, uk) < r.recruit_from_patients and p.state[j] == COMMUNITY
            and last != NEVER and day - last >= r.stable_recovery_days):
        events[day, ev.RECRUITS_FROM_PATIENTS] += 1
