"""Mesa agents as views onto the state arrays.

A `Patient` holds only its index: every attribute (`hope`, `state`, ...) is a
property reading or writing its slot of the model's columns, so AgentSet
queries, the DataCollector and Mesa's visualisation see live state.
`Patient.step()` is the reference engine: the day of one patient, written
for reading, calling the same rules as the Numba kernels in `sim.kernels`.
"""

import mesa

from sim import events as ev
from sim.columns import COMMUNITY, CRISIS, INPATIENT, NO_WORKER, Clinicians, Patients, PeerWorkers
from sim.pathway import enrol, neighbour_hope, record_admission
from sim.rules import (
    awaits_followup,
    followup_probability,
    hope_after_crisis,
    length_of_stay,
    next_engagement,
    next_hope,
    relapse_probability,
)


def _column(table, name):
    def get(self):
        return getattr(getattr(self.model, table), name)[self.index]

    def put(self, value):
        getattr(getattr(self.model, table), name)[self.index] = value

    return property(get, put, doc=f"This agent's slot of model.{table}.{name}.")


class _View(mesa.Agent):
    _columns: tuple = ()

    def __init__(self, model, index):
        super().__init__(model)
        self.index = index


class Patient(_View):
    """A person with serious mental illness in contact with services."""

    _columns = Patients._fields

    def step(self):
        """One day: spent in a bed or with the crisis team if it started there, else in the community."""
        if self.model.snapshot.state[self.index] == COMMUNITY:
            self.live_in_community()
        else:
            self.stay()

    def draw(self, stream):
        """This patient's draw of a named stream today."""
        return self.model.todays_draws[stream][self.index]

    def stay(self):
        """A day in hospital or under the crisis team; leave when the episode ends."""
        m = self.model
        if self.state == INPATIENT:
            m.events[m.day, ev.BED_DAYS] += 1
        self.days_left -= 1
        if self.days_left > 0:
            return
        if self.state == INPATIENT:
            self.discharge()
        self.state = COMMUNITY

    def discharge(self):
        """Open the readmission windows and offer a peer worker."""
        m, day = self.model, self.model.day
        self.last_discharge_day = day
        m.events[day, ev.DISCHARGES] += 1
        if self.peer_worker == NO_WORKER and self.draw("peer_offer") < m.rules.coverage:
            k = enrol(m.workers.caseload, m.workers.capacity, m.events, day)
            if k != NO_WORKER:
                self.peer_worker = k
                self.peer_end_day = day + m.rules.duration_days

    def live_in_community(self):
        """Network support, peer contact, clinician follow-up, then the risk of a crisis."""
        m, day, r = self.model, self.model.day, self.model.rules
        neighbours = neighbour_hope(m.network.indptr, m.network.indices, m.snapshot.hope, self.index)
        contacted = self.peer_worker != NO_WORKER and self.draw("peer_contact") < r.contact_probability
        if contacted:
            m.events[day, ev.PEER_CONTACTS] += 1
        clinician = m.clinicians
        followed = (awaits_followup(day - self.last_discharge_day, self.last_followup_day, self.last_discharge_day,
                                    r.followup_window_days)
                    and self.draw("followup") < followup_probability(r, self.engagement, clinician.load[self.clinician],
                                                                     clinician.capacity[self.clinician]))
        if followed:
            self.last_followup_day = day
            m.events[day, ev.FOLLOWUPS] += 1
        self.hope = next_hope(r, self.hope, self.baseline_hope, neighbours, contacted)
        self.engagement = next_engagement(r, self.engagement, self.baseline_engagement, contacted, followed)
        risk = relapse_probability(r, self.diagnosis, self.severity, self.hope, self.engagement, neighbours,
                                   day - self.last_discharge_day, day - self.last_followup_day)
        if self.draw("relapse") < risk:
            self.crisis()

    def crisis(self):
        """Admission if a bed is free today, else a diverted crisis-team episode."""
        m, day, r = self.model, self.model.day, self.model.rules
        self.hope = hope_after_crisis(r, self.hope)
        if m.snapshot.beds_free[0] <= 0:
            self.state = CRISIS
            self.days_left = r.diversion_days
            m.events[day, ev.DIVERSIONS] += 1
            return
        m.snapshot.beds_free[0] -= 1
        self.state = INPATIENT
        self.days_left = length_of_stay(r, self.diagnosis, self.draw("length_of_stay"))
        self.admissions += 1
        record_admission(m.events, day, self.last_discharge_day)


class PeerWorker(_View):
    """A peer support worker: a person with lived experience employed by the service."""

    _columns = PeerWorkers._fields


class Clinician(_View):
    """A community clinician who follows patients up after discharge."""

    _columns = Clinicians._fields


for _cls, _table in ((Patient, "patients"), (PeerWorker, "workers"), (Clinician, "clinicians")):
    for _name in _cls._columns:
        setattr(_cls, _name, _column(_table, _name))
