"""The simulated population: patients' fixed attributes and starting state, and their network.

Built from the replication seed alone, once per replication, and copied into
every arm, so the arms differ only by the programme.
"""

import numpy as np

from sim.model.columns import (
    ALIVE,
    COMMUNITY,
    HISTORY,
    INPATIENT,
    NEVER,
    NO_WORKER,
    NOT_RECRUITED,
    TALLY_NAMES,
    Patients,
)
from sim.model.network import build_network, to_network


def staff_count(per_1000, n):
    """Whole staff or beds for a population of n (rounded half up)."""
    return int(np.floor(per_1000 * n / 1000.0 + 0.5))


def clinician_count(cfg):
    return max(1, staff_count(cfg.care.clinicians_per_1000, cfg.population.n))


def _beta_around(rng, mean, concentration, n):
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, n)


def prior_admission_days(rng, prior, history_days):
    """Each patient's latest `HISTORY` prior admission days (a ring, NEVER where fewer), uniform over the
    `history_days` before day 0: the admission history a look-back window reads from the first day."""
    n = prior.size
    ring = np.full((n, HISTORY), NEVER, np.int32)
    owner = np.repeat(np.arange(n), prior)
    days = rng.integers(-history_days, 0, owner.size)
    order = np.lexsort((days, owner))
    owner, days = owner[order], days[order]
    rank = np.arange(owner.size) - np.repeat(np.cumsum(prior) - prior, prior)  # 0 = the patient's earliest
    latest = rank >= prior[owner] - HISTORY
    ring[owner[latest], rank[latest] % HISTORY] = days[latest]  # slot = admission number mod HISTORY
    return ring


def last_prior_discharge(ring, diagnosis, mean_los_days):
    """The day each patient left hospital after their latest prior admission (its day plus the diagnosis' mean
    stay, at the latest day -1), NEVER without one: day 0 starts with the post-discharge cohort a service
    has, instead of a year to fill it."""
    latest = ring.max(axis=1)
    stay = np.rint(np.asarray(mean_los_days)[diagnosis]).astype(np.int64)
    return np.where(latest == NEVER, NEVER, np.minimum(latest + stay, -1)).astype(np.int32)


def make_population(cfg, seed, graph=None):
    """Patients (all in the community; prior admissions in their history) and the CSR social network.

    `graph`: any networkx graph over integer patient ids, used instead of `network` in the config.
    """
    pop = cfg.population
    n_clinicians = clinician_count(cfg)
    n = pop.n
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0]))
    diagnosis = rng.choice(3, size=n, p=np.asarray(pop.diagnosis_shares)).astype(np.int8)
    age_group = rng.choice(3, size=n, p=np.asarray(pop.age_shares)).astype(np.int8)
    forensic = (rng.random(n) < pop.forensic_share).astype(np.int8)
    severity = rng.beta(pop.severity_alpha, pop.severity_beta, n)
    prior = rng.poisson(pop.prior_admissions_mean * 2.0 * severity).astype(np.int32)
    hope = _beta_around(rng, pop.hope_mean, pop.resource_concentration, n)
    engagement = _beta_around(rng, pop.engagement_mean, pop.resource_concentration, n)
    clinician = rng.integers(0, n_clinicians, n).astype(np.int32)
    graph_seed = int(rng.integers(0, 2**31 - 1))
    history = prior_admission_days(np.random.default_rng(np.random.SeedSequence([int(seed), 3])), prior,
                                   pop.prior_history_days)
    discharged = last_prior_discharge(history, diagnosis, cfg.care.mean_los_days)
    patients = Patients(
        diagnosis=diagnosis,
        age_group=age_group,
        forensic=forensic,
        severity=severity,
        prior_admissions=prior,
        baseline_hope=hope,
        baseline_engagement=engagement,
        hope=hope.copy(),
        engagement=engagement.copy(),
        resources_day=np.zeros(n, np.int32),
        state=np.full(n, COMMUNITY, np.int8),
        death_day=np.full(n, ALIVE, np.int32),
        days_left=np.zeros(n, np.int32),
        last_discharge_day=discharged,
        last_episode_end_day=discharged.copy(),
        last_episode_kind=np.where(discharged == NEVER, COMMUNITY, INPATIENT).astype(np.int8),
        admission_days=history,
        last_followup_day=np.full(n, NEVER, np.int32),
        clinician=clinician,
        peer_worker=np.full(n, NO_WORKER, np.int32),
        peer_end_day=np.zeros(n, np.int32),
        programme_contacts=np.zeros(n, np.int32),
        admissions=np.zeros(n, np.int32),
        index_discharge_day=np.full(n, NEVER, np.int32),
        index_readmission_gap=np.full(n, -1, np.int32),
        trial_arm=np.full(n, NOT_RECRUITED, np.int8),
        trial_day=np.full(n, NEVER, np.int32),
        trial_readmission_gap=np.full(n, -1, np.int32),
        trial_admissions=np.zeros(n, np.int32),
        trial_bed_days=np.zeros(n, np.int32),
        **record_columns(n if cfg.records.write else 0),
    )
    return patients, to_network(graph, n) if graph is not None else build_network(cfg, n, graph_seed)


def record_columns(n):
    """The per-patient record column for n patients; without records (n = 0) an empty column of another shape,
    for which the kernels are compiled without record-keeping (`sim.engines.records`)."""
    return {"record": np.zeros((n, 3, len(TALLY_NAMES))) if n else np.zeros(0)}
