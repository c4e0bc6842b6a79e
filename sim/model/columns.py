"""State as arrays: preallocated typed columns for patients, peer workers and clinicians.

Each agent type is a NamedTuple of numpy arrays (one slot per agent), so Numba
kernels take it as one argument and Mesa agents read their own slot. The
specs below are the single list of state variables, with units.
"""

from typing import NamedTuple

import numpy as np

# Patient states.
COMMUNITY, INPATIENT, CRISIS, RESPITE, DEAD = 0, 1, 2, 3, 4
STATE_NAMES = ("community", "inpatient", "crisis", "respite", "dead")
DIAGNOSIS_NAMES = ("psychosis", "mood", "substance_use")
AGE_GROUP_NAMES = ("youth", "adult", "older_adult")
NEVER = -(2**30)  # day sentinel for "never happened"; kept far from any real day
ALIVE = 2**30 - 1  # death_day of the living: after every simulated day
NO_WORKER = -1
# Trial arms of a patient (Patients.trial_arm).
NOT_RECRUITED, CONTROL, INTERVENTION = -1, 0, 1
HISTORY = 8  # admission days kept per patient: enough for "N admissions in the last D days" with N <= 8
# What a per-patient record counts over the counted period (`records.write`): the last axis of Patients.record,
# whose middle axis holds each count as it is (RECORD_COUNT) and discounted (RECORD_COSTS, RECORD_OUTCOMES).
RECORD_COUNT, RECORD_COSTS, RECORD_OUTCOMES = 0, 1, 2
(TALLY_ADMISSIONS, TALLY_EPISODES, TALLY_BED_DAYS, TALLY_CRISIS_DAYS, TALLY_RESPITE_DAYS, TALLY_DIVERSIONS,
 TALLY_RESPITE_STAYS, TALLY_FOLLOWUPS, TALLY_CONTACTS, TALLY_OFFERS, TALLY_UPTAKES, TALLY_ENROLLED_DAYS,
 TALLY_ALIVE_DAYS, TALLY_HOPE_MICRO) = range(14)
TALLY_NAMES = ("admissions", "acute_episodes", "bed_days", "crisis_days", "respite_days", "diversions",
               "respite_stays", "followups", "peer_contacts", "offers", "uptakes", "enrolled_days", "alive_days",
               "hope_above_half_micro")


class Patients(NamedTuple):
    diagnosis: np.ndarray  # int8: 0 psychosis, 1 mood, 2 substance use
    age_group: np.ndarray  # int8: 0 youth, 1 adult, 2 older adult
    forensic: np.ndarray  # int8: 1 if in contact with forensic services
    severity: np.ndarray  # float64 in [0, 1]
    prior_admissions: np.ndarray  # int32: admissions before the simulation starts
    baseline_hope: np.ndarray  # float64 in [0, 1]: where hope drifts back to
    baseline_engagement: np.ndarray  # float64 in [0, 1]
    hope: np.ndarray  # float64 in [0, 1], as of resources_day
    engagement: np.ndarray  # float64 in [0, 1], as of resources_day: probability of attending follow-up
    resources_day: np.ndarray  # int32: the day hope and engagement were set; since then they drift to baseline
    state: np.ndarray  # int8: COMMUNITY, INPATIENT, CRISIS (crisis team), RESPITE (peer-run respite) or DEAD
    death_day: np.ndarray  # int32: the day the patient died (at its start), or ALIVE
    days_left: np.ndarray  # int32: days left of the stay, crisis or respite episode
    last_discharge_day: np.ndarray  # int32: day of the latest discharge from a ward, or NEVER
    last_episode_end_day: np.ndarray  # int32: last day of the latest acute episode (ward, crisis team, respite)
    last_episode_kind: np.ndarray  # int8: its kind (INPATIENT, CRISIS or RESPITE; COMMUNITY if none yet)
    admission_days: np.ndarray  # int32 (n, HISTORY): days of the latest ward admissions (a ring), NEVER if fewer
    last_followup_day: np.ndarray  # int32: day of the latest clinician follow-up, or NEVER
    clinician: np.ndarray  # int32: index of the responsible clinician
    peer_worker: np.ndarray  # int32: index of the peer worker, or NO_WORKER
    peer_end_day: np.ndarray  # int32: day the peer relationship ends
    programme_contacts: np.ndarray  # int32: peer contacts in the current relationship
    admissions: np.ndarray  # int32: admissions so far (burn-in included)
    index_discharge_day: np.ndarray  # int32: first discharge in the counted period (the index event), or NEVER
    index_readmission_gap: np.ndarray  # int32: days from the index discharge to the next admission, or -1
    trial_arm: np.ndarray  # int8: NOT_RECRUITED, CONTROL or INTERVENTION (an emulated trial's randomisation)
    trial_day: np.ndarray  # int32: day of the trial index event (recruitment), or NEVER
    trial_readmission_gap: np.ndarray  # int32: days from the trial index event to the next admission, or -1
    trial_admissions: np.ndarray  # int32: admissions during the trial follow-up
    trial_bed_days: np.ndarray  # int32: days in an acute bed during the trial follow-up
    # per-patient records (`records.write`): one field, so the tuple the kernels pass around grows by one array
    record: np.ndarray  # float64 (n, 3, 14): counts by TALLY_NAMES, discounted for costs, for QALYs (empty: no records)


class PeerWorkers(NamedTuple):
    capacity: np.ndarray  # int32: caseload limit
    caseload: np.ndarray  # int32: patients held at the start of the day plus today's enrolments
    diagnosis: np.ndarray  # int8: the worker's own lived experience (diagnosis group)
    burnout: np.ndarray  # float64 in [0, 1]
    absent_days: np.ndarray  # int32: days of sickness or relapse absence left (0 = at work)
    vacant_days: np.ndarray  # int32: days until the post is refilled (0 = filled)
    group_size: np.ndarray  # int32: the worker's patients at the start of the day (a mutual-help group)
    group_hope: np.ndarray  # float64: their summed start-of-day hope


class Clinicians(NamedTuple):
    capacity: np.ndarray  # int32: recently discharged patients followed up at full rate
    load: np.ndarray  # int32: patients in the follow-up window or in crisis, at the start of the day


class Snapshot(NamedTuple):
    """Start-of-day places that patients claim in the day's random priority order, in both engines."""

    beds_free: np.ndarray  # int64[1]: free beds at day start plus today's scheduled discharges
    respite_free: np.ndarray  # int64[1]: the same for peer-run respite places
    trial_places: np.ndarray  # int64[1]: participants the trial still recruits (counts down; not reset daily)


class Network(NamedTuple):
    """The social network in CSR form: neighbours of i are indices[indptr[i]:indptr[i+1]]."""

    indptr: np.ndarray  # int64
    indices: np.ndarray  # int32


def copy_state(t):
    """A deep copy of a NamedTuple of arrays (each arm starts from the same population)."""
    return type(t)(*(a.copy() for a in t))


def new_snapshot(trial_places=0):
    return Snapshot(np.zeros(1, np.int64), np.zeros(1, np.int64), np.full(1, trial_places, np.int64))
