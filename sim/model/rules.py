"""The model's math, written once: small scalar functions both engines call.

`register_jitable` makes each one plain Python when called from Python (the
Mesa engine) and compiled into a Numba kernel that calls it. Use `math.exp` and
`math.log` (the same libm in both modes) and one expression order, so both
engines agree bit for bit.
"""

import math

import numpy as np
from numba.extending import register_jitable

from sim.model.columns import CRISIS, RESPITE

POST_DISCHARGE_DAYS = 365  # the post-discharge excess risk is counted for one year

# When a programme offers a peer worker (ProgramConfig.entry).
ENTRY_DISCHARGE, ENTRY_CRISIS_END, ENTRY_CRISIS, ENTRY_COMMUNITY = 0, 1, 2, 3
# The events at which an offer can be made.
AT_DISCHARGE, AT_CRISIS_TEAM_END, AT_CRISIS, AT_START = 0, 1, 2, 3


@register_jitable
def fixed_log_hr(r, age_group, forensic, severity):
    """The part of a patient's log hazard ratio of relapse that does not change: severity, age, forensic."""
    return r.severity_log_hr * (severity - 0.5) + r.age_log_hr[age_group] + r.forensic_log_hr * forensic


@register_jitable
def crisis_probability(base, log_hr):
    """Daily probability of a crisis at this baseline hazard (1/day) and log hazard ratio."""
    return 1.0 - math.exp(-base * math.exp(log_hr))


@register_jitable
def relapse_probability(r, diagnosis, age_group, forensic, severity, hope, engagement, neighbour_hope,
                        days_since_episode, episode_kind, days_since_followup, recent_admissions):
    """Daily probability of a crisis in the community.

    hazard = base[diagnosis] * exp(severity, age and forensic terms + recent admissions + post-episode term
    - protective terms); the post-episode term follows the end of any acute episode (ward, crisis team,
    respite), at a size set per kind, and decays exponentially (CIHI 2011: 41% of 30-day readmissions fall
    in the first week).
    """
    return daily_relapse_probability(r.daily, r.relapse_base[diagnosis], fixed_log_hr(r, age_group, forensic, severity),
                                     hope, engagement, neighbour_hope, days_since_episode, episode_kind,
                                     days_since_followup, recent_admissions)


@register_jitable
def daily_relapse_probability(daily, base, fixed, hope, engagement, neighbour_hope, days_since_episode,
                              episode_kind, days_since_followup, recent_admissions):
    """`relapse_probability` given the patient's baseline hazard and `fixed_log_hr` (what a parallel loop,
    which cannot take `Rules`, computes it from)."""
    log_hr = (fixed
              + daily.recent_admission_log_hr * recent_admissions
              - daily.hope_log_hr * (hope - 0.5)
              - daily.engagement_log_hr * (engagement - 0.5)
              - daily.network_log_hr * (neighbour_hope - 0.5))
    if 0 <= days_since_episode <= POST_DISCHARGE_DAYS:
        log_hr += (post_episode_log_hr(daily, episode_kind)
                   * math.exp(-days_since_episode / daily.post_discharge_decay_days))
    if 0 <= days_since_followup <= daily.followup_protection_days:
        log_hr -= daily.followup_log_hr
    return crisis_probability(base, log_hr)


@register_jitable
def post_episode_log_hr(daily, kind):
    """The post-episode term's size (log HR, before its decay) after the end of an acute episode of this kind
    (the patient state it ended: INPATIENT, CRISIS or RESPITE). Day 0 is the day the episode ends, spent in
    care, so a patient first faces it one day later, at exp(-1 / decay) of this size."""
    if kind == CRISIS:
        return daily.post_crisis_team_log_hr
    if kind == RESPITE:
        return daily.post_respite_log_hr
    return daily.post_discharge_log_hr


@register_jitable
def fixed_mortality(r, age_group, diagnosis):
    """All-cause mortality (1/year) of a person with this diagnosis: the general population's at their age
    times the diagnosis's rate ratio (Walker, McGee & Druss 2015)."""
    return r.general_mortality[age_group] * r.mortality_rate_ratio[diagnosis]


@register_jitable
def suicide_excess(daily, days_since_discharge):
    """The post-discharge suicide rate above the long-term one (1/year), by time since the latest ward
    discharge (Chung et al. 2017, 2019); 0 after a year or with no discharge (NEVER is far in the past).
    It does not rise with time, so its value now bounds every later day's until the next discharge."""
    if days_since_discharge < 0 or days_since_discharge > POST_DISCHARGE_DAYS:
        return 0.0
    if days_since_discharge <= 7:
        return daily.suicide_week
    if days_since_discharge <= 30:
        return daily.suicide_month
    if days_since_discharge <= 91:
        return daily.suicide_quarter
    return daily.suicide_year


@register_jitable
def death_probability(daily, mortality, days_since_discharge, in_community):
    """The chance of dying today: all-cause mortality (1/year) plus, in the community, the post-discharge
    suicide excess. The day's relapse draw u decides both: death if u < this, a crisis if it is not and
    u < this + the relapse probability (competing risks on one draw, exact in both engines)."""
    rate = mortality
    if in_community:
        rate += suicide_excess(daily, days_since_discharge)
    return 1.0 - math.exp(-rate / 365.0)


BOUND_SLACK = 1e-15  # above the rounding of 1 - exp(-x) (at most one ulp of 1) against its bound x


@register_jitable
def _largest_protection_loss(log_hr, low, high):
    """The largest -log_hr * (x - 0.5) for x in [low, high] (at one end)."""
    return max(-log_hr * (low - 0.5), -log_hr * (high - 0.5))


@register_jitable
def daily_relapse_bound(daily, base, fixed, hope_low, hope_high, engagement_low, engagement_high,
                        recent_admissions):
    """An upper bound of the daily relapse hazard (1/day) outside the post-discharge window, given the
    patient's baseline hazard and `fixed_log_hr`, over every hope and engagement in the given ranges, any
    neighbours' hope and follow-up. A term -b * (x - 0.5) is largest at one end of x's range; 1 - exp(-x)
    <= x (`BOUND_SLACK` covers its rounding); the factor 1 + 1e-9 covers the rounding of sums."""
    log_hr = (fixed
              + max(0.0, daily.recent_admission_log_hr * recent_admissions)
              + _largest_protection_loss(daily.hope_log_hr, hope_low, hope_high)
              + _largest_protection_loss(daily.engagement_log_hr, engagement_low, engagement_high)
              + 0.5 * abs(daily.network_log_hr)
              + max(0.0, -daily.followup_log_hr))
    return base * math.exp(log_hr) * (1.0 + 1e-9)


@register_jitable
def post_discharge_factor(daily, days_since_episode, episode_kind):
    """The largest factor the post-episode term puts on the hazard this many days after an episode ends
    (1 outside the window): `daily_relapse_bound` times it bounds that day's hazard."""
    if 0 <= days_since_episode <= POST_DISCHARGE_DAYS:
        return math.exp(max(0.0, post_episode_log_hr(daily, episode_kind)
                            * math.exp(-days_since_episode / daily.post_discharge_decay_days))) * (1.0 + 1e-9)
    return 1.0


@register_jitable
def relapse_bound_from(daily, base, fixed, hope, baseline_hope, engagement, baseline_engagement,
                       days_since_episode, episode_kind, recent_admissions):
    """A bound of the daily relapse probability, less `BOUND_SLACK`, valid from `days_since_episode` on
    while hope and engagement drift from their current values to baseline (no new episode in between): the
    post-episode factor and the count of recent admissions only fall with time, and a drifting resource
    stays between value and baseline.

    A day's relapse draw at or above it is no crisis whatever the exact hazard, so the Numba engine skips
    computing it there (exact early rejection: the outcome is the same bit for bit). With network spillover
    on, every day pulls hope toward the neighbours' mean, so the bound holds for every hope in [0, 1]: it
    stays valid through the pulls, and nobody's bound is recomputed because of them."""
    hope_low, hope_high = (0.0, 1.0) if daily.network_spillover > 0.0 else (min(hope, baseline_hope),
                                                                             max(hope, baseline_hope))
    return (daily_relapse_bound(daily, base, fixed, hope_low, hope_high, min(engagement, baseline_engagement),
                                max(engagement, baseline_engagement), recent_admissions)
            * post_discharge_factor(daily, days_since_episode, episode_kind))


@register_jitable
def followup_probability(r, engagement, load, capacity):
    """Daily chance a recently discharged patient is seen: falls as load exceeds capacity."""
    pressure = 1.0 if load <= capacity else capacity / load
    return r.followup_rate * engagement * pressure


@register_jitable
def awaits_followup(days_since_discharge, last_followup_day, last_discharge_day, window):
    """Discharged within the follow-up window and not yet seen by a clinician since."""
    return 1 <= days_since_discharge <= window and last_followup_day < last_discharge_day


@register_jitable
def offered_at(r, event):
    """Whether the programme offers a peer worker at this event (discharge, crisis-team end, crisis, start)."""
    if r.entry == ENTRY_DISCHARGE:
        return event == AT_DISCHARGE
    if r.entry == ENTRY_CRISIS_END:
        return event == AT_DISCHARGE or event == AT_CRISIS_TEAM_END
    if r.entry == ENTRY_CRISIS:
        return event == AT_CRISIS
    return event == AT_START or event == AT_DISCHARGE or event == AT_CRISIS_TEAM_END


@register_jitable
def meets_criteria(diagnoses, age_groups, forensic_ok, min_admissions, diagnosis, age_group, forensic,
                   admissions_so_far):
    """Inclusion criteria (a programme's targeting, a trial's eligibility): diagnosis, age group, forensic
    status and admissions (ever, or in the criteria's look-back window: the caller counts them)."""
    return (diagnoses[diagnosis] == 1 and age_groups[age_group] == 1 and (forensic == 0 or forensic_ok)
            and admissions_so_far >= min_admissions)


@register_jitable
def eligible(r, diagnosis, age_group, forensic, admissions_so_far):
    """The programme's targeting."""
    return meets_criteria(r.eligible_diagnoses, r.eligible_age_groups, r.eligible_forensic, r.min_prior_admissions,
                          diagnosis, age_group, forensic, admissions_so_far)


@register_jitable
def contact_weight(r, burnout, matched):
    """How much of a contact's full effect lands: less with a burnt-out worker, more with shared experience."""
    weight = 1.0 - r.burnout_effect_loss * burnout
    if matched:
        weight += weight * r.match_bonus
    return weight


@register_jitable
def drifted(value, baseline, decay, days):
    """A psychosocial resource `days` after it was set, back toward its baseline by the same share each day
    (`decay` = -log(1 - recovery per day)). Closed form, so no patient is touched on a day nothing happens.
    A value at its baseline stays there (exactly what the formula gives, without its exponential)."""
    return drifted_by(value, baseline, 1.0 if days == 0 or value == baseline else math.exp(-decay * days), days)


@register_jitable
def drifted_by(value, baseline, factor, days):
    """`drifted` given its factor exp(-decay * days) (`drift_factors` holds them for a run's days)."""
    if days == 0 or value == baseline:
        return value
    return baseline + (value - baseline) * factor


@register_jitable
def drift_factors(decay, days):
    """exp(-decay * d) for d = 0 .. days - 1: the factors `drifted` computes, once for a whole run."""
    factors = np.empty(days)
    for d in range(days):
        factors[d] = math.exp(-decay * d)
    return factors


@register_jitable
def pulled_hope(hope, neighbours, spillover):
    """Hope moved `spillover` of the way toward the neighbours' mean (network spillover; 0 = off)."""
    return hope + spillover * (neighbours - hope)


@register_jitable
def hope_tomorrow(r, hope, weight, crisis):
    """Hope at the start of tomorrow, from what it would have drifted to (`hope`): a peer contact
    (weight > 0) closes part of the gap to 1, a crisis costs a share."""
    if weight > 0.0:
        hope += min(1.0, r.daily.contact_hope_gain * weight) * (1.0 - hope)
    if crisis:
        hope -= r.admission_hope_loss * hope
    return hope


@register_jitable
def engagement_tomorrow(r, engagement, weight, followed_up):
    """Engagement at the start of tomorrow, from what it would have drifted to: peer contacts and a
    clinician follow-up raise it."""
    if weight > 0.0:
        engagement += min(1.0, r.daily.contact_engagement_gain * weight) * (1.0 - engagement)
    if followed_up:
        engagement += r.daily.followup_engagement_gain * (1.0 - engagement)
    return engagement


@register_jitable
def length_of_stay(r, diagnosis, forensic, u):
    """Days in hospital, by inversion of the draw u: a Weibull stay with the diagnosis' mean and the setting's
    median-to-mean ratio (stays are skewed: a few long ones raise the mean far above the median), longer for
    forensic patients, rounded to whole days and at least one."""
    scale = r.los_scale_days[diagnosis] * (r.forensic_los_multiplier if forensic else 1.0)
    return max(1, int(scale * (-math.log(1.0 - u)) ** (1.0 / r.los_shape) + 0.5))


@register_jitable
def next_burnout(r, burnout, load_fraction):
    """Burnout rises with caseload, role ambiguity, stigma and extra duties; supervision helps it fall."""
    pressure = r.burnout_pressure_fixed + r.burnout_load_per_day * load_fraction
    b = burnout + min(1.0, pressure) * (1.0 - burnout) - min(1.0, r.burnout_recovery) * burnout
    return min(1.0, max(0.0, b))


@register_jitable
def absence_probability(r, burnout):
    """Daily onset of sickness absence, raised by burnout (logistic)."""
    base = min(max(r.absence_per_day, 1e-12), 1.0 - 1e-12)
    z = math.log(base / (1.0 - base)) + r.absence_burnout_log_or * burnout
    return 1.0 / (1.0 + math.exp(-z))


@register_jitable
def quit_probability(r, burnout):
    """Daily chance of quitting: burnout (OR 1.54) and extra duties (OR 2.91) raise it, satisfaction
    (OR 0.46) lowers it (Lombardi 2025)."""
    z = r.quit_log_odds_fixed + r.quit_burnout_log_or * burnout
    return 1.0 / (1.0 + math.exp(-z))


@register_jitable
def index_discharge(r, index_day, day, never):
    """A patient's index event is their first discharge in the counted period (per-patient outcomes)."""
    if index_day == never and day >= r.first_counted_day:
        return day
    return index_day


@register_jitable
def first_readmission_gap(index_day, gap, day, never):
    """Days from the index discharge to the first admission after it (-1 until there is one)."""
    if index_day != never and gap < 0:
        return day - index_day
    return gap


@register_jitable
def trial_recruits(r, event, day, diagnosis, age_group, forensic, admissions_so_far):
    """An emulated trial recruits at its index event inside the recruitment window, if the person is eligible."""
    if not r.trial_on or day < r.trial_first_day or day >= r.trial_last_day:
        return False
    if r.trial_index_event == 0 and event != AT_DISCHARGE:
        return False
    if r.trial_index_event == 1 and event != AT_CRISIS_TEAM_END:
        return False
    return meets_criteria(r.trial_diagnoses, r.trial_age_groups, r.trial_forensic, r.trial_min_prior_admissions,
                          diagnosis, age_group, forensic, admissions_so_far)


@register_jitable
def trial_allocates_intervention(r, u):
    """Individual randomisation: the intervention with probability `allocation`."""
    return u < r.trial_allocation


@register_jitable
def in_trial_follow_up(r, trial_day, never, day, first):
    """Day falls in a participant's follow-up: from `first` days after the index day (0 counts an admission
    on the index day itself, 1 skips the index stay's last bed-day) to follow_up_days."""
    return trial_day != never and first <= day - trial_day <= r.trial_follow_up_days


@register_jitable
def offered(r, event, day, has_worker, trial_arm, trial_day, diagnosis, age_group, forensic, admissions_so_far):
    """Whether a patient is offered a peer worker now. In an emulated trial only intervention participants,
    at their index event; otherwise at the programme's entry event, if its targeting includes them."""
    if has_worker:
        return False
    if r.trial_on:
        return trial_arm == 1 and trial_day == day
    return offered_at(r, event) and eligible(r, diagnosis, age_group, forensic, admissions_so_far)
