"""The live view's model: the experiment's own arms, stepped a day at a time, and what the view draws."""

import subprocess
import sys

import numpy as np
import pytest

from sim.analysis import exact
from sim.engines.model import CareSystemModel
from sim.experiment.replications import COMPARATOR, usual_care_of
from sim.model.columns import INPATIENT, NEVER, NO_WORKER
from sim.model.population import make_population
from sim.model.streams import replication_seed
from sim.viz.live import (
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

DAYS = 120


@pytest.fixture(scope="module")
def view():
    """The view stepped DAYS days, and beside it `v.truth[arm][key]`: each day, what its measures should
    be, read off the patient and worker columns around the step (not off the event table the view reads)."""
    v = SideBySide(patients=1500, replication=3)
    v.truth = {arm: {"inpatients_at_start": [], "readmissions_30": [], "vacancies": [], "burnout": []}
               for arm in v.arms}
    readmitted = dict.fromkeys(v.arms, 0)
    for _ in range(DAYS):
        before = {arm: (int((m.patients.state == INPATIENT).sum()), m.patients.admissions.copy())
                  for arm, m in v.arms.items()}
        v.step()
        for arm, m in v.arms.items():
            p, w, truth = m.patients, m.workers, v.truth[arm]
            inpatients, admissions = before[arm]
            day = m.day - 1  # the day that just ran
            # admitted today (at most once a day), within 30 days of the discharge before (kept on the patient)
            last = p.last_discharge_day[p.admissions > admissions]
            readmitted[arm] += int(((last != NEVER) & (day - last <= 30)).sum())
            filled = w.vacant_days == 0
            truth["inpatients_at_start"].append(inpatients)
            truth["readmissions_30"].append(readmitted[arm])
            truth["vacancies"].append(int((~filled).sum()))
            truth["burnout"].append(float(w.burnout[filled].mean()) if filled.any() else np.nan)
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


def test_day_measures_agree_with_the_patient_and_worker_columns(view):
    """Each day's measures, read by the view off the event table, against the state columns: beds occupied
    are the patients who started the day in one, cumulative 30-day readmissions are the patients admitted
    within 30 days of their last discharge, vacancies are the posts left vacant, burnout the employed
    workers' mean (the table keeps the summed burnout x1000 rounded down: within 1/1000)."""
    for arm, model in view.arms.items():
        truth = view.truth[arm]
        occupied = 100 * np.array(truth["inpatients_at_start"]) / model.n_beds
        np.testing.assert_allclose(view.series(arm, "bed_occupancy"), occupied, rtol=0, atol=1e-9)
        assert (view.series(arm, "bed_occupancy") <= 100).all()
        readmissions = view.series(arm, "readmissions_30")
        np.testing.assert_array_equal(readmissions, truth["readmissions_30"])
        assert readmissions[-1] > 0 and (np.diff(readmissions) >= 0).all()
        np.testing.assert_array_equal(view.series(arm, "vacancies"), truth["vacancies"])
        np.testing.assert_allclose(view.series(arm, "burnout"), truth["burnout"], rtol=0, atol=1e-3)
    # usual care has no posts: nothing vacant, no burnout; the programme's workers tire but are not burnt out
    assert (view.series(COMPARATOR, "vacancies") == 0).all()
    assert np.isnan(view.series(COMPARATOR, "burnout")).all()
    assert 0 < view.series(view.cfg.program.name, "burnout")[-1] < 1


def test_mean_hope_in_usual_care_never_exceeds_the_baseline_and_the_programme_raises_it(view):
    """Without peer contacts hope is only lost (a crisis) and drifts back to baseline from below, so usual
    care's mean hope never exceeds the population's mean baseline hope, and falls below it once crises
    happen; the programme's contacts lift it above usual care's."""
    uc, prog = view.arms[COMPARATOR], view.arms[view.cfg.program.name]
    baseline = exact.mean(uc.patients.baseline_hope)
    np.testing.assert_array_equal(prog.patients.baseline_hope, uc.patients.baseline_hope)
    usual_hope, programme_hope = view.series(COMPARATOR, "mean_hope"), view.series(prog.program.name, "mean_hope")
    assert ((0 < usual_hope) & (usual_hope <= baseline)).all()
    assert usual_hope[-1] < baseline
    assert programme_hope[-1] > usual_hope[-1]


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
