"""The Numba engine: the day applied to all patients and workers, one phase at a time.

The per-patient sequence is the same as `Patient.step` in the Mesa engine: a
patient who starts the day in a bed, with the crisis team or in respite spends
it there; one who starts it in the community first faces the day's relapse
draw, then, if no crisis came, the day's peer contact and clinician follow-up.
Workers follow, as `PeerWorker.step` does.

Most patient-days change nothing, and the loops are built so that they cost
little: hope and engagement drift in closed form (`drifted`) and are touched
only when something changes them; the relapse draw is first compared with a
per-patient bound in a streaming screen of everyone, and the exact hazard (with
the neighbours' hope) is computed only on the ~0.15% of patient-days where the
draw falls below it. The screen runs in parallel over patients (`threads`): a
patient reads only start-of-day values and the draws are keyed by (seed,
stream, day, agent), so the thread count changes no number. Claims on shared places (a bed or respite
place at a crisis; a peer slot or trial place when an episode ends, or on a
programme's first day) are made in the day's priority order, as the Mesa
engine steps its patients; the rest of a day reads or writes only the
patient's own state, so it runs in index order.
"""

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from sim.engines.pathway import (
    begin_day,
    clinician_followup,
    die,
    leave,
    offer,
    peer_contact,
    place_crisis,
    record_health,
    risk_admissions,
    stay,
)
from sim.engines.prefetch import AHEAD, prefetch, prefetch_crisis, prefetch_settle, prefetch_visit
from sim.engines.profile import lap
from sim.engines.resources import neighbour_hope, settle_resources, spill, spillover_targets
from sim.engines.workforce import record_workforce, worker_day
from sim.model import streams
from sim.model.columns import COMMUNITY, DEAD, NO_WORKER
from sim.model.rules import (
    AT_START,
    BOUND_SLACK,
    ENTRY_COMMUNITY,
    daily_relapse_probability,
    death_probability,
    drift_factors,
    drifted,
    fixed_log_hr,
    fixed_mortality,
    relapse_bound_from,
)

FATE_CRISIS, FATE_DEATH = 1, 2  # what the day's relapse draw decided (0: nothing)

begin_day_kernel = njit(cache=True)(begin_day)
record_workforce_kernel = njit(cache=True)(record_workforce)
record_health_kernel = njit(cache=True)(record_health)
drift_factors_kernel = njit(cache=True)(drift_factors)


class KernelState(NamedTuple):
    """What the kernel keeps from one call to the next (so a run of one day per call, as with an extension,
    costs what a day costs), and its working lists. Valid while only the kernel and `refresh` change the
    patients."""

    base: np.ndarray  # float64: the baseline hazard by the patient's diagnosis (relapse_draws cannot take r)
    fixed: np.ndarray  # float64: fixed_log_hr
    mortality: np.ndarray  # float64: all-cause mortality, 1/year
    bound: np.ndarray  # float64: a bound of the day's chance of a crisis or death, valid until the patient's
    #                    next episode (end) or change of hope or engagement (`_bound_from`)
    candidates: np.ndarray  # int32: whom the next begin_day looks at, ascending (everyone on the first day)
    n_candidates: np.ndarray  # int64, one slot: how many of them
    fate: np.ndarray  # uint8, whole words (crises and deaths are found eight at a time): the day's draw decided
    eventful: np.ndarray  # int32: today's crises and deaths, in index order
    crises: np.ndarray  # int32: today's crises, in index order
    active: np.ndarray  # int32: patients with more to do today than the relapse draw, in index order
    changed: np.ndarray  # int32: patients whose hope or engagement the day changed
    weight: np.ndarray  # float64: their peer contact's weight
    followed: np.ndarray  # bool: whether a clinician followed them up
    ordered: np.ndarray  # int32: a list of claimants in the day's priority order
    leaving: np.ndarray  # int32: patients whose episode ends today
    pulled: np.ndarray  # float64: network spillover (if on): everyone's hope for tonight
    hope_factors: np.ndarray  # float64: hope's drift_factors for the run's days (the model's)


@njit(cache=True)
def prepare(p, r, first_day, hope_factors):
    """The kernel's state for a run from `first_day`: every patient's fixed factors and bound."""
    n = p.state.size
    ks = KernelState(np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.arange(n).astype(np.int32),
                     np.full(1, n, np.int64), np.zeros((n + 7) // 8 * 8, np.uint8), np.empty(n, np.int32),
                     np.empty(n, np.int32), np.empty(n, np.int32), np.empty(n, np.int32), np.zeros(n),
                     np.zeros(n, np.bool_), np.empty(n, np.int32), np.empty(n, np.int32),
                     np.empty(n if r.network_spillover > 0.0 else 0), hope_factors)
    _fix(p, r, ks.base, ks.fixed, ks.mortality, ks.bound, ks.candidates, first_day)
    return ks


@njit(cache=True)
def refresh(p, r, ks, who, first_day):
    """After patients `who` (ascending, distinct) were changed between calls: their factors and bound again,
    and the next begin_day looks at them."""
    _fix(p, r, ks.base, ks.fixed, ks.mortality, ks.bound, who, first_day)
    n_candidates = ks.n_candidates[0]
    merged = np.empty(n_candidates + who.size, np.int32)
    count = _merge(ks.candidates, n_candidates, who, who.size, merged)
    ks.candidates[:count] = merged[:count]
    ks.n_candidates[0] = count


@njit(cache=True)
def _fix(p, r, base, fixed, mortality, bound, who, first_day):
    """Patients `who`'s fixed factors of the hazard and mortality, and their bound from `first_day`."""
    for i in who:
        base[i] = r.relapse_base[p.diagnosis[i]]
        fixed[i] = fixed_log_hr(r, p.age_group[i], p.forensic[i], p.severity[i])
        mortality[i] = fixed_mortality(r, p.age_group[i], p.diagnosis[i])
        bound[i] = _bound_from(p, r.daily, base, fixed, mortality, i, first_day)


@njit(cache=True)
def simulate_days(p, w, c, snap, net, r, events, seed, n_beds, n_respite, first_day, last_day, ks, clock=None):
    """Advance the care system from `first_day` up to (not including) `last_day`, from the kernel state `ks`
    (`prepare`) (`clock`: cycles per phase, `sim.engines.profile`)."""
    daily = r.daily
    base, fixed, mortality, bound = ks.base, ks.fixed, ks.mortality, ks.bound
    candidates, n_candidates = ks.candidates, ks.n_candidates[0]
    fate, eventful, crises, active, changed = ks.fate, ks.eventful, ks.crises, ks.active, ks.changed
    weight, followed, ordered, leaving, pulled = ks.weight, ks.followed, ks.ordered, ks.leaving, ks.pulled
    for day in range(first_day, last_day):
        t = lap(clock, -1, 0)
        n_active = begin_day(p, w, c, snap, r, events, n_beds, n_respite, day, candidates, n_candidates, active)
        if r.network_spillover > 0.0:
            spillover_targets(p, w, net, r, day, pulled)
        t = lap(clock, 0, t)
        d = np.uint64(day)
        priority_key = streams.day_key(seed, streams.PRIORITY, d)
        # 1. relapse and death: the day's draw of every living patient against the chance of dying and, in the
        #    community, of a crisis (a draw at or above the patient's bound is neither, without computing them);
        #    the dead die at the start of the day, before anything else happens to them
        n_eventful = relapse_draws(
            p.state, p.death_day, p.last_episode_end_day, p.last_episode_kind, p.last_discharge_day, p.admission_days,
            p.last_followup_day, p.hope, p.baseline_hope, p.engagement, p.baseline_engagement, p.resources_day,
            p.peer_worker, net.indptr, net.indices, r.group_ties, w.group_hope, w.group_size, daily,
            streams.day_key(seed, streams.RELAPSE, d), day, base, fixed, mortality, bound, fate, eventful)
        n_crises = 0
        for j in range(n_eventful):
            i = eventful[j]
            if fate[i] == FATE_DEATH:
                die(p, events, day, i)
            else:
                crises[n_crises] = i
                n_crises += 1
        t = lap(clock, 1, t)
        # 2. the day of each active patient: a stay, crisis-team episode or respite runs down; in the community,
        #    unless a crisis came, the day's peer contact and clinician follow-up. Index order, except on the
        #    first day of a programme open to everyone, when every patient's offer claims a peer slot: then all
        #    in priority order. Episodes that end are left (with their claims) after the loop, in priority order
        everyone = r.entry == ENTRY_COMMUNITY and day == 0
        visit = active
        if everyone:
            _by_priority(active, n_active, priority_key, ordered)
            visit = ordered
        disengage_key = streams.day_key(seed, streams.DISENGAGE, d)
        contact_key = streams.day_key(seed, streams.PEER_CONTACT, d)
        followup_key = streams.day_key(seed, streams.FOLLOWUP, d)
        count = 0
        n_leaving = 0
        for j in range(n_active):
            if j + AHEAD < n_active:
                prefetch_visit(p, visit[j + AHEAD])
            i = visit[j]
            s = p.state[i]
            if s == DEAD:
                continue
            if s != COMMUNITY:
                if stay(p, r, events, day, i, s):
                    if everyone:
                        leave(p, w, r, snap, events, seed, day, i, s)
                        bound[i] = _bound_from(p, daily, base, fixed, mortality, i, day + 1)
                    else:
                        leaving[n_leaving] = i
                        n_leaving += 1
                continue
            if fate[i]:
                continue
            ui = np.uint64(i)
            if everyone:
                offer(p, w, r, events, seed, day, i, AT_START)
            contact = 0.0
            if p.peer_worker[i] != NO_WORKER:  # the day's two peer draws only for those with a worker
                contact = peer_contact(p, w, r, events, day, i, streams.uniform_at(disengage_key, ui),
                                       streams.uniform_at(contact_key, ui))
            seen = clinician_followup(p, c, r, events, day, i, streams.uniform_at(followup_key, ui))
            if contact > 0.0 or seen:
                weight[i] = contact
                followed[i] = seen
                changed[count] = i
                count += 1
        _by_priority(leaving, n_leaving, priority_key, ordered)
        for j in range(n_leaving):
            i = ordered[j]
            leave(p, w, r, snap, events, seed, day, i, p.state[i])
            bound[i] = _bound_from(p, daily, base, fixed, mortality, i, day + 1)
        t = lap(clock, 2, t)
        # 3. crises in priority order: peer respite (if the programme offers it), a free bed or the crisis team.
        #    They share nothing with phase 2 (discharges free beds from the next day; episode ends claim peer
        #    slots and trial places), so this is the order of stepping patient by patient
        _by_priority(crises, n_crises, priority_key, ordered)
        for j in range(n_crises):
            if j + AHEAD < n_crises:
                prefetch_crisis(p, ordered[j + AHEAD])
            i = ordered[j]
            place_crisis(p, r, snap, events, seed, day, i)
            weight[i] = 0.0
            followed[i] = False
            changed[count] = i
            count += 1
        t = lap(clock, 3, t)
        # 4. the living's hope of the day (for QALYs); network spillover (if on) moves everyone's hope; then
        #    hope and engagement of those the day changed, set as of tomorrow
        record_health(p, r, events, day, ks.hope_factors)
        if r.network_spillover > 0.0:
            spill(p, r, day, pulled)  # the bounds hold for every hope (relapse_bound_from): none is recomputed
        t = lap(clock, 4, t)
        for j in range(count):
            if j + AHEAD < count:
                prefetch_settle(p, base, fixed, bound, changed[j + AHEAD])
            i = changed[j]
            settle_resources(r, p.hope, p.engagement, p.baseline_hope, p.baseline_engagement, p.resources_day, i,
                             day, weight[i], followed[i], fate[i] == FATE_CRISIS)
            bound[i] = _bound_from(p, daily, base, fixed, mortality, i, day + 1)
        # tomorrow only today's active patients and crises can be busy
        n_candidates = _merge(active, n_active, crises, n_crises, candidates)
        t = lap(clock, 5, t)
        # 5. peer workers: burnout, absence, quitting, and refilling vacancies
        for k in range(w.capacity.size):
            worker_day(p, w, r, events, seed, day, k)
        record_workforce(w, events, day)
        lap(clock, 6, t)
    ks.n_candidates[0] = n_candidates


@njit(cache=True)
def resources_on(p, daily, day):
    """Every patient's hope and engagement at the start of `day` (two new arrays)."""
    n = p.state.size
    hope = np.empty(n)
    engagement = np.empty(n)
    for i in range(n):
        ago = day - p.resources_day[i]
        hope[i] = drifted(p.hope[i], p.baseline_hope[i], daily.hope_decay, ago)
        engagement[i] = drifted(p.engagement[i], p.baseline_engagement[i], daily.engagement_decay, ago)
    return hope, engagement


@njit(_nrt=False)
def _bound_from(p, daily, base, fixed, mortality, i, first_day):
    """Patient i's bound of the chance of a crisis or death in the community, for the days from `first_day`
    until its next episode or change of hope or engagement (the chance of death does not rise meanwhile). In a
    bed, with the crisis team or in respite: its chance of death there, which holds until the episode ends."""
    if p.state[i] != COMMUNITY:
        return death_probability(daily, mortality[i], 0, False)
    return (relapse_bound_from(daily, base[i], fixed[i], p.hope[i], p.baseline_hope[i], p.engagement[i],
                               p.baseline_engagement[i], first_day - p.last_episode_end_day[i],
                               p.last_episode_kind[i], risk_admissions(daily, p.admission_days, i, first_day))
            + death_probability(daily, mortality[i], first_day - p.last_discharge_day[i], True))


@njit(cache=True)
def _by_priority(who, count, key, out):
    """who[:count] (ascending) into `out` in the day's priority order: by each patient's PRIORITY draw,
    ties by index (a stable sort of an ascending list), as the Mesa engine orders its steps."""
    draws = np.empty(count)
    for j in range(count):
        draws[j] = streams.uniform_at(key, np.uint64(who[j]))
    order = np.argsort(draws, kind="mergesort")
    for j in range(count):
        out[j] = who[order[j]]


@njit(cache=True)
def _flagged(words, flags, out):
    """Indices of the set flags, in order, into `out` (a word at a time: most words are zero); their count."""
    count = 0
    for j in range(words.size):
        if words[j] != 0:
            for i in range(8 * j, 8 * j + 8):
                if flags[i]:
                    out[count] = i
                    count += 1
    return count


@njit(cache=True)
def _merge(a, n_a, b, n_b, out):
    """The union of two ascending index lists, ascending, into `out`; its length."""
    i = j = count = 0
    while i < n_a or j < n_b:
        if j == n_b or (i < n_a and a[i] < b[j]):
            out[count] = a[i]
            i += 1
        elif i == n_a or b[j] < a[i]:
            out[count] = b[j]
            j += 1
        else:
            out[count] = a[i]
            i += 1
            j += 1
        count += 1
    return count


# The parallel phase takes plain arrays, not the NamedTuples: in Numba 0.68 a prange loop's writes to an array
# reached through a NamedTuple were lost, and Rules (a tuple holding tuples) cannot be passed.
@njit(cache=True, parallel=True)
def relapse_draws(state, death_day, last_episode_end_day, last_episode_kind, last_discharge_day, admission_days,
                  last_followup_day, hope, baseline_hope, engagement, baseline_engagement, resources_day, peer_worker,
                  indptr, indices, group_ties, group_hope, group_size, daily, key, day, base, fixed, mortality, bound,
                  fate, eventful):
    """Phase 1 for every living patient: the day's draw u against the chance of dying and, in the community,
    of a crisis; `fate` marks who dies (u below the chance of death) and who relapses (u above it but below it
    plus the relapse probability). In the community a draw at or above the patient's bound is neither,
    without computing the exact hazard; when it is computed, the bound is tightened to today's factors.

    Two passes: a streaming one over everyone, without branches (so the compiler vectorises it, and threads
    share it), marks whose draw falls below their bound (in a bed, with the crisis team or in respite, the
    bound is the chance of death there); the second computes those few exactly, each reading start-of-day
    values and writing only its own slots. Returns how many died or relapsed, listed in `eventful` in index
    order."""
    for i in prange(state.size):
        s = state[i]
        u = streams.uniform_at(key, np.uint64(i))
        fate[i] = np.uint8((s != DEAD) & (u < bound[i] + BOUND_SLACK))
    count = 0
    for j in range(_flagged(fate.view(np.uint64), fate, eventful)):  # eventful is rewritten behind j
        i = eventful[j]
        fate[i] = _closer_look(state, death_day, last_episode_end_day, last_episode_kind, last_discharge_day,
                               admission_days, last_followup_day, hope, baseline_hope, engagement,
                               baseline_engagement, resources_day, peer_worker, indptr, indices, group_ties,
                               group_hope, group_size, daily, key, day, base, fixed, mortality, bound, i)
        if fate[i]:
            eventful[count] = i
            count += 1
    return count


@njit(_nrt=False)
def _closer_look(state, death_day, last_episode_end_day, last_episode_kind, last_discharge_day, admission_days,
                 last_followup_day, hope, baseline_hope, engagement, baseline_engagement, resources_day, peer_worker,
                 indptr, indices, group_ties, group_hope, group_size, daily, key, day, base, fixed, mortality, bound,
                 i):
    """Patient i's fate today (0, FATE_CRISIS or FATE_DEATH) from its exact chances of dying and of a crisis."""
    u = streams.uniform_at(key, np.uint64(i))
    if state[i] != COMMUNITY:  # in a bed, with the crisis team or in respite: only death
        return FATE_DEATH if u < death_probability(daily, mortality[i], 0, False) else 0
    for j in range(indptr[i], indptr[i + 1]):  # start every load the exact hazard needs at once
        prefetch(hope, indices[j])
        prefetch(baseline_hope, indices[j])
        prefetch(resources_day, indices[j])
    prefetch(engagement, i)
    prefetch(baseline_engagement, i)
    prefetch(last_followup_day, i)
    prefetch(last_episode_kind, i)
    k = peer_worker[i]
    group = group_ties and k != NO_WORKER
    neighbours = neighbour_hope(indptr, indices, hope, baseline_hope, resources_day, death_day, daily.hope_decay,
                                day, i, group_hope[k] if group else 0.0, group_size[k] if group else 0)
    ago = day - resources_day[i]
    since = day - last_episode_end_day[i]
    kind = last_episode_kind[i]
    recent = risk_admissions(daily, admission_days, i, day)
    dies = death_probability(daily, mortality[i], day - last_discharge_day[i], True)
    relapses = daily_relapse_probability(
        daily, base[i], fixed[i], drifted(hope[i], baseline_hope[i], daily.hope_decay, ago),
        drifted(engagement[i], baseline_engagement[i], daily.engagement_decay, ago), neighbours, since, kind,
        day - last_followup_day[i], recent)
    bound[i] = relapse_bound_from(daily, base[i], fixed[i], hope[i], baseline_hope[i], engagement[i],
                                  baseline_engagement[i], since, kind, recent) + dies
    if u < dies:
        return FATE_DEATH
    if u < dies + relapses:
        return FATE_CRISIS
    return 0
