"""Mesa agents as views onto the state arrays.

A `Patient` holds only its index: every attribute (`hope`, `state`, ...) is a
property reading or writing its slot of the model's columns, so AgentSet
queries, the DataCollector and Mesa's visualisation see live state.
`hope` and `engagement` read today's values (they drift to baseline in closed
form from the day they were last set). `Patient.step()` is the reference
engine: the day of one patient, written for reading, calling the same rules
as the Numba kernels in `sim.engines.kernels`.
"""

import mesa

from sim.engines.pathway import (
    clinician_followup,
    die,
    leave,
    offer,
    peer_contact,
    place_crisis,
    risk_admissions,
    stay,
)
from sim.engines.resources import neighbour_hope
from sim.engines.workforce import worker_day
from sim.model.columns import COMMUNITY, DEAD, NO_WORKER, Clinicians, Patients, PeerWorkers
from sim.model.rules import (
    AT_START,
    ENTRY_COMMUNITY,
    death_probability,
    drifted,
    fixed_mortality,
    relapse_probability,
)


def _column(table, name):
    def get(self):
        return getattr(getattr(self.model, table), name)[self.index]

    def put(self, value):
        getattr(getattr(self.model, table), name)[self.index] = value
        if table == "patients":  # the Numba engine looks at this patient again (CareSystemModel.changed)
            self.model.changed([self.index])

    return property(get, put, doc=f"This agent's slot of model.{table}.{name}.")


class _View(mesa.Agent):
    _columns: tuple = ()

    def __init__(self, model, index):
        super().__init__(model)
        self.index = index

    def draw(self, stream):
        """This agent's draw of a named stream today."""
        return self.model.todays_draws[stream][self.index]


class Patient(_View):
    """A person with serious mental illness in contact with services."""

    _columns = Patients._fields

    def step(self):
        """One day: death first (the day's relapse draw below the chance of dying); else spent in a bed, with the
        crisis team or in respite if it started there, else in the community."""
        if self.state == DEAD:
            return
        m = self.model
        in_community = self.state == COMMUNITY
        dies = death_probability(m.rules.daily, fixed_mortality(m.rules, self.age_group, self.diagnosis),
                                 m.day - self.last_discharge_day, in_community)
        if self.draw("relapse") < dies:
            die(m.patients, m.events, m.day, self.index)
        elif in_community:
            self.live_in_community(dies)
        else:
            self.stay()

    def stay(self):
        """A day in hospital, with the crisis team or in respite; leave when the episode ends (`pathway.leave`)."""
        m, s = self.model, self.state
        if stay(m.patients, m.rules, m.events, m.day, self.index, s):
            leave(m.patients, m.workers, m.rules, m.snapshot, m.events, m.seed, m.day, self.index, s)

    def offer(self, event):
        """A peer worker, if the programme offers one at this event and the patient is eligible and takes it."""
        m = self.model
        offer(m.patients, m.workers, m.rules, m.events, m.seed, m.day, self.index, event)

    def live_in_community(self, dies):
        """The risk of a crisis first (the day's draw, not below the chance of dying `dies`, is below it plus
        the relapse probability); without one, the day's peer contact and clinician follow-up. What the day
        does to hope and engagement is settled at its end (`CareSystemModel.todays_changes`)."""
        m, day, r = self.model, self.model.day, self.model.rules
        if self.draw("relapse") < dies + self.relapse_risk():
            self.crisis()
            m.todays_changes.append((self.index, 0.0, False, True))
            return
        if r.entry == ENTRY_COMMUNITY and day == 0:
            self.offer(AT_START)
        weight = peer_contact(m.patients, m.workers, r, m.events, day, self.index, self.draw("disengage"),
                              self.draw("peer_contact"))
        followed = clinician_followup(m.patients, m.clinicians, r, m.events, day, self.index, self.draw("followup"))
        if weight > 0.0 or followed:
            m.todays_changes.append((self.index, weight, followed, False))

    def relapse_risk(self):
        """Today's crisis probability: own hope and engagement, neighbours' (and fellow group members') hope,
        recent admissions, the time since the latest acute episode ended and the latest follow-up."""
        m, r = self.model, self.model.rules
        w, p, net = m.workers, m.patients, m.network
        k = self.peer_worker
        group = r.group_ties and k != NO_WORKER
        hope, set_today = m.hope_as_set_today()
        neighbours = neighbour_hope(net.indptr, net.indices, hope, p.baseline_hope, set_today, p.death_day,
                                    r.daily.hope_decay, m.day, self.index, w.group_hope[k] if group else 0.0,
                                    w.group_size[k] if group else 0)
        recent = risk_admissions(r.daily, p.admission_days, self.index, m.day)
        return relapse_probability(r, self.diagnosis, self.age_group, self.forensic, self.severity, self.hope,
                                   self.engagement, neighbours, m.day - self.last_episode_end_day,
                                   self.last_episode_kind, m.day - self.last_followup_day, recent)

    def crisis(self):
        """Peer respite if the programme offers it and a place is free, else a bed, else the crisis team."""
        m = self.model
        place_crisis(m.patients, m.rules, m.snapshot, m.events, m.seed, m.day, self.index)


class PeerWorker(_View):
    """A peer support worker: a person with lived experience employed by the service."""

    _columns = PeerWorkers._fields

    def step(self):
        """End of the day: burnout moves with caseload and the job's pressures; absence, quitting, refilling
        (`pathway.worker_day`)."""
        m = self.model
        worker_day(m.patients, m.workers, m.rules, m.events, m.seed, m.day, self.index)


class Clinician(_View):
    """A community clinician who follows patients up after discharge."""

    _columns = Clinicians._fields


for _cls, _table in ((Patient, "patients"), (PeerWorker, "workers"), (Clinician, "clinicians")):
    for _name in _cls._columns:
        setattr(_cls, _name, _column(_table, _name))


def _resource(name, decay):
    def get(self):
        p = self.model.patients
        return drifted(getattr(p, name)[self.index], getattr(p, "baseline_" + name)[self.index],
                       getattr(self.model.rules.daily, decay), self.model.day - p.resources_day[self.index])

    def put(self, value):
        if self.model.day_running:
            raise AttributeError(
                f"patient.{name} is read-only while a day runs: a day's changes to hope and engagement are "
                "settled as of the next day in both engines, so a rule that writes them mid-day would break "
                "start-of-day semantics and the engines' agreement. Write the rule as a decision both engines "
                "call (see the how-to on adding a mechanism), or as an extension's end-of-day hook that calls "
                f"model.set_resources(who, {name}=...).")
        self.model.set_resources([self.index], **{name: value})

    return property(get, put, doc=f"This patient's {name} today. Set between days only (O(1)); read-only "
                                   "while a day runs.")


Patient.hope = _resource("hope", "hope_decay")
Patient.engagement = _resource("engagement", "engagement_decay")
