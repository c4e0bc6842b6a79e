"""The care system as a Mesa model: it owns the state arrays, the network and the day loop."""

from contextlib import contextmanager

import mesa
import numba
import numpy as np

from sim.engines import invariants
from sim.engines.agents import Clinician, Patient, PeerWorker
from sim.engines.kernels import (
    begin_day_kernel,
    drift_factors_kernel,
    prepare,
    record_health_kernel,
    record_workforce_kernel,
    refresh,
    resources_on,
    simulate_days,
)
from sim.engines.resources import settle_resources, spill, spillover_targets
from sim.extensions import load as load_extension
from sim.model import streams
from sim.model.columns import Clinicians, PeerWorkers, copy_state, new_snapshot
from sim.model.events import COLUMNS
from sim.model.parameters import rules_from_config
from sim.model.population import clinician_count, make_population, staff_count
from sim.model.rules import drifted


@contextmanager
def numba_threads(threads):
    """Run the enclosed kernels on `threads` Numba threads, then restore the caller's setting."""
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield
    finally:
        numba.set_num_threads(before)


class CareSystemModel(mesa.Model):
    """One arm of one replication: a population, its network, beds, clinicians and a programme.

    `population` lets several arms start from the same patients and network
    (built from the replication seed); `graph` is any networkx graph over
    integer patient ids to use as the social network. `step()` advances one
    day with the chosen engine, `run()` advances to the end of the horizon.
    `agent_views=False` skips the Mesa agents when the Numba engine runs
    alone (switching to the Mesa engine creates them).
    """

    def __init__(self, cfg, program=None, replication=0, engine=None, population=None, graph=None, agent_views=True):
        seed = streams.replication_seed(cfg.seed, replication)
        super().__init__(rng=int(seed))
        self.cfg = cfg
        self.program = program if program is not None else cfg.program
        self.engine = engine or cfg.engine
        self.seed = seed
        n = cfg.population.n
        n_clinicians = clinician_count(cfg)
        if population is None:
            population = make_population(cfg, seed, graph)
        patients, self.network = population
        self.patients = copy_state(patients)
        n_workers = staff_count(self.program.workers_per_1000, n)
        lived_experience = np.random.default_rng(np.random.SeedSequence([int(seed), 1]))
        self.workers = PeerWorkers(
            capacity=np.full(n_workers, self.program.caseload_capacity, np.int32),
            caseload=np.zeros(n_workers, np.int32),
            diagnosis=lived_experience.choice(3, n_workers, p=np.asarray(cfg.population.diagnosis_shares))
            .astype(np.int8),
            burnout=np.zeros(n_workers),
            absent_days=np.zeros(n_workers, np.int32),
            vacant_days=np.zeros(n_workers, np.int32),
            group_size=np.zeros(n_workers, np.int32),
            group_hope=np.zeros(n_workers),
        )
        self.clinicians = Clinicians(
            capacity=np.full(n_clinicians, cfg.care.clinician_capacity, np.int32),
            load=np.zeros(n_clinicians, np.int32),
        )
        self.n_beds = staff_count(cfg.care.beds_per_1000, n)
        self.n_respite = staff_count(self.program.respite_places_per_1000, n)
        self.rules = rules_from_config(cfg, self.program)
        self.snapshot = new_snapshot(cfg.trial.sample_size if cfg.trial.kind != "none" else 0)
        self.n_days = cfg.burn_in_days + cfg.horizon_days
        self.events = np.zeros((self.n_days, len(COLUMNS)), np.int64)
        self.day = 0
        self.todays_draws = {}
        self.todays_changes = []  # Mesa engine: (patient, contact weight, followed up, crisis) to settle at day end
        self._hope_today = None  # (day, hope, day column): see hope_as_set_today
        self._kernel_state = None  # the Numba engine's, kept between its calls (kernels.KernelState)
        self._changed = []  # patients changed between days, for the Numba engine to look at again (changed())
        # hope's drift factors for every day of the run, read by both engines' daily pass over the living
        self.hope_factors = drift_factors_kernel(self.rules.daily.hope_decay, self.n_days + 1)
        self.extension = load_extension(cfg.extension)
        self.extension_costs = np.zeros(self.n_days)  # currency, each day
        self._patient_agents = self._worker_agents = None
        self.day_running = False  # True inside step(): hope and engagement are then read-only on agents
        if agent_views or self.engine == "mesa":
            self.create_agent_views()

    def create_agent_views(self):
        """One Mesa agent per patient, peer worker and clinician, each a view onto its slot of the arrays.

        The Mesa engine steps them; the Numba engine needs none, so the experiment runner skips them
        (about 4 us and 450 B each: 4 s and 450 MB at a million patients)."""
        if self._patient_agents is not None:
            return
        for i in range(self.cfg.population.n):
            Patient(self, i)
        for k in range(self.workers.capacity.size):
            PeerWorker(self, k)
        for k in range(self.clinicians.capacity.size):
            Clinician(self, k)
        self._patient_agents = self.agents_by_type[Patient]
        self._patients_by_index = sorted(self._patient_agents, key=lambda a: a.index)
        self._worker_agents = self.agents_by_type.get(PeerWorker, [])

    @property
    def finished(self):
        return self.day >= self.n_days

    def step(self):
        """Advance one day (and check the invariants when `debug=true`)."""
        self.day_running = True
        try:
            if self.engine == "numba":
                self._run_numba(self.day + 1)
            else:
                self._kernel_state = None  # a Mesa day may change anyone: the Numba engine starts afresh
                self._changed = []
                self._step_mesa()
        finally:
            self.day_running = False
        if self.extension is not None:
            module, params = self.extension
            day = self.day - 1  # the day that just ran
            self.extension_costs[day] = module.end_of_day(self, params, day)
        if self.cfg.debug:
            invariants.check(self)

    def run(self):
        """Advance to the end of burn-in plus horizon."""
        if self.engine == "numba" and not self.cfg.debug and self.extension is None:
            self._run_numba(self.n_days)
        while not self.finished:
            self.step()
        return self

    def _run_numba(self, last_day, clock=None):
        if self._kernel_state is None:
            self._kernel_state = prepare(self.patients, self.rules, self.day, self.hope_factors)
        elif self._changed:
            who = np.unique(np.concatenate(self._changed)).astype(np.int32)
            refresh(self.patients, self.rules, self._kernel_state, who, self.day)
        self._changed = []
        with numba_threads(self.cfg.threads):
            simulate_days(self.patients, self.workers, self.clinicians, self.snapshot, self.network, self.rules,
                          self.events, self.seed, self.n_beds, self.n_respite, self.day, last_day,
                          self._kernel_state, clock)
        self.day = last_day

    def resources_today(self):
        """Every patient's hope and engagement at the start of the next day to run (two arrays)."""
        return resources_on(self.patients, self.rules.daily, self.day)

    def hope_as_set_today(self):
        """Everyone's hope today, as (values, a day column saying they were set today): what the Mesa engine
        passes to `neighbour_hope`, so each neighbour's drift is computed once a day, not once per reader.
        Kept for the day (hope changes only from the next day) until `set_resources` changes it."""
        if self._hope_today is None or self._hope_today[0] != self.day:
            n = self.cfg.population.n
            self._hope_today = (self.day, self.resources_today()[0], np.full(n, self.day, np.int32))
        return self._hope_today[1:]

    def set_resources(self, who, hope=None, engagement=None):
        """Set the hope and/or engagement of patients `who` (indices or a mask) as of the start of the next
        day to run; the other keeps its value, and both drift to baseline from there."""
        p = self.patients
        if hope is None:
            hope = self._drifted_today(who, p.hope, p.baseline_hope, self.rules.daily.hope_decay)
        if engagement is None:
            engagement = self._drifted_today(who, p.engagement, p.baseline_engagement,
                                             self.rules.daily.engagement_decay)
        p.hope[who] = hope
        p.engagement[who] = engagement
        p.resources_day[who] = self.day
        self._hope_today = None
        self.changed(who)

    def changed(self, who):
        """Say that patients `who` (indices or a mask) were changed between days: the Numba engine looks at
        them again (their relapse bound, and whether they have anything to do), as it does not re-read
        everyone each day. `set_resources` says it for you; an extension that writes other columns must."""
        self._changed.append(np.atleast_1d(np.arange(self.patients.state.size)[who]))

    def _drifted_today(self, who, value, baseline, decay):
        """Patients `who`'s value of a resource today: only theirs is computed, O(len(who))."""
        p = self.patients
        which = np.arange(p.hope.size)[who]
        return np.array([drifted(value[i], baseline[i], decay, self.day - p.resources_day[i]) for i in which])

    def _step_mesa(self):
        """The reference engine: start-of-day counts, each patient's step() in the day's priority order (a
        fresh random order each day: who claims the last bed, respite place, peer slot or trial place never
        follows patient index, i.e. network position), network spillover, the day's changes to hope and
        engagement, then each worker's step()."""
        self.create_agent_views()
        n = self.cfg.population.n
        begin_day_kernel(self.patients, self.workers, self.clinicians, self.snapshot, self.rules, self.events,
                         self.n_beds, self.n_respite, self.day, np.arange(n, dtype=np.int32), n, np.empty(n, np.int32))
        pulled = np.empty(n if self.rules.network_spillover > 0.0 else 0)
        if self.rules.network_spillover > 0.0:
            spillover_targets(self.patients, self.workers, self.network, self.rules, self.day, pulled)
        n_workers = self.workers.capacity.size
        draws = {name: streams.draws(self.seed, s, self.day, n) for name, s in streams.STREAMS.items()}
        draws.update({name: streams.draws(self.seed, s, self.day, n_workers)
                      for name, s in streams.WORKER_STREAMS.items()})
        self.todays_draws = draws
        self.todays_changes = []
        p = self.patients
        order = np.lexsort((np.arange(n), draws["priority"]))  # by the day's priority draw, ties by index
        with np.errstate(over="ignore"):  # the shared decisions hash their draws in uint64, which wraps by design
            for i in order:
                self._patients_by_index[i].step()
            record_health_kernel(p, self.rules, self.events, self.day, self.hope_factors)
            if self.rules.network_spillover > 0.0:
                spill(p, self.rules, self.day, pulled)
            for i, weight, followed, crisis in self.todays_changes:
                settle_resources(self.rules, p.hope, p.engagement, p.baseline_hope, p.baseline_engagement,
                                 p.resources_day, i, self.day, weight, followed, crisis)
            for worker in self._worker_agents:
                worker.step()
        record_workforce_kernel(self.workers, self.events, self.day)
        self.day += 1
