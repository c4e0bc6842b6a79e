"""The rules' parameters: a validated config flattened into the tuples the engines read.

`Rules` holds every scalar and per-group tuple of the model's math (`rules.py`),
`Daily` the flat subset a community patient's day reads (Numba's parallel loops
cannot take a tuple that holds tuples).
"""

import math
from typing import NamedTuple

from sim.model.rules import ENTRY_COMMUNITY, ENTRY_CRISIS, ENTRY_CRISIS_END, ENTRY_DISCHARGE

ENTRY_CODES = {"discharge": ENTRY_DISCHARGE, "crisis_end": ENTRY_CRISIS_END, "crisis": ENTRY_CRISIS,
               "community": ENTRY_COMMUNITY}


# An emulated trial's index event (TrialConfig.index_event).
TRIAL_INDEX_CODES = {"discharge": 0, "crisis_end": 1, "either": 2}


class Daily(NamedTuple):
    """The scalars of the rules each community patient goes through every day (hope, engagement, the
    relapse hazard). Flat, unlike `Rules`: Numba's parallel loops cannot take a tuple that holds tuples."""

    hope_log_hr: float
    engagement_log_hr: float
    network_log_hr: float
    network_spillover: float  # share of the gap to the neighbours' mean hope closed each day (0 = off)
    post_discharge_log_hr: float  # after a ward discharge
    post_crisis_team_log_hr: float
    post_respite_log_hr: float
    post_discharge_decay_days: float
    recent_admission_log_hr: float  # per ward admission in the last admission_history_days
    admission_history_days: int
    followup_log_hr: float
    followup_protection_days: int
    followup_engagement_gain: float
    hope_decay: float  # 1/day: -log(1 - hope_recovery_per_day)
    engagement_decay: float  # 1/day: -log(1 - engagement_recovery_per_day)
    contact_hope_gain: float  # per contact: the shared gain, fidelity and any self-management workbook applied
    contact_engagement_gain: float
    suicide_week: float  # 1/year: post-discharge suicide rate less the long-term rate, days 0-7 after discharge
    suicide_month: float  # days 8-30
    suicide_quarter: float  # days 31-91
    suicide_year: float  # days 92-365


class Rules(NamedTuple):
    """The parameters the rules read, flattened from the config for Numba.

    Only scalars and tuples: a NamedTuple holding arrays costs Numba reference counting on every
    call of a rule (measured: 89 ns against 1.6 ns per patient-day for the hope update)."""

    # relapse and stays
    relapse_base: tuple  # 1/day by diagnosis
    severity_log_hr: float
    age_log_hr: tuple  # by age group
    forensic_log_hr: float
    los_scale_days: tuple  # Weibull scale of the stay by diagnosis (days)
    los_shape: float  # Weibull shape of every stay, from the setting's median-to-mean ratio
    forensic_los_multiplier: float
    diversion_days: int
    # clinicians and psychosocial resources
    followup_window_days: int
    followup_rate: float
    admission_hope_loss: float
    # the programme
    entry: int
    eligible_diagnoses: tuple  # 0/1 by diagnosis
    eligible_age_groups: tuple  # 0/1 by age group
    eligible_forensic: bool
    min_prior_admissions: int
    lookback_days: int  # 0: admissions ever
    uptake: float
    disengagement: float  # per day
    max_contacts: int  # 0 = no cap
    contact_probability: float  # per day
    peer_followup_odds_ratio: float  # on a due follow-up's odds, with a peer worker (1 = off)
    duration_days: int
    match_bonus: float  # the shared bonus of a shared diagnosis; 0 without diagnosis matching
    group_ties: bool
    respite_days: int
    first_counted_day: int  # the burn-in ends here
    cost_discount_per_day: float  # log(1 + annual rate) / 365: per-patient records discount costs day by day
    outcome_discount_per_day: float  # the same for QALYs and life-years
    general_mortality: tuple  # 1/year by age group (0: nobody dies)
    mortality_rate_ratio: tuple  # by diagnosis
    network_spillover: float  # fraction of the gap to the neighbours' hope closed per day (0 = off)
    # the peer workforce
    burnout_pressure_fixed: float  # per day: role ambiguity, stigma, extra duties
    burnout_load_per_day: float
    burnout_recovery: float  # per day, supervision included
    burnout_effect_loss: float
    absence_per_day: float
    absence_burnout_log_or: float
    absence_days: int
    worker_relapse_per_day: float
    relapse_absence_days: int
    quit_log_odds_fixed: float  # baseline, extra duties and satisfaction
    quit_burnout_log_or: float
    hiring_delay_days: int
    # an emulated trial (trial_on false: none)
    trial_on: bool
    trial_index_event: int
    trial_diagnoses: tuple  # 0/1 by diagnosis
    trial_age_groups: tuple  # 0/1 by age group
    trial_forensic: bool
    trial_min_prior_admissions: int
    trial_lookback_days: int
    trial_counts_acute: bool  # a readmission is any acute episode, not only a ward admission
    trial_first_day: int  # recruitment opens (the end of the burn-in)
    trial_last_day: int  # recruitment closes (exclusive)
    trial_allocation: float
    trial_follow_up_days: int
    daily: Daily


def _floats(values):
    return tuple(float(v) for v in values)


def _flags(values):
    return tuple(int(bool(v)) for v in values)


def los_shape(median_to_mean):
    """The Weibull shape k whose median is this share of its mean: (ln 2)^(1/k) / Gamma(1 + 1/k) rises with k
    (an exponential, k = 1, has ln 2 = 0.693), so bisection on log k finds it to machine precision."""
    def ratio(k):
        return math.log(2.0) ** (1.0 / k) / math.gamma(1.0 + 1.0 / k)
    lo, hi = math.log(0.2), math.log(50.0)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ratio(math.exp(mid)) < median_to_mean else (lo, mid)
    return math.exp(0.5 * (lo + hi))


def rules_from_config(cfg, program):
    """Flatten a validated config (and the arm's programme) into `Rules`."""
    care, wf = cfg.care, cfg.workforce
    shape = los_shape(care.median_to_mean_los)
    base_quit = min(max(wf.quit_per_day, 1e-12), 1 - 1e-12)
    return Rules(
        relapse_base=_floats(care.relapse_base_per_day),
        severity_log_hr=float(care.severity_log_hr),
        age_log_hr=_floats(care.age_log_hr),
        forensic_log_hr=float(care.forensic_log_hr),
        los_scale_days=tuple(m / math.gamma(1.0 + 1.0 / shape) for m in _floats(care.mean_los_days)),
        los_shape=shape,
        forensic_los_multiplier=float(care.forensic_los_multiplier),
        diversion_days=int(care.diversion_days),
        followup_window_days=int(care.followup_window_days),
        followup_rate=float(care.followup_rate_per_day),
        admission_hope_loss=float(care.admission_hope_loss),
        entry=ENTRY_CODES[program.entry],
        eligible_diagnoses=_flags(program.diagnoses),
        eligible_age_groups=_flags(program.age_groups),
        eligible_forensic=bool(program.forensic),
        min_prior_admissions=int(program.min_prior_admissions),
        lookback_days=int(program.lookback_days),
        uptake=float(program.uptake),
        disengagement=float(program.disengagement_per_day),
        max_contacts=int(program.max_contacts),
        contact_probability=float(program.contacts_per_week) / 7.0,
        peer_followup_odds_ratio=float(program.peer_followup_odds_ratio),
        duration_days=int(program.duration_days),
        match_bonus=float(cfg.contact.match_bonus) if program.diagnosis_matching else 0.0,
        group_ties=bool(program.group_ties),
        respite_days=int(program.respite_days),
        first_counted_day=int(cfg.burn_in_days),
        cost_discount_per_day=math.log1p(cfg.economics.discount_rate_costs) / 365.0,
        outcome_discount_per_day=math.log1p(cfg.economics.discount_rate_outcomes) / 365.0,
        general_mortality=_floats(care.general_mortality_per_year or (0.0, 0.0, 0.0)),
        mortality_rate_ratio=_floats(care.mortality_rate_ratio or (1.0, 1.0, 1.0)),
        network_spillover=float(care.network_spillover_per_day),
        burnout_pressure_fixed=float(wf.burnout_ambiguity_per_day * (1.0 - wf.clinician_acceptance)
                                     + wf.burnout_stigma_per_day * wf.colleague_stigma
                                     + wf.burnout_duties_per_day * wf.extra_duties),
        burnout_load_per_day=float(wf.burnout_load_per_day),
        burnout_recovery=float(wf.burnout_recovery_per_day
                               + wf.supervision_recovery_per_hour * wf.supervision_hours_per_week),
        burnout_effect_loss=float(wf.burnout_effect_loss),
        absence_per_day=float(wf.absence_per_day),
        absence_burnout_log_or=float(wf.absence_burnout_log_or),
        absence_days=int(wf.absence_days),
        worker_relapse_per_day=float(wf.worker_relapse_per_day),
        relapse_absence_days=int(wf.relapse_absence_days),
        quit_log_odds_fixed=float(math.log(base_quit / (1 - base_quit)) + wf.quit_duties_log_or * wf.extra_duties
                                  + wf.quit_satisfaction_log_or * wf.clinician_acceptance),
        quit_burnout_log_or=float(wf.quit_burnout_log_or),
        hiring_delay_days=int(wf.hiring_delay_days),
        **_trial_rules(cfg),
        daily=Daily(
            hope_log_hr=float(care.hope_log_hr),
            engagement_log_hr=float(care.engagement_log_hr),
            network_log_hr=float(care.network_log_hr),
            network_spillover=float(care.network_spillover_per_day),
            post_discharge_log_hr=float(care.post_discharge_log_hr),
            post_crisis_team_log_hr=float(care.post_crisis_team_log_hr),
            post_respite_log_hr=float(care.post_respite_log_hr),
            post_discharge_decay_days=float(care.post_discharge_decay_days),
            recent_admission_log_hr=float(care.recent_admission_log_hr),
            admission_history_days=int(care.admission_history_days),
            followup_log_hr=float(care.followup_log_hr),
            followup_protection_days=int(care.followup_protection_days),
            followup_engagement_gain=float(care.followup_engagement_gain),
            hope_decay=_decay(care.hope_recovery_per_day),
            engagement_decay=_decay(care.engagement_recovery_per_day),
            contact_hope_gain=_contact_gain(cfg.contact.hope_gain, cfg.contact, program),
            contact_engagement_gain=_contact_gain(cfg.contact.engagement_gain, cfg.contact, program),
            **_suicide_excess(care),
        ),
    )


def _contact_gain(gain, contact, program):
    """A contact's gain in this programme: the shared per-contact gain (conf/contact/) times the programme's
    fidelity, and times the self-management multiplier when its contacts follow the workbook."""
    workbook = float(contact.self_management_multiplier) if program.self_management_workbook else 1.0
    return float(gain) * float(program.fidelity) * workbook


def _suicide_excess(care):
    """The post-discharge suicide rate above the long-term one, per window (1/year; none without mortality)."""
    rates = care.suicide_after_discharge_per_year or (0.0, 0.0, 0.0, 0.0)
    long_term = care.suicide_long_term_per_year or 0.0
    excess = [max(0.0, float(rate) - float(long_term)) for rate in rates]
    return dict(zip(("suicide_week", "suicide_month", "suicide_quarter", "suicide_year"), excess, strict=True))


def _decay(recovery_per_day):
    """The continuous rate (1/day) at which a resource closes `recovery_per_day` of its gap each day."""
    return math.inf if recovery_per_day >= 1.0 else -math.log1p(-float(recovery_per_day))


def _trial_rules(cfg):
    t = cfg.trial
    on = t.kind != "none"
    return {
        "trial_on": on,
        "trial_index_event": TRIAL_INDEX_CODES[t.index_event] if on else 0,
        "trial_diagnoses": _flags(t.diagnoses if on else [0, 0, 0]),
        "trial_age_groups": _flags(t.age_groups if on else [0, 0, 0]),
        "trial_forensic": bool(on and t.forensic),
        "trial_min_prior_admissions": int(t.min_prior_admissions) if on else 0,
        "trial_lookback_days": int(t.lookback_days) if on else 0,
        "trial_counts_acute": bool(on and t.outcome == "acute"),
        "trial_first_day": int(cfg.burn_in_days),
        "trial_last_day": int(cfg.burn_in_days + t.recruitment_days) if on else 0,
        "trial_allocation": float(t.allocation) if on else 0.0,
        "trial_follow_up_days": int(t.follow_up_days) if on else 0,
    }
