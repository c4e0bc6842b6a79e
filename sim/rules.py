"""The model's math, written once: small scalar functions both engines call.

`register_jitable` makes each one plain Python when called from Python (the
Mesa engine) and inlined when called from a Numba kernel. Use `math.exp` and
`math.log` (the same libm in both modes) and one expression order, so both
engines agree bit for bit.
"""

import math
from typing import NamedTuple

import numpy as np
from numba.extending import register_jitable

POST_DISCHARGE_DAYS = 365  # the post-discharge excess risk is counted for one year


class Rules(NamedTuple):
    """The parameters the rules read, flattened from the config for Numba."""

    relapse_base: np.ndarray  # 1/day by diagnosis
    severity_log_hr: float
    post_discharge_log_hr: float
    post_discharge_decay_days: float
    hope_log_hr: float
    engagement_log_hr: float
    network_log_hr: float
    followup_log_hr: float
    followup_protection_days: int
    mean_los_days: np.ndarray  # by diagnosis
    diversion_days: int
    followup_window_days: int
    followup_rate: float
    followup_engagement_gain: float
    hope_recovery: float
    engagement_recovery: float
    network_spillover: float
    admission_hope_loss: float
    coverage: float
    contact_probability: float  # per day
    duration_days: int
    contact_hope_gain: float  # per contact, fidelity applied
    contact_engagement_gain: float


def rules_from_config(cfg, program):
    """Flatten a validated config (and the arm's programme) into `Rules`."""
    care = cfg.care
    return Rules(
        relapse_base=np.asarray(care.relapse_base_per_day, dtype=np.float64),
        severity_log_hr=float(care.severity_log_hr),
        post_discharge_log_hr=float(care.post_discharge_log_hr),
        post_discharge_decay_days=float(care.post_discharge_decay_days),
        hope_log_hr=float(care.hope_log_hr),
        engagement_log_hr=float(care.engagement_log_hr),
        network_log_hr=float(care.network_log_hr),
        followup_log_hr=float(care.followup_log_hr),
        followup_protection_days=int(care.followup_protection_days),
        mean_los_days=np.asarray(care.mean_los_days, dtype=np.float64),
        diversion_days=int(care.diversion_days),
        followup_window_days=int(care.followup_window_days),
        followup_rate=float(care.followup_rate_per_day),
        followup_engagement_gain=float(care.followup_engagement_gain),
        hope_recovery=float(care.hope_recovery_per_day),
        engagement_recovery=float(care.engagement_recovery_per_day),
        network_spillover=float(care.network_spillover_per_day),
        admission_hope_loss=float(care.admission_hope_loss),
        coverage=float(program.coverage),
        contact_probability=float(program.contacts_per_week) / 7.0,
        duration_days=int(program.duration_days),
        contact_hope_gain=float(program.hope_gain) * float(program.fidelity),
        contact_engagement_gain=float(program.engagement_gain) * float(program.fidelity),
    )


@register_jitable
def relapse_probability(r, diagnosis, severity, hope, engagement, neighbour_hope, days_since_discharge,
                        days_since_followup):
    """Daily probability of a crisis in the community.

    hazard = base[diagnosis] * exp(severity term + post-discharge term - protective terms);
    the post-discharge term is highest on the day of discharge and decays exponentially
    (CIHI 2011: 41% of 30-day readmissions fall in the first week).
    """
    log_hr = (r.severity_log_hr * (severity - 0.5)
              - r.hope_log_hr * (hope - 0.5)
              - r.engagement_log_hr * (engagement - 0.5)
              - r.network_log_hr * (neighbour_hope - 0.5))
    if 0 <= days_since_discharge <= POST_DISCHARGE_DAYS:
        log_hr += r.post_discharge_log_hr * math.exp(-days_since_discharge / r.post_discharge_decay_days)
    if 0 <= days_since_followup <= r.followup_protection_days:
        log_hr -= r.followup_log_hr
    return 1.0 - math.exp(-r.relapse_base[diagnosis] * math.exp(log_hr))


@register_jitable
def followup_probability(r, engagement, load, capacity):
    """Daily chance a recently discharged patient is seen: falls as load exceeds capacity."""
    pressure = 1.0 if load <= capacity else capacity / load
    return r.followup_rate * engagement * pressure


@register_jitable
def next_hope(r, hope, baseline, neighbour_hope, contacted):
    """Hope drifts back to baseline, is pulled toward neighbours', and rises with a peer contact."""
    h = hope + r.hope_recovery * (baseline - hope) + r.network_spillover * (neighbour_hope - hope)
    if contacted:
        h += r.contact_hope_gain * (1.0 - h)
    return h


@register_jitable
def next_engagement(r, engagement, baseline, contacted, followed_up):
    """Engagement drifts back to baseline and rises with peer contacts and clinician follow-up."""
    e = engagement + r.engagement_recovery * (baseline - engagement)
    if contacted:
        e += r.contact_engagement_gain * (1.0 - e)
    if followed_up:
        e += r.followup_engagement_gain * (1.0 - e)
    return e


@register_jitable
def length_of_stay(r, diagnosis, u):
    """Days in hospital: 1 + an exponential with the diagnosis' mean (a geometric-like tail)."""
    return 1 + int(-math.log(1.0 - u) * (r.mean_los_days[diagnosis] - 1.0))


@register_jitable
def awaits_followup(days_since_discharge, last_followup_day, last_discharge_day, window):
    """Discharged within the follow-up window and not yet seen by a clinician since."""
    return 1 <= days_since_discharge <= window and last_followup_day < last_discharge_day


@register_jitable
def hope_after_crisis(r, hope):
    """A crisis costs a share of the patient's hope."""
    return hope - r.admission_hope_loss * hope
