"""Usual care and one peer programme stepped side by side, day by day, for the live view.

Both arms are the experiment's own models (`sim.experiment.replications.arm_models`: the
numba engine, one seed, one population and network), so a rule change shows up
here as two curves parting. This module needs only matplotlib; the Solara page
is `sim.app`.
"""

import re
from collections import deque
from importlib.metadata import PackageNotFoundError, version

import mesa
import networkx as nx
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sim.analysis import exact
from sim.cli.preflight import load_config
from sim.config.comparator import COMPARATOR
from sim.experiment.replications import arm_models, drawn_config
from sim.model import events as ev
from sim.model.columns import COMMUNITY, CRISIS, INPATIENT, NO_WORKER, RESPITE
from sim.model.streams import replication_seed

INSTALL_HINT = ("The live view needs Mesa >= 3.5 and Solara (Python >= 3.12): "
                "pip install -e '.[viz]' in a Python 3.12 environment")
VIEW_PACKAGES = ("solara", "solara-assets")
SAMPLE_SIZE = 300  # patients drawn in the network panel: readable, and laid out in well under a second
STATE_COLOURS = {COMMUNITY: "#9bbbd4", CRISIS: "#f5a623", INPATIENT: "#d0021b", RESPITE: "#7b4fa0"}
STATE_LABELS = {COMMUNITY: "community", CRISIS: "crisis team", INPATIENT: "inpatient", RESPITE: "peer respite"}
ARM_COLOURS = ("#4a4a4a", "#2a7ab9")  # usual care, programme
# (key, panel title) of the daily series, in panel order.
MEASURES = (
    ("bed_occupancy", "bed occupancy (% of beds)"),
    ("readmissions_30", "readmissions within 30 days (cumulative)"),
    ("mean_hope", "mean hope (0-1)"),
    ("burnout", "peer-worker burnout (mean, 0-1)*"),
    ("vacancies", "peer-worker vacancies (posts)*"),
)


def live_config(program=None, staffing_percent=100, caseload_percent=100, fidelity=None, clinician_acceptance=None,
                patients=None):
    """The validated config of the view's controls: the default config with the programme's staffing and
    caseload scaled, and fidelity, clinician acceptance and population size replaced where given."""
    base = load_config([f"program={program}"] if program else [])
    given = {"program.fidelity": fidelity, "workforce.clinician_acceptance": clinician_acceptance,
             "population.n": patients}
    return load_config([
        f"program={base.program.name}",
        f"program.workers_per_1000={base.program.workers_per_1000 * staffing_percent / 100}",
        f"program.caseload_capacity={max(1, round(base.program.caseload_capacity * caseload_percent / 100))}",
        *(f"{key}={value}" for key, value in given.items() if value is not None),
    ])


def day_measures(model):
    """The day that just ran, as the view plots it (from the event table and the state arrays)."""
    day = model.day - 1
    row = model.events[day]
    n_posts = model.workers.capacity.size
    filled = row[ev.WORKER_DAYS]
    return {
        "bed_occupancy": 100.0 * row[ev.BED_DAYS] / model.n_beds if model.n_beds else np.nan,
        "readmissions_30": int(model.events[:day + 1, ev.READMITTED_30].sum()),
        "mean_hope": exact.mean(model.resources_today()[0]),
        "burnout": row[ev.BURNOUT_MILLI] / 1000.0 / filled if filled else np.nan,
        "vacancies": int(n_posts - filled),
    }


def arm_summary(view, arm):
    """One line of the arm's latest day, for reading values off the page (and for its browser test)."""
    if not view.history[arm]:
        return f"{arm}, day 0: not started"
    m = view.history[arm][-1]
    burnout = "no peer workers" if np.isnan(m["burnout"]) else f"burnout {m['burnout']:.3f}"
    return (f"{arm}, day {view.day}: beds {m['bed_occupancy']:.0f}% occupied, {m['readmissions_30']} readmissions "
            f"within 30 days, mean hope {m['mean_hope']:.4f}, {burnout}, {m['vacancies']} vacant posts")


def missing_view_requirement():
    """None if the live view can start here, else one line saying what to install."""
    try:
        mesa_version = tuple(int(part) for part in re.findall(r"\d+", version("mesa"))[:2])
        for package in VIEW_PACKAGES:
            version(package)
    except PackageNotFoundError:
        return INSTALL_HINT
    return INSTALL_HINT if mesa_version < (3, 5) else None


def network_sample(network, size, seed):
    """Up to `size` patients reached breadth-first from one seeded start, and the links among them."""
    n = network.indptr.size - 1
    start = int(np.random.default_rng(seed).integers(n))
    order, seen, queue = [], {start}, deque([start])
    while queue and len(order) < size:
        i = queue.popleft()
        order.append(i)
        for j in network.indices[network.indptr[i]:network.indptr[i + 1]]:
            if int(j) not in seen:
                seen.add(int(j))
                queue.append(int(j))
    members = np.array(sorted(order))
    graph = nx.Graph()
    graph.add_nodes_from(members.tolist())
    member_set = set(order)
    for i in members:
        graph.add_edges_from((int(i), int(j)) for j in network.indices[network.indptr[i]:network.indptr[i + 1]]
                             if int(j) in member_set and int(j) > i)
    return members, graph


class SideBySide(mesa.Model):
    """Usual care and a peer programme on one seed and one population; `step()` advances both by a day.

    `replication` picks the seed exactly as the experiment does, so with the default config the view
    replays that replication of `python -m sim` day by day."""

    def __init__(self, program=None, staffing_percent=100, caseload_percent=100, fidelity=None,
                 clinician_acceptance=None, replication=0, patients=None):
        cfg = live_config(program, staffing_percent, caseload_percent, fidelity, clinician_acceptance, patients)
        seed = replication_seed(cfg.seed, replication)
        super().__init__(rng=int(seed))
        cfg, _ = drawn_config(cfg, replication)  # the PSA draw the experiment's run uses
        self.cfg, self.replication = cfg, replication
        self.arms = arm_models(cfg, replication, engine="numba")
        self.history = {arm: [] for arm in self.arms}
        self.members, self.sample_graph = network_sample(self.arms[COMPARATOR].network, SAMPLE_SIZE, int(seed))
        self.layout = nx.spring_layout(self.sample_graph, seed=int(seed) % 2**32)

    @property
    def day(self):
        return self.arms[COMPARATOR].day

    def step(self):
        for arm, model in self.arms.items():
            if not model.finished:
                model.step()
                self.history[arm].append(day_measures(model))
        self.running = not self.arms[COMPARATOR].finished

    def series(self, arm, key):
        return np.array([row[key] for row in self.history[arm]], dtype=float)


def network_figure(view):
    """The sampled patients in each arm, coloured by state; a black ring marks a patient with a peer worker."""
    fig = Figure(figsize=(7, 3.6), layout="constrained")
    axes = fig.subplots(1, len(view.arms))
    nodes = view.members.tolist()
    xy = np.array([view.layout[i] for i in nodes])
    edges = [(view.layout[a], view.layout[b]) for a, b in view.sample_graph.edges()]
    for ax, (arm, model) in zip(axes, view.arms.items(), strict=True):
        ax.add_collection(LineCollection(edges, colors="#cccccc", linewidths=0.5, zorder=1))
        state = model.patients.state[view.members]
        supported = model.patients.peer_worker[view.members] != NO_WORKER
        for code, colour in STATE_COLOURS.items():
            mine = state == code
            ax.scatter(xy[mine, 0], xy[mine, 1], s=14, c=colour, label=STATE_LABELS[code], zorder=2)
        ax.scatter(xy[supported, 0], xy[supported, 1], s=40, facecolors="none", edgecolors="black", lw=1.0,
                   label="has a peer worker", zorder=3)
        ax.set_title(f"{arm}:\n{supported.sum()} of {len(nodes)} with a peer worker", fontsize=9)
        ax.set_axis_off()
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=5, fontsize=7)
    fig.suptitle(f"Social network: {len(nodes)} of {view.cfg.population.n:,} patients, day {view.day}, "
                 f"replication {view.replication}", fontsize=10)
    return fig


def series_figure(view):
    """Each measure over days, one line per arm."""
    fig = Figure(figsize=(7, 7), layout="constrained")
    axes = fig.subplots(3, 2).ravel()
    for ax, (key, title) in zip(axes, MEASURES, strict=False):
        for colour, arm in zip(ARM_COLOURS, view.arms, strict=True):
            values = view.series(arm, key)
            ax.plot(np.arange(1, values.size + 1), values, color=colour, lw=1.4, label=arm)
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=8)
        if view.cfg.burn_in_days and view.day:
            ax.axvspan(0, min(view.day, view.cfg.burn_in_days), color="#eeeeee", zorder=0)
    for ax in axes[3:5]:
        ax.set_xlabel("day", fontsize=8)
    axes[-1].set_axis_off()
    axes[-1].legend(*axes[0].get_legend_handles_labels(), loc="upper left", fontsize=9)
    axes[-1].text(0, 0.35, f"* {COMPARATOR} has no peer workers.\nShaded: burn-in ({view.cfg.burn_in_days} days)."
                  "\nSame seed, population and network\nin both arms.", fontsize=8, va="top")
    fig.suptitle(f"Usual care vs {view.cfg.program.name}, day {view.day}", fontsize=10)
    return fig
