"""Per-patient records: both engines keep them alike, they add up to the arm's totals, they change no result,
and the subgroup, targeting and distributional views read them correctly."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.outcomes import arm_outcomes
from sim.analysis.records import patient_records
from sim.analysis.subgroups import Paired, distributional_table, subgroup_table, targeting_table, value_of_targeting
from sim.cli.run import execute
from sim.engines.model import CareSystemModel
from sim.errors import ConfigError
from sim.experiment.replications import arm_models, run_experiment
from sim.model import events as ev
from sim.model.columns import TALLY_NAMES
from sim.outputs.records import read_records
from tests.conftest import make_cfg

RECORDED = ("population.n=600", "burn_in_days=60", "horizon_days=300", "primary_outcome=readmission_30",
            "psa=none", "records=patients")
TALLIED_EVENTS = {"admissions": ev.ADMISSIONS, "acute_episodes": ev.ACUTE_EPISODES, "bed_days": ev.BED_DAYS,
                  "crisis_days": ev.CRISIS_DAYS, "respite_days": ev.RESPITE_DAYS, "diversions": ev.DIVERSIONS,
                  "respite_stays": ev.RESPITE_STAYS, "followups": ev.FOLLOWUPS, "peer_contacts": ev.PEER_CONTACTS,
                  "uptakes": ev.ENROLMENTS, "enrolled_days": ev.ENROLLED,
                  "hope_above_half_micro": ev.HOPE_ABOVE_HALF_MICRO}


@pytest.fixture(scope="module")
def recorded():
    cfg = make_cfg(*RECORDED)
    return cfg, {arm: m.run() for arm, m in arm_models(cfg, 0).items()}


def test_both_engines_keep_identical_records():
    cfg = make_cfg(*RECORDED, "program=crisis_respite")  # respite stays and days too
    fast = CareSystemModel(cfg, engine="numba").run()
    reference = CareSystemModel(cfg, engine="mesa").run()
    assert fast.patients.record[:, 0, TALLY_NAMES.index("respite_days")].sum() > 0
    np.testing.assert_array_equal(fast.patients.record, reference.patients.record)


def test_records_count_exactly_the_counted_periods_events(recorded):
    cfg, models = recorded
    for model in models.values():
        counted = model.events[cfg.burn_in_days:].sum(axis=0)
        tally = model.patients.record[:, 0].sum(axis=0)
        for name, column in TALLIED_EVENTS.items():
            assert tally[TALLY_NAMES.index(name)] == counted[column], name
    offers = {arm: m.patients.record[:, 0, TALLY_NAMES.index("offers")].sum() for arm, m in models.items()}
    assert offers["usual_care"] == 0 and offers["discharge_support"] >= counted[ev.ENROLMENTS] > 0
    assert models["discharge_support"].patients.record[:, 0, TALLY_NAMES.index("peer_contacts")].sum() > 0


def test_patients_costs_and_qalys_add_up_to_the_arms(recorded):
    cfg, models = recorded
    patient_years = cfg.population.n * cfg.horizon_days / 365.0
    for model in models.values():
        table, row = patient_records(model), arm_outcomes(model)
        assert len(table) == cfg.population.n
        for key in ("cost_total", "cost_total_discounted", "qalys", "qalys_discounted", "life_years",
                    "life_years_discounted"):
            assert table[key].sum() / patient_years == pytest.approx(row[key], rel=1e-12), key
    shared = patient_records(models["discharge_support"])["cost_shared_discounted"]
    assert shared.sum() > 0 and (shared[patient_records(models["discharge_support"])["enrolled_days"] == 0] == 0).all()


def test_records_are_kept_only_when_asked_and_change_no_result():
    plain = make_cfg(*RECORDED[:-1], "replications=2")
    with_records = make_cfg(*RECORDED, "replications=2")
    assert CareSystemModel(plain).patients.record.shape == (0,)
    a = run_experiment(plain, progress=False)
    b = run_experiment(with_records, progress=False)
    pd.testing.assert_frame_equal(a, b)


def test_a_run_writes_one_record_file_per_replication_and_arm_and_reads_them(tmp_path):
    cfg = make_cfg(*RECORDED, "replications=3")
    execute(cfg, tmp_path)
    files = sorted(p.name for p in (tmp_path / "records").iterdir())
    assert files == [f"replication_{r:05d}_{arm}.parquet" for r in range(3)
                     for arm in ("discharge_support", "usual_care")]
    records = read_records(tmp_path / "records")
    assert len(records) == 3 * 2 * cfg.population.n
    for name in ("subgroups.csv", "targeting.csv", "distributional.csv", "subgroups.png", "manifest.json"):
        assert (tmp_path / name).exists(), name
    targeting = pd.read_csv(tmp_path / "targeting.csv")
    distributional = pd.read_csv(tmp_path / "distributional.csv").set_index("group")
    # offering the programme to everyone it offers is the run itself: both staffing views agree, and equal the
    # population's net health benefit in money
    configured = targeting.iloc[0]
    assert configured["rule"] == "as configured"
    assert configured["inmb_fixed_staff"] == pytest.approx(configured["inmb_scaled_staff"], rel=1e-12)
    nhb = distributional.loc["all (unweighted)", "net_health_benefit_difference"]
    assert configured["inmb_fixed_staff"] == pytest.approx(nhb * cfg.economics.threshold, rel=1e-9)
    # and the same paired difference of the arms' net monetary benefit as the results table
    table = pd.read_csv(tmp_path / "replications.csv").set_index(["replication", "arm"])
    nmb = (cfg.economics.threshold * table["qalys_discounted"] - table["cost_total_discounted"]).unstack()
    assert configured["inmb_fixed_staff"] == pytest.approx((nmb["discharge_support"] - nmb["usual_care"]).mean(),
                                                           rel=1e-9)


def _synthetic(gains_by_diagnosis, shared_per_patient, runs=4, n=6):
    """Records where each patient's programme gain in QALYs depends only on its diagnosis (no noise)."""
    rows = []
    diagnoses = ["psychosis", "mood", "substance_use"] * (n // 3)
    for r in range(runs):
        for arm in ("usual_care", "programme"):
            for i, d in enumerate(diagnoses):
                on = arm == "programme"
                rows.append({"replication": r, "arm": arm, "patient": i, "diagnosis": d, "age_group": "adult",
                             "forensic": "not_forensic", "admission_history": "none",
                             "qalys_discounted": 1.0 + (gains_by_diagnosis[d] if on else 0.0),
                             "cost_own_discounted": 0.0, "cost_shared_discounted": shared_per_patient if on else 0.0,
                             "cost_total_discounted": shared_per_patient if on else 0.0,
                             "offers": int(on and d != "substance_use"), "respite_stays": 0,
                             "admissions": 0, "acute_episodes": 0, "bed_days": 0, "died": False})
    return pd.DataFrame(rows)


def test_targeting_finds_the_group_that_gains_and_prices_staff_both_ways():
    """Offered: psychosis and mood. Substance use is never offered, so its difference (here a loss, e.g. from
    beds the others no longer free) stays whatever the rule."""
    records = _synthetic({"psychosis": 0.01, "mood": 0.0, "substance_use": -0.003}, shared_per_patient=50.0)
    paired = Paired(records, "usual_care", "programme", threshold=20_000.0, years=1.0)
    table = targeting_table(paired).set_index("rule")
    # everyone: 200 gained per psychosis patient (a third), 60 lost per substance-use patient, 50 of staff each
    assert table.loc["as configured", "inmb_fixed_staff"] == pytest.approx((200 - 60) / 3 - 50)
    # psychosis only: the same gains and losses; fixed posts cost the same, scaled posts a third
    assert table.loc["diagnosis in {psychosis}", "inmb_fixed_staff"] == pytest.approx((200 - 60) / 3 - 50)
    assert table.loc["diagnosis in {psychosis}", "inmb_scaled_staff"] == pytest.approx((200 - 60) / 3 - 50 / 3)
    # leaving out those never offered changes nothing
    assert table.loc["diagnosis in {psychosis, mood}", "inmb_fixed_staff"] == pytest.approx((200 - 60) / 3 - 50)
    best = value_of_targeting(targeting_table(paired))
    assert best["scaled"]["best_rule"] == "diagnosis in {psychosis}"
    assert best["scaled"]["value_of_targeting"] == pytest.approx(100 / 3)


def test_equity_weights_weigh_each_groups_net_health_benefit():
    records = _synthetic({"psychosis": 0.003, "mood": 0.0, "substance_use": 0.0}, shared_per_patient=20.0)
    paired = Paired(records, "usual_care", "programme", threshold=20_000.0, years=1.0)
    table = distributional_table(paired, "diagnosis", [2.0, 1.0, 1.0]).set_index("group")
    psychosis = 0.003 - 20.0 / 20_000.0
    assert table.loc["psychosis", "net_health_benefit_difference"] == pytest.approx(psychosis)
    assert table.loc["mood", "net_health_benefit_difference"] == pytest.approx(-0.001)
    assert table.loc["all (unweighted)", "net_health_benefit_difference"] == pytest.approx((psychosis - 0.002) / 3)
    assert table.loc["all (equity_weighted)", "net_health_benefit_difference"] == pytest.approx(
        (2 * psychosis - 0.002) / 3)


def test_equity_weights_need_one_weight_per_group():
    with pytest.raises(ConfigError, match=r"records.equity_weights .* one weight per group of records.by = diagnosis"):
        make_cfg("records=patients", "records.by=diagnosis", "records.equity_weights=[1.0,2.0]")


def test_subgroup_intervals_cluster_a_draws_replications_and_predict_over_draws():
    """Four runs, two per draw: the CI of the expected value is over the two draw means (the replications of a
    draw are one cluster, not two independent runs), the prediction interval over draws is wider still, and
    without draws there is none."""
    records = _synthetic({"psychosis": 0.01, "mood": 0.0, "substance_use": 0.0}, shared_per_patient=0.0)
    gain = {0: 0.0, 1: 0.0, 2: 0.002, 3: 0.002}  # draw 0 (runs 0, 1) gains nothing more; draw 1 (runs 2, 3) does
    on = records["arm"] == "programme"
    records.loc[on, "qalys_discounted"] += records.loc[on, "replication"].map(gain)
    drawn = subgroup_table(Paired(records, "usual_care", "programme", 20_000.0, 1.0, replications_per_draw=2))
    row = drawn[(drawn.attribute == "diagnosis") & (drawn.group == "mood") & (drawn.metric == "qalys_discounted")]
    row = row.iloc[0]
    half = stats.t.ppf(0.975, 1) * 0.001  # two draw means 0 and 0.002: sd 0.00141, se 0.001
    assert row["difference"] == pytest.approx(0.001)
    assert row["mean_ci_high"] - row["difference"] == pytest.approx(half)
    assert row["prediction_high"] - row["difference"] == pytest.approx(half * np.sqrt(1.5) * np.sqrt(2))
    alone = subgroup_table(Paired(records, "usual_care", "programme", 20_000.0, 1.0))
    assert alone["prediction_low"].isna().all()
    narrower = alone[(alone.attribute == "diagnosis") & (alone.group == "mood") & (alone.metric == "qalys_discounted")]
    assert narrower.iloc[0]["mean_ci_high"] - 0.001 < half  # four runs counted as independent: too narrow
