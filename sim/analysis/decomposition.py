"""Where the programme's QALYs come from: longer lives, days in better places, or better health.

Per cohort patient-year, discounted, with A = life-years, L = QALYs from
location and H = QALYs from health-state utility (Q = L + H), comparator c
and intervention i:

    mortality = (A_i - A_c) x (L_c + H_c) / A_c    the extra life-years, at usual care's QALYs per life-year
    location  = A_i x (L_i / A_i - L_c / A_c)      better places, over the life-years lived
    health    = A_i x (H_i / A_i - H_c / A_c)      better health, over the life-years lived

The three add up to Q_i - Q_c exactly (up to rounding), so each part's share
says how much of the gain each mechanism brings.
"""

import math

from sim.analysis import exact
from sim.analysis.statistics import per_draw_means

PARTS = ("mortality", "location", "health")
COLUMNS = ("life_years_discounted", "qalys_location_discounted", "qalys_health_discounted")


def qaly_parts(comparator, intervention):
    """The three parts from each arm's (A, L, H): numbers, or per-replication series aligned on replication."""
    a_c, l_c, h_c = comparator
    a_i, l_i, h_i = intervention
    return {"mortality": (a_i - a_c) * (l_c + h_c) / a_c,
            "location": a_i * (l_i / a_i - l_c / a_c),
            "health": a_i * (h_i / a_i - h_c / a_c)}


def _arm(table, arm):
    """The arm's (A, L, H), each a series indexed by replication."""
    rows = table[table["arm"] == arm].set_index("replication")
    return tuple(rows[column] for column in COLUMNS)


def qaly_decomposition(table, intervention, comparator, parameter_uncertainty):
    """Each part's mean over draws (of per-draw means of paired replications) and its share of their total."""
    parts = qaly_parts(_arm(table, comparator), _arm(table, intervention))
    means = {part: exact.mean(per_draw_means(values, table, parameter_uncertainty)) for part, values in parts.items()}
    total = exact.total(list(means.values()))
    return {"total": total,
            **{part: {"mean": means[part], "share": means[part] / total if total else math.nan} for part in PARTS}}
