"""The simulated population: patients' fixed attributes and starting state, and their network.

Built from the replication seed alone, once per replication, and copied into
every arm, so the arms differ only by the programme.
"""

import numpy as np

from sim.columns import COMMUNITY, NEVER, NO_WORKER, Patients
from sim.network import build_graph, to_csr


def staff_count(per_1000, n):
    """Whole staff or beds for a population of n (rounded half up)."""
    return int(np.floor(per_1000 * n / 1000.0 + 0.5))


def clinician_count(cfg):
    return max(1, staff_count(cfg.care.clinicians_per_1000, cfg.population.n))


def _beta_around(rng, mean, concentration, n):
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, n)


def make_population(cfg, seed):
    """Patients (all in the community, never discharged) and the CSR social network."""
    pop = cfg.population
    n_clinicians = clinician_count(cfg)
    n = pop.n
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0]))
    diagnosis = rng.choice(3, size=n, p=np.asarray(pop.diagnosis_shares)).astype(np.int8)
    severity = rng.beta(pop.severity_alpha, pop.severity_beta, n)
    hope = _beta_around(rng, pop.hope_mean, pop.resource_concentration, n)
    engagement = _beta_around(rng, pop.engagement_mean, pop.resource_concentration, n)
    clinician = rng.integers(0, n_clinicians, n).astype(np.int32)
    graph_seed = int(rng.integers(0, 2**31 - 1))
    patients = Patients(
        diagnosis=diagnosis,
        severity=severity,
        baseline_hope=hope,
        baseline_engagement=engagement,
        hope=hope.copy(),
        engagement=engagement.copy(),
        state=np.full(n, COMMUNITY, np.int8),
        days_left=np.zeros(n, np.int32),
        last_discharge_day=np.full(n, NEVER, np.int32),
        last_followup_day=np.full(n, NEVER, np.int32),
        clinician=clinician,
        peer_worker=np.full(n, NO_WORKER, np.int32),
        peer_end_day=np.zeros(n, np.int32),
        admissions=np.zeros(n, np.int32),
    )
    return patients, to_csr(build_graph(cfg, n, graph_seed), n)
