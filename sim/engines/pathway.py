"""Care-system bookkeeping shared by both engines: day counts, peer slots, events, worker records.

Those called for a patient or a worker take the whole state tuples and are
compiled without reference counting (`_nrt=False`): with it, each call (or
inlined copy) counted a reference to every one of a tuple's ~30 arrays, which
made the day's visits ten times slower. They allocate nothing; those called
once a day (`begin_day`, `record_health`) may. What patients
read about each other is as of the start of the day, and beds, respite
places, peer slots and trial places go to the day's claimants in a random
priority order (the `PRIORITY` stream: a fresh draw per patient and day, ties
by index), never by patient index, which in a generated network is a position
in it. That is why the phased Numba loops and agent-by-agent Mesa stepping
give the same result, and why relabelling patients changes no distribution.
"""

import math

import numpy as np
from numba.extending import register_jitable

from sim.engines.prefetch import AHEAD, prefetch
from sim.engines.records import record_day, tally
from sim.model import columns as rec
from sim.model import events as ev
from sim.model import streams
from sim.model.columns import (
    COMMUNITY,
    CONTROL,
    CRISIS,
    DEAD,
    HISTORY,
    INPATIENT,
    INTERVENTION,
    NEVER,
    NO_WORKER,
    NOT_RECRUITED,
    RESPITE,
)
from sim.model.rules import (
    AT_CRISIS,
    AT_CRISIS_TEAM_END,
    AT_DISCHARGE,
    ENTRY_COMMUNITY,
    ENTRY_CRISIS,
    awaits_followup,
    contact_weight,
    drifted,
    drifted_by,
    eligible,
    first_readmission_gap,
    followup_probability,
    in_trial_follow_up,
    index_discharge,
    length_of_stay,
    offered,
    offered_at,
    trial_allocates_intervention,
    trial_recruits,
)


@register_jitable
def begin_day(p, w, c, snap, r, events, n_beds, n_respite, day, candidates, n_candidates, active):
    """Take the start-of-day counts: free beds and respite places, caseloads, mutual-help group hope,
    and clinician load, and list the patients with more to do today than the relapse draw: those away
    from the community, with a peer worker or awaiting follow-up (everyone, on the day a programme open to
    the whole community starts).

    Peer relationships that reach their end day, or whose worker has left, are
    closed here, so a freed slot reopens at the start of a day, never in the
    middle of one. Places free today are those free at the start of the day
    plus today's scheduled departures. Hope and engagement need no snapshot:
    what a day changes in them is set as of the next day (`settle_resources`).
    """
    # Only candidates[:n_candidates] (ascending) are looked at; every other patient must be in the community
    # with nothing to do. Everyone qualifies; so, from a run's second day, do yesterday's active patients and
    # crises: no one else can be busy today. The active ones go to `active` (ascending); returns their count.
    occupied = 0
    leaving = 0
    in_respite = 0
    leaving_respite = 0
    enrolled = 0
    w.caseload[:] = 0
    w.group_hope[:] = 0.0
    c.load[:] = 0
    window = r.followup_window_days
    everyone = r.entry == ENTRY_COMMUNITY and day == 0
    count = 0
    for j in range(n_candidates):
        if j + AHEAD < n_candidates:  # start loading the columns of a candidate a few places ahead
            ahead = candidates[j + AHEAD]
            prefetch(p.state, ahead)
            prefetch(p.peer_worker, ahead)
            prefetch(p.last_discharge_day, ahead)
            prefetch(p.last_followup_day, ahead)
        i = candidates[j]
        s = p.state[i]
        busy = everyone or (s != COMMUNITY and s != DEAD)
        if s == INPATIENT:
            occupied += 1
            if p.days_left[i] == 1:
                leaving += 1
        elif s == RESPITE:
            in_respite += 1
            if p.days_left[i] == 1:
                leaving_respite += 1
        k = p.peer_worker[i]
        if k != NO_WORKER and (day >= p.peer_end_day[i] or w.vacant_days[k] > 0):
            p.peer_worker[i] = NO_WORKER
        elif k != NO_WORKER:
            w.caseload[k] += 1
            if r.group_ties:
                w.group_hope[k] += drifted(p.hope[i], p.baseline_hope[i], r.daily.hope_decay, day - p.resources_day[i])
            enrolled += 1
            tally(p, r, day, i, rec.TALLY_ENROLLED_DAYS, 1)
            busy = True
        last = p.last_discharge_day[i]
        if s == COMMUNITY and awaits_followup(day - last, p.last_followup_day[i], last, window):
            c.load[p.clinician[i]] += 1
            busy = True
        if busy:
            active[count] = i
            count += 1
    w.group_size[:] = w.caseload
    snap.beds_free[0] = n_beds - occupied + leaving
    snap.respite_free[0] = n_respite - in_respite + leaving_respite
    events[day, ev.ENROLLED] = enrolled
    return count


@register_jitable(_nrt=False)
def die(p, events, day, i):
    """Patient i dies at the start of `day`: out of any bed, episode or peer relationship, accruing nothing
    more. The places it held count as taken until tomorrow's start-of-day counts, as the day's claims were
    made against today's."""
    p.state[i] = DEAD
    p.death_day[i] = day
    p.days_left[i] = 0
    p.peer_worker[i] = NO_WORKER
    events[day, ev.DEATHS] += 1


@register_jitable
def record_health(p, r, events, day, hope_factors):
    """On counted days, the living's hope above 0.5, summed in millionths (integers: the total is the same in
    any order); the health-state part of QALYs is read from it (`sim.analysis.economics`). With records, each
    living patient's day and hope also go into its record. `hope_factors`: `drift_factors` of hope for the
    run's days, so the loop has no call and no branch it cannot turn into a selection: it is vectorised."""
    if day < r.first_counted_day:
        return
    t = day - r.first_counted_day
    cost_factor = math.exp(-r.cost_discount_per_day * t)
    outcome_factor = math.exp(-r.outcome_discount_per_day * t)
    total = 0
    for i in range(p.state.size):
        ago = day - p.resources_day[i]
        h = drifted_by(p.hope[i], p.baseline_hope[i], hope_factors[ago], ago)
        micro = np.int64(math.floor(1e6 * (h - 0.5) + 0.5))
        alive = p.state[i] != DEAD
        total += micro if alive else 0
        if alive:
            record_day(p, i, micro, cost_factor, outcome_factor)
    events[day, ev.HOPE_ABOVE_HALF_MICRO] = total


@register_jitable
def recent_admissions(admission_days, i, day, lookback):
    """Patient i's admissions in the `lookback` days up to `day`, from its ring of the latest `HISTORY`
    admission days (NEVER lies far outside any window)."""
    count = 0
    for j in range(HISTORY):
        if day - admission_days[i, j] <= lookback:
            count += 1
    return count


@register_jitable(inline="always")
def risk_admissions(daily, admission_days, i, day):
    """Patient i's admissions in the hazard's history window (not counted when they carry no risk)."""
    if daily.recent_admission_log_hr == 0.0:
        return 0
    return recent_admissions(admission_days, i, day, daily.admission_history_days)


@register_jitable(inline="always")
def admissions_counted(p, i, day, lookback):
    """Admissions an inclusion criterion counts: ever (lookback 0) or in the last `lookback` days."""
    if lookback == 0:
        return p.prior_admissions[i] + p.admissions[i]
    return recent_admissions(p.admission_days, i, day, lookback)


@register_jitable
def enrol(caseload, capacity, absent_days, vacant_days, worker_diagnosis, diagnosis, events, day):
    """The first available worker with a free slot, preferring one who shares the patient's diagnosis
    (lived-experience match); NO_WORKER if none."""
    chosen = NO_WORKER
    for k in range(caseload.size):
        if caseload[k] < capacity[k] and absent_days[k] == 0 and vacant_days[k] == 0:
            if worker_diagnosis[k] == diagnosis:
                chosen = k
                break
            if chosen == NO_WORKER:
                chosen = k
    if chosen != NO_WORKER:
        caseload[chosen] += 1
        events[day, ev.ENROLMENTS] += 1
    return chosen


@register_jitable
def recruit(r, trial_arm, trial_day, trial_places, events, day, i, event, diagnosis, age_group, forensic,
            admissions_so_far, u):
    """Recruit patient i into the emulated trial at this event if eligible and places remain, and randomise
    with the draw u. The last places go in the day's priority order, like beds."""
    if trial_arm[i] != NOT_RECRUITED or trial_places[0] <= 0:
        return
    if not trial_recruits(r, event, day, diagnosis, age_group, forensic, admissions_so_far):
        return
    trial_arm[i] = INTERVENTION if trial_allocates_intervention(r, u) else CONTROL
    trial_day[i] = day
    trial_places[0] -= 1
    events[day, ev.TRIAL_RECRUITS] += 1


@register_jitable
def record_trial_admission(r, trial_day, trial_admissions, trial_gap, i, day):
    """A participant's readmission as the trial counts it (a ward admission, or any acute episode): counted
    if inside the follow-up; the first one after the index sets the gap."""
    if in_trial_follow_up(r, trial_day[i], NEVER, day, 0):
        trial_admissions[i] += 1
    trial_gap[i] = first_readmission_gap(trial_day[i], trial_gap[i], day, NEVER)


@register_jitable
def record_admission(events, day, last_discharge_day):
    """Count an admission, and a readmission on the row of the discharge it follows (if that was simulated:
    a discharge before day 0, from the prior history, has no row)."""
    events[day, ev.ADMISSIONS] += 1
    if last_discharge_day != NEVER and day - last_discharge_day <= 30:
        events[day, ev.READMITTED_30] += 1
    record_readmission(events, day, last_discharge_day, ev.READMISSION_WINDOWS)


@register_jitable
def record_episode(events, day, last_episode_end_day):
    """Count the start of an acute episode (ward, crisis team or respite), and a readmission to acute care on
    the row of the episode end it follows."""
    events[day, ev.ACUTE_EPISODES] += 1
    record_readmission(events, day, last_episode_end_day, ev.ACUTE_READMISSION_WINDOWS)


@register_jitable
def record_readmission(events, day, end_day, windows):
    """On the row of the end (a discharge, an episode's end) a start on `day` follows: one count in each
    (window, column) it falls in. An end before day 0 (the prior history) or NEVER has no row."""
    if end_day >= 0:
        for window, column in windows:
            if day - end_day <= window:
                events[end_day, column] += 1


@register_jitable(_nrt=False)
def offer(p, w, r, events, seed, day, i, event):
    """Offer patient i a peer worker if the programme (or the emulated trial) offers one now."""
    if not offered(r, event, day, p.peer_worker[i] != NO_WORKER, p.trial_arm[i], p.trial_day[i], p.diagnosis[i],
                   p.age_group[i], p.forensic[i], admissions_counted(p, i, day, r.lookback_days)):
        return
    if w.capacity.size > 0:  # an offer by a service with peer-worker posts (usual care has none)
        tally(p, r, day, i, rec.TALLY_OFFERS, 1)
    if streams.uniform(seed, streams.PEER_OFFER, np.uint64(day), np.uint64(i)) >= r.uptake:
        return
    k = enrol(w.caseload, w.capacity, w.absent_days, w.vacant_days, w.diagnosis, p.diagnosis[i], events, day)
    if k != NO_WORKER:
        tally(p, r, day, i, rec.TALLY_UPTAKES, 1)
        p.peer_worker[i] = k
        p.peer_end_day[i] = day + r.duration_days
        p.programme_contacts[i] = 0


@register_jitable(_nrt=False)
def stay(p, r, events, day, i, s):
    """A day in a bed, with the crisis team or in respite; True if the episode ends today (then `leave`)."""
    if s == INPATIENT:
        events[day, ev.BED_DAYS] += 1
        tally(p, r, day, i, rec.TALLY_BED_DAYS, 1)
        if in_trial_follow_up(r, p.trial_day[i], NEVER, day, 1):
            p.trial_bed_days[i] += 1
    elif s == RESPITE:
        events[day, ev.RESPITE_DAYS] += 1
        tally(p, r, day, i, rec.TALLY_RESPITE_DAYS, 1)
    else:
        events[day, ev.CRISIS_DAYS] += 1
        tally(p, r, day, i, rec.TALLY_CRISIS_DAYS, 1)
    p.days_left[i] -= 1
    return p.days_left[i] == 0


@register_jitable(_nrt=False)
def leave(p, w, r, snap, events, seed, day, i, s):
    """The end of an acute episode of kind `s`, on its last day: the post-episode risk starts; a ward
    discharge also opens the readmission windows and the follow-up window. Then a trial place and a peer
    worker may be offered (claims on scarce places: callers go in the day's priority order)."""
    d = np.uint64(day)
    p.state[i] = COMMUNITY
    p.last_episode_end_day[i] = day
    p.last_episode_kind[i] = s
    events[day, ev.EPISODE_ENDS] += 1
    if s == INPATIENT:
        p.last_discharge_day[i] = day
        p.index_discharge_day[i] = index_discharge(r, p.index_discharge_day[i], day, NEVER)
        events[day, ev.DISCHARGES] += 1
    event = AT_DISCHARGE if s == INPATIENT else AT_CRISIS_TEAM_END
    recruit(r, p.trial_arm, p.trial_day, snap.trial_places, events, day, i, event, p.diagnosis[i],
            p.age_group[i], p.forensic[i], admissions_counted(p, i, day, r.trial_lookback_days),
            streams.uniform(seed, streams.TRIAL_ALLOCATION, d, np.uint64(i)))
    offer(p, w, r, events, seed, day, i, event)


@register_jitable(_nrt=False)
def place_crisis(p, r, snap, events, seed, day, i):
    """Peer respite if the programme offers it and a place is free, else a bed, else the crisis team: each an
    acute episode (a readmission to acute care if one ended within the window)."""
    d, ui = np.uint64(day), np.uint64(i)
    record_episode(events, day, p.last_episode_end_day[i])
    tally(p, r, day, i, rec.TALLY_EPISODES, 1)
    if r.trial_counts_acute:
        record_trial_admission(r, p.trial_day, p.trial_admissions, p.trial_readmission_gap, i, day)
    if (r.entry == ENTRY_CRISIS and snap.respite_free[0] > 0 and offered_at(r, AT_CRISIS)
            and eligible(r, p.diagnosis[i], p.age_group[i], p.forensic[i],
                         admissions_counted(p, i, day, r.lookback_days))
            and streams.uniform(seed, streams.RESPITE_OFFER, d, ui) < r.uptake):
        snap.respite_free[0] -= 1
        p.state[i] = RESPITE
        p.days_left[i] = r.respite_days
        events[day, ev.RESPITE_STAYS] += 1
        tally(p, r, day, i, rec.TALLY_RESPITE_STAYS, 1)
        return
    if snap.beds_free[0] <= 0:
        p.state[i] = CRISIS
        p.days_left[i] = r.diversion_days
        events[day, ev.DIVERSIONS] += 1
        tally(p, r, day, i, rec.TALLY_DIVERSIONS, 1)
        return
    snap.beds_free[0] -= 1
    p.state[i] = INPATIENT
    p.days_left[i] = length_of_stay(r, p.diagnosis[i], p.forensic[i],
                                    streams.uniform(seed, streams.LENGTH_OF_STAY, d, ui))
    p.admission_days[i, (p.prior_admissions[i] + p.admissions[i]) % HISTORY] = day
    p.admissions[i] += 1
    tally(p, r, day, i, rec.TALLY_ADMISSIONS, 1)
    p.index_readmission_gap[i] = first_readmission_gap(p.index_discharge_day[i], p.index_readmission_gap[i],
                                                       day, NEVER)
    if not r.trial_counts_acute:
        record_trial_admission(r, p.trial_day, p.trial_admissions, p.trial_readmission_gap, i, day)
    record_admission(events, day, p.last_discharge_day[i])


@register_jitable(_nrt=False)
def peer_contact(p, w, r, events, day, i, u_disengage, u_contact):
    """Today's peer contact, as the weight of its effect (0 = none): engagement may fade first, an absent
    worker meets nobody, and the relationship ends the day after the programme's last contact."""
    k = p.peer_worker[i]
    if k == NO_WORKER:
        return 0.0
    if u_disengage < r.disengagement:
        p.peer_worker[i] = NO_WORKER
        events[day, ev.DROPOUTS] += 1
        return 0.0
    if w.absent_days[k] != 0 or u_contact >= r.contact_probability:
        return 0.0
    events[day, ev.PEER_CONTACTS] += 1
    tally(p, r, day, i, rec.TALLY_CONTACTS, 1)
    p.programme_contacts[i] += 1
    if r.max_contacts > 0 and p.programme_contacts[i] >= r.max_contacts:
        p.peer_end_day[i] = day + 1
    return contact_weight(r, w.burnout[k], w.diagnosis[k] == p.diagnosis[i])


@register_jitable(_nrt=False)
def clinician_followup(p, c, r, events, day, i, u):
    """A follow-up by the patient's clinician if one is due; less likely with low engagement and as the
    clinician's load exceeds capacity, likelier with a peer worker (`peer_followup_odds_ratio`, off at 1).
    Returns whether it happened."""
    last = p.last_discharge_day[i]
    if not awaits_followup(day - last, p.last_followup_day[i], last, r.followup_window_days):
        return False
    k = p.clinician[i]
    engagement = drifted(p.engagement[i], p.baseline_engagement[i], r.daily.engagement_decay,
                         day - p.resources_day[i])
    chance = followup_probability(r, engagement, c.load[k], c.capacity[k])
    if p.peer_worker[i] != NO_WORKER and r.peer_followup_odds_ratio != 1.0:  # off: the chance exactly as it was
        raised = chance * r.peer_followup_odds_ratio  # the odds times the ratio, as a probability
        chance = raised / (1.0 - chance + raised)
    if u >= chance:
        return False
    p.last_followup_day[i] = day
    events[day, ev.FOLLOWUPS] += 1
    tally(p, r, day, i, rec.TALLY_FOLLOWUPS, 1)
    return True
