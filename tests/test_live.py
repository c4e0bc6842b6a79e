"""The live view's model: the experiment's own arms, stepped a day at a time, and what the view draws."""

import subprocess
import sys

import numpy as np
import pytest

from sim import events as ev
from sim.columns import NO_WORKER
from sim.experiment import COMPARATOR, usual_care_of
from sim.live import (
    INSTALL_HINT,
    MEASURES,
    SideBySide,
    arm_summary,
    live_config,
    missing_view_requirement,
    network_figure,
    network_sample,
    series_figure,
)
from sim.model import CareSystemModel
from sim.population import make_population
from sim.streams import replication_seed

DAYS = 120


@pytest.fixture(scope="module")
def view():
    v = SideBySide(patients=1500, replication=3)
    for _ in range(DAYS):
        v.step()
    return v


def test_the_view_replays_the_experiments_replication():
    """Stepping a day at a time to the end gives the uninterrupted run of the same replication, every
    event and every patient column (readmissions are written back onto their discharge's day, so the
    comparison waits for the end)."""
    view = SideBySide(patients=600, replication=3)
    while view.running:
        view.step()
    cfg = view.cfg
    population = make_population(cfg, replication_seed(cfg.seed, 3))
    for arm, program in ((COMPARATOR, usual_care_of(cfg.program)), (cfg.program.name, cfg.program)):
        whole = CareSystemModel(cfg, program, 3, "numba", population, agent_views=False).run()
        stepped = view.arms[arm]
        assert stepped.day == whole.n_days
        np.testing.assert_array_equal(stepped.events, whole.events)
        for name, column in stepped.patients._asdict().items():
            np.testing.assert_array_equal(column, getattr(whole.patients, name), err_msg=name)
    assert len(view.history[COMPARATOR]) == cfg.burn_in_days + cfg.horizon_days


def test_arms_share_the_population_and_part_with_the_programme(view):
    uc, prog = view.arms.values()
    assert uc.network is prog.network
    np.testing.assert_array_equal(uc.patients.severity, prog.patients.severity)
    assert (uc.patients.peer_worker == NO_WORKER).all()
    assert (prog.patients.peer_worker != NO_WORKER).any()
    assert not np.array_equal(view.series(COMPARATOR, "mean_hope"), view.series(prog.program.name, "mean_hope"))


def test_day_measures_read_the_event_table(view):
    for arm, model in view.arms.items():
        last = view.history[arm][-1]
        row = model.events[DAYS - 1]
        assert last["bed_occupancy"] == pytest.approx(100 * row[ev.BED_DAYS] / model.n_beds)
        assert last["readmissions_30"] == model.events[:DAYS, ev.READMITTED_30].sum()
        assert last["mean_hope"] == pytest.approx(model.resources_today()[0].mean())
        assert last["vacancies"] == model.workers.capacity.size - row[ev.WORKER_DAYS]
    assert np.isnan(view.series(COMPARATOR, "burnout")).all()
    assert 0 < view.series(view.cfg.program.name, "burnout")[-1] < 1


def test_controls_set_the_config():
    base = live_config()
    cfg = live_config("peer_mentoring", staffing_percent=50, caseload_percent=200, fidelity=0.3,
                      clinician_acceptance=0.1, patients=800)
    mentoring = live_config("peer_mentoring")
    assert base.program.name == "discharge_support"
    assert cfg.program.workers_per_1000 == pytest.approx(mentoring.program.workers_per_1000 / 2)
    assert cfg.program.caseload_capacity == 2 * mentoring.program.caseload_capacity
    assert (cfg.program.fidelity, cfg.workforce.clinician_acceptance, cfg.population.n) == (0.3, 0.1, 800)
    assert mentoring.program.fidelity == base.program.fidelity
    unstaffed = SideBySide(program="peer_mentoring", staffing_percent=0, patients=800)
    assert unstaffed.arms["peer_mentoring"].workers.capacity.size == 0


def test_network_sample_is_connected_and_from_the_network(view):
    network = view.arms[COMPARATOR].network
    members, graph = network_sample(network, 300, 7)
    assert len(members) == 300 == graph.number_of_nodes() == len(set(members.tolist()))
    import networkx as nx
    assert nx.is_connected(graph)
    for a, b in graph.edges():
        assert b in network.indices[network.indptr[a]:network.indptr[a + 1]]


def test_figures_label_both_arms_and_every_measure(view):
    net = network_figure(view)
    titles = [ax.get_title() for ax in net.axes]
    assert any(t.startswith(f"{COMPARATOR}:") for t in titles)
    assert any(t.startswith(f"{view.cfg.program.name}:") for t in titles)
    series = series_figure(view)
    panel_titles = [ax.get_title() for ax in series.axes]
    assert [title for _, title in MEASURES] == panel_titles[:len(MEASURES)]
    for ax in series.axes[:len(MEASURES)]:
        assert [line.get_label() for line in ax.get_lines()] == list(view.arms)
        assert all(len(line.get_xdata()) == DAYS for line in ax.get_lines())
    assert arm_summary(view, COMPARATOR).startswith(f"{COMPARATOR}, day {DAYS}:")


@pytest.mark.skipif(missing_view_requirement() is None, reason="the viz extra is installed here")
def test_the_view_on_too_old_a_mesa_says_what_to_install():
    run = subprocess.run([sys.executable, "-m", "sim.app"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert run.stderr.strip() == INSTALL_HINT
    assert run.stdout == ""
