"""Every option at once: the options gathered on common random numbers, the decision checked two ways, bad
`decision:` blocks refused before any work, and a real decision study recomputed to the same files."""

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.analysis.decision import acceptability as acc
from sim.analysis.decision.budget import budget_impact
from sim.analysis.decision.decide import DecisionSettings, decide
from sim.analysis.decision.frontier import incremental_analysis, optimal
from sim.analysis.decision.options import Options, gather_options
from sim.analysis.economics import COMPONENTS
from sim.cli.study import analysis_of
from sim.config.study import check_study
from sim.errors import ConfigError
from tests.conftest import make_cfg

ROOT = Path(__file__).resolve().parents[1]


def _table(arm, values, draws=(0, 0, 1, 1), extra=None):
    costs = {c: [0.0] * len(draws) for c in (*COMPONENTS, "cost_total")}
    return pd.DataFrame({"replication": range(len(draws)), "draw": list(draws), "arm": arm, **costs,
                         "cost_total_discounted": values, "qalys_discounted": [0.7] * len(draws), **(extra or {})})


def _job(programme, usual, own, extra=None):
    return pd.concat([_table("usual_care", usual, extra=extra), _table(programme, own, extra=extra)])


def test_options_share_usual_care_and_average_each_draw():
    drawn = {"psa:costs.bed_day": [400.0, 400.0, 450.0, 450.0]}
    options = gather_options({"0": _job("a", [1, 2, 3, 4], [2, 2, 2, 2], drawn),
                              "1": _job("b", [1, 2, 3, 4], [5, 6, 7, 8], drawn)}, "usual_care")
    assert options.names == ["usual_care", "a", "b"]
    assert options.costs.tolist() == [[1.5, 2.0, 5.5], [3.5, 2.0, 7.5]]
    assert options.parameters["costs.bed_day"].tolist() == [400.0, 450.0]


def test_options_not_on_common_random_numbers_are_refused():
    with pytest.raises(ConfigError, match="job 1: its usual-care runs differ from job 0"):
        gather_options({"0": _job("a", [1, 2, 3, 4], [2] * 4), "1": _job("b", [1, 2, 3, 5], [2] * 4)}, "usual_care")
    with pytest.raises(ConfigError, match="draws of costs.bed_day differ"):
        gather_options({"0": _job("a", [1] * 4, [2] * 4, {"psa:costs.bed_day": [1.0] * 4}),
                        "1": _job("b", [1] * 4, [2] * 4, {"psa:costs.bed_day": [2.0] * 4})}, "usual_care")
    with pytest.raises(ConfigError, match="exactly one programme arm not already compared"):
        gather_options({"0": _job("a", [1] * 4, [2] * 4), "1": _job("a", [1] * 4, [2] * 4)}, "usual_care")


def test_the_decision_by_net_benefit_is_the_frontier_s():
    """Expected net benefit's best and the frontier's costliest option within the threshold agree."""
    rng = np.random.default_rng(3)
    for _ in range(200):
        k = int(rng.integers(2, 7))
        costs = rng.normal(1000, 300, (30, k)) + rng.normal(0, 400, k)
        effects = rng.normal(0.7, 0.01, (30, k)) + rng.normal(0, 0.02, k)
        names = [f"o{j}" for j in range(k)]
        options = incremental_analysis(names, acc.expected(costs), acc.expected(effects))
        for t in (0.0, 10_000.0, 20_000.0, 50_000.0, 1e6):
            assert optimal(options, t).name == names[int(np.argmax(acc.expected(acc.net_benefit(costs, effects, t))))]


def test_decide_states_each_decision_and_values_research():
    rng = np.random.default_rng(5)
    n = 120
    uptake = rng.random(n)
    costs = np.column_stack([np.full(n, 1000.0), 1100.0 - 50 * uptake])
    effects = np.column_stack([np.full(n, 0.70), 0.70 + 0.01 * uptake])
    options = Options(["usual_care", "peer"], costs, effects, pd.DataFrame({"program.uptake": uptake}))
    settings = DecisionSettings([0.0, 20_000.0], [20_000.0], 1000, 2, 0.0, {"uptake": ["program.uptake"]}, 1)
    result = decide(options, settings, "usual_care")
    (decision,) = result["decisions"]
    # net benefit of peer minus usual care = 20,000 x 0.01 u - 100 + 50 u = 250 u - 100: positive for u > 0.4
    assert decision["option"] == "peer" and "fund peer" in decision["text"]
    assert decision["evpi_population"] == pytest.approx(2000 * decision["evpi_per_person"])
    (group,) = result["evppi"]
    assert group["evppi_per_person"] == pytest.approx(decision["evpi_per_person"], rel=0.05)


def test_budget_impact_by_hand():
    """Two draws; the programme adds 100 or 300 of peer workers and saves 40 or 60 of beds per patient-year."""
    parts = {"cost_peer_workers": np.array([[0.0, 100.0], [0.0, 300.0]]),
             "cost_bed_days": np.array([[500.0, 460.0], [500.0, 440.0]]),
             "cost_total": np.array([[500.0, 560.0], [500.0, 740.0]])}
    options = Options(["usual_care", "peer"], np.zeros((2, 2)), np.zeros((2, 2)), pd.DataFrame(), parts)
    rows = budget_impact(options, 1000, [0.5, 1.0])
    got = {(r["year"], r["component"]): r for r in rows}
    assert got[("1", "cost_peer_workers")]["mean"] == 500 * 200.0
    assert got[("1", "cost_bed_days")]["mean"] == 500 * -50.0
    assert got[("2", "total")]["mean"] == 1000 * 150.0 and got[("2", "total")]["people_covered"] == 1000
    assert got[("all", "total")]["mean"] == 1500 * 150.0
    assert got[("2", "total")]["low"] == pytest.approx(1000 * (60 + 0.025 * 180))  # linear between the two draws


def _spec(**decision):
    return {"question": "q", "why": "w", "overrides": [], "sweep": ["program=discharge_support,peer_mentoring"],
            "decision": {"population": {"people_per_year": 100, "years": 2, "discount_rate": 0.035}, **decision}}


def _check(spec, *overrides):
    """The study file's schema, then its blocks against its config, as `python -m sim.study` checks them."""
    return analysis_of(check_study(spec, "study.yaml"), list(overrides), "study.yaml", make_cfg(*overrides))


@pytest.mark.parametrize(("change", "message"), [
    ({"population": {"people_per_year": 0, "years": 2, "discount_rate": 0.0}},
     "decision.population.people_per_year = 0: Input should be greater than or equal to 1"),
    ({"population": {"years": 2}}, "decision.population.people_per_year: required"),
    ({"thresholds": {"low": 10, "high": 5, "step": 1}}, "high \\(5\\) must exceed low \\(10\\)"),
    ({"parameter_groups": {"costs": ["costs.nonsense"]}}, "costs.nonsense not drawn by the study's PSA"),
    ({"horizon": 3}, "decision.horizon: unknown key"),
    ({"budget_impact": {"people": 100, "coverage": [0.5, 1.5]}},
     "decision.budget_impact.coverage.1 = 1.5: Input should be less than or equal to 1"),
    ({"population": {"people_per_year": 100, "years": 2, "discount_rate": math.nan}},
     "decision.population.discount_rate = nan: Input should be a finite number"),
])
def test_bad_decision_blocks_are_refused(change, message):
    with pytest.raises(ConfigError, match=message):
        _check(_spec(**change))


def test_a_decision_needs_a_sweep_of_programmes_and_parameter_draws():
    spec = _spec()
    spec["sweep"] = ["population.n=100,200"]
    with pytest.raises(ConfigError, match="sweeps the options"):
        _check(spec)
    with pytest.raises(ConfigError, match="needs parameter uncertainty"):
        _check(_spec(), "psa=none")


@pytest.mark.slow
def test_a_decision_study_end_to_end(tmp_path):
    study = tmp_path / "tiny_decision.yaml"
    study.write_text(yaml.safe_dump({
        "question": "Which option?", "why": "a test",
        "overrides": ["population.n=200", "psa.draws=6", "replications=1", "burn_in_days=200",
                      "horizon_days=200", "primary_outcome=readmission_90"],
        "sweep": ["program=discharge_support,peer_mentoring"],
        "decision": {"thresholds": {"low": 0, "high": 30000, "step": 10000},
                     "population": {"people_per_year": 200, "years": 2, "discount_rate": 0.035},
                     "parameter_groups": {"costs": ["costs.bed_day", "costs.peer_worker_per_year"]}, "seed": 3,
                     "budget_impact": {"people": 200, "coverage": [0.5, 1.0]}}}))
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "sim.study", str(study), "--out", str(out)], cwd=ROOT,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    options = pd.read_csv(out / "options.csv")
    assert sorted(options["option"]) == ["discharge_support", "peer_mentoring", "usual_care"]
    assert set(pd.read_csv(out / "curves.csv")["threshold"]) == {0.0, 10000.0, 20000.0, 30000.0}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["decision"]["people_per_year"] == 200 and manifest["jobs"] == ["0", "1"]
    decision = (out / "decision.md").read_text()
    assert "At 20,000 per QALY, fund" in decision and "At 30,000 per QALY, fund" in decision
    budget = pd.read_csv(out / "budget_impact.csv", dtype={"year": str})
    assert set(budget["year"]) == {"1", "2", "all"} and "## Budget impact" in decision
    for figure in ("plane", "acceptability", "expected_loss", "evpi", "evppi", "budget_impact"):
        assert (out / f"{figure}.png").read_bytes()[:4] == b"\x89PNG", figure
    check = [sys.executable, "-m", "sim.decide", str(out), "--check"]
    again = subprocess.run(check, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "identical" in again.stdout, again.stdout + again.stderr
    shutil.copy(out / "options.csv", tmp_path / "kept.csv")
    (out / "options.csv").write_text((tmp_path / "kept.csv").read_text().replace("usual_care", "usual care", 1))
    changed = subprocess.run(check, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert changed.returncode == 1 and "DIFFERENT: options.csv" in changed.stdout
