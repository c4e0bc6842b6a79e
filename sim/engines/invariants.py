"""The model's invariants, checked every day when `debug=true` and after every run in the tests.

A violation means a bug in the model, not bad input: it raises InvariantError
naming each broken invariant.
"""

import numpy as np

from sim.model import events as ev
from sim.model.columns import ALIVE, COMMUNITY, CRISIS, DEAD, INPATIENT, NO_WORKER, RESPITE, STATE_NAMES


class InvariantError(AssertionError):
    """The model reached a state its rules should make impossible."""


def violations(model):
    """Every invariant the model's current state breaks, as readable lines."""
    p, n = model.patients, model.cfg.population.n
    found = []
    counts = [int((p.state == s).sum()) for s in (COMMUNITY, INPATIENT, CRISIS, RESPITE, DEAD)]
    if sum(counts) != n:
        found.append(f"patients not conserved: {counts} in {'/'.join(STATE_NAMES)}, expected {n} in all")
    if counts[INPATIENT] > model.n_beds:
        found.append(f"bed occupancy {counts[INPATIENT]} exceeds capacity {model.n_beds}")
    if counts[RESPITE] > model.n_respite:
        found.append(f"respite occupancy {counts[RESPITE]} exceeds capacity {model.n_respite}")
    held = np.bincount(p.peer_worker[p.peer_worker != NO_WORKER], minlength=model.workers.capacity.size)
    if held.size > model.workers.capacity.size or (held > model.workers.capacity).any():
        found.append(f"peer caseload above capacity: {held.max()} > {model.workers.capacity.max()}")
    away = (p.state != COMMUNITY) & (p.state != DEAD)
    if (p.days_left[away] < 1).any() or (p.days_left[~away] != 0).any():
        found.append("days_left must be >= 1 in a bed or crisis episode and 0 in the community or dead")
    dead = p.state == DEAD
    if (p.peer_worker[dead] != NO_WORKER).any() or (p.death_day[dead] == ALIVE).any() \
            or (p.death_day[~dead] != ALIVE).any() or int(model.events[:, ev.DEATHS].sum()) != int(dead.sum()):
        found.append("the dead must have a death day, no peer worker, and be counted once in the deaths")
    for name in ("hope", "engagement"):
        x = getattr(p, name)
        if not (np.isfinite(x).all() and (x >= 0).all() and (x <= 1).all()):
            found.append(f"{name} outside [0, 1]")
    counters = np.delete(model.events, ev.HOPE_ABOVE_HALF_MICRO, axis=1)  # a sum of hope - 0.5 may be negative
    if (p.admissions < 0).any() or (counters < 0).any():
        found.append("negative counter")
    windows = [column for _, column in ev.READMISSION_WINDOWS]
    nested = model.events[:, windows]
    if (np.diff(nested, axis=1) < 0).any() or (nested[:, -1] > model.events[:, ev.DISCHARGES]).any():
        found.append("readmissions within a window exceed those within a longer window or the discharges")
    return found


def check(model):
    found = violations(model)
    if found:
        raise InvariantError(f"day {model.day}: " + "; ".join(found))


def check_outcomes(row):
    """Rates are proportions and costs are non-negative in one results row."""
    bad = [k for k, v in row.items() if k.startswith("cost_") and not v >= 0]
    bad += [k for k, v in row.items() if k.startswith("readmission_") and not (np.isnan(v) or 0 <= v <= 1)]
    if bad:
        raise InvariantError(f"outcomes out of range: {', '.join(bad)}")
