"""Doubling the runs of a committed study: every change of label is reported and fails the check
(`python -m sim.tools.verdict_stability`; the committed table is results/verdict_stability)."""

import json

import pandas as pd
import pytest

from sim.analysis.cost_effectiveness import NOT_ASSESSED, economic_label, label_probability
from sim.paths import CHECKOUT
from sim.tools import verdict_stability
from sim.tools.verdict_stability import judged_jobs

FOLDER = CHECKOUT / "results" / "verdict_stability"


@pytest.fixture(scope="module")
def table():
    return pd.read_csv(FOLDER / "stability.csv")


def test_every_committed_verdict_was_doubled(table):
    jobs = {str(f.relative_to(CHECKOUT / "results")) for f in judged_jobs(CHECKOUT)}
    assert set(table["job"]) == jobs and len(jobs) >= 10
    assert (table["runs_doubled"] == 2 * table["runs"]).all()


def test_the_table_holds_the_committed_labels(table):
    for row in table.itertuples():
        summary = json.loads((CHECKOUT / "results" / row.job / "summary.json").read_text())
        assert row.verdict == summary["verdict"], row.job
        assert row.economic_verdict == (summary["economic_verdict"] or NOT_ASSESSED), row.job
        assert row.effect == pytest.approx(summary["effects"][summary["primary_outcome"]]["mean"], rel=1e-12)


def _row(job, verdict, doubled, economic, p, economic_doubled, p_doubled):
    """A row as `stability` makes it, before the labels are compared."""
    return {"job": job, "verdict": verdict, "verdict_doubled": doubled, "runs": 32, "runs_doubled": 64,
            "economic_verdict": economic, "economic_probability": p, "economic_verdict_doubled": economic_doubled,
            "economic_probability_doubled": p_doubled}


CE = "cost-effective at 20,000 per QALY"
STEADY = _row("steady", "inconclusive", "inconclusive", CE, 0.94, CE, 0.95)


@pytest.mark.parametrize("flipped", [
    _row("to decisive", "inconclusive", "no effect worth having", CE, 0.94, CE, 0.94),
    _row("decisive to decisive", "lowers readmissions", "no effect worth having", CE, 0.94, CE, 0.94),
    _row("coin flip", "inconclusive", "inconclusive", CE, 0.50, "not cost-effective at 20,000 per QALY", 0.52),
], ids=lambda r: r["job"])
def test_any_change_of_label_fails_the_check_and_is_reported(flipped, tmp_path, monkeypatch, capsys):
    """A case built so that a label flips, inconclusive to decisive and economic labels included: the command
    exits 1 and names the job; with nothing changed it exits 0."""
    for rows, status in (([STEADY], 0), ([STEADY, flipped], 1)):
        root = tmp_path / f"{flipped['job']}-{status}"
        (root / "results").mkdir(parents=True)
        by_folder = {root / "results" / r["job"]: r for r in rows}
        monkeypatch.setattr(verdict_stability, "judged_jobs", lambda _root, f=by_folder: list(f))
        monkeypatch.setattr(verdict_stability, "stability", lambda folder, _root, f=by_folder: f[folder])
        monkeypatch.setattr(verdict_stability, "check_root", lambda _root: None)  # jobs built here, without files
        with pytest.raises(SystemExit) as done:
            verdict_stability.main(["--root", str(root)])
        summary = json.loads((root / "results" / "verdict_stability" / "summary.json").read_text())
        assert done.value.code == status
        assert len(summary["changed"]) == status and summary["unchanged"] == 1
        if status:
            assert summary["changed"][0].startswith(f"{flipped['job']}:")
            assert flipped["job"] in capsys.readouterr().out


def test_an_economic_label_carries_the_probability_that_it_holds():
    economics = {"verdict": CE, "threshold": 20000.0, "probability_cost_saving": 0.1,
                 "probability_cost_effective": {"20000": 0.5, "30000": 0.7}}
    assert economic_label(economics) == f"{CE}, P 0.50"
    assert label_probability({**economics, "verdict": "not cost-effective at 20,000 per QALY"}) == 0.5
    assert economic_label({**economics, "verdict": "cost-saving"}) == "cost-saving, P 0.10"
    assert economic_label({**economics, "verdict": None}) == NOT_ASSESSED
