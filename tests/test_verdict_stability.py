"""Doubling the runs of a committed study never turns one decisive verdict into another
(results/verdict_stability, made by `python -m sim.tools.verdict_stability`)."""

import json

import pandas as pd
import pytest

from sim.analysis.verdict import INCONCLUSIVE
from sim.paths import CHECKOUT
from sim.tools.verdict_stability import judged_jobs

FOLDER = CHECKOUT / "results" / "verdict_stability"


@pytest.fixture(scope="module")
def table():
    return pd.read_csv(FOLDER / "stability.csv")


def test_every_committed_verdict_was_doubled(table):
    jobs = {str(f.relative_to(CHECKOUT / "results")) for f in judged_jobs(CHECKOUT)}
    assert set(table["job"]) == jobs and len(jobs) >= 10
    assert (table["runs_doubled"] == 2 * table["runs"]).all()


def test_the_table_holds_the_committed_verdicts(table):
    for row in table.itertuples():
        summary = json.loads((CHECKOUT / "results" / row.job / "summary.json").read_text())
        assert row.verdict == summary["verdict"], row.job
        assert row.effect == pytest.approx(summary["effects"][summary["primary_outcome"]]["mean"], rel=1e-12)


def test_no_decisive_verdict_turns_into_another(table):
    decisive = (table["verdict"] != INCONCLUSIVE) & (table["verdict_doubled"] != INCONCLUSIVE)
    flipped = table[decisive & (table["verdict"] != table["verdict_doubled"])]
    assert flipped.empty, flipped[["job", "verdict", "verdict_doubled"]].to_string()
    assert not table["decisive_flip"].any()
