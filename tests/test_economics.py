"""Health economics on hand-computed examples, to the cent."""

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.analysis.cost_effectiveness import acceptability_curve, icer, incremental_analysis
from sim.analysis.economics import arm_economics
from sim.analysis.outcomes import arm_outcomes
from sim.config.comparator import usual_care_of
from sim.engines.model import CareSystemModel
from sim.model import events as ev
from tests.conftest import SMALL, make_cfg

PRICES = SimpleNamespace(bed_day=400.0, diverted_crisis=1000.0, respite_day=200.0, clinician_followup=100.0,
                         community_contact=50.0, peer_worker_per_year=36500.0, clinician_hour=70.0,
                         training_per_hire=1500.0)
CARE = SimpleNamespace(community_contacts_per_year=36.5)  # a contact every 10 days at home
WORKFORCE = SimpleNamespace(supervision_hours_per_week=7.0)
PROGRAM = SimpleNamespace(cost_per_contact=10.0)
UNDISCOUNTED = SimpleNamespace(discount_rate_costs=0.0, discount_rate_outcomes=0.0, utility_community=0.8,
                               utility_inpatient=0.4, utility_crisis=0.5, utility_respite=0.6, utility_per_hope=0.3)


def _two_days():
    """A care system of 10 patients; day 0 is burn-in, days 1 and 2 are counted."""
    events = np.zeros((3, len(ev.COLUMNS)), np.int64)
    events[0, ev.BED_DAYS] = 9  # burn-in: must not count
    events[1, [ev.BED_DAYS, ev.CRISIS_DAYS, ev.RESPITE_DAYS, ev.DIVERSIONS, ev.FOLLOWUPS]] = [2, 1, 1, 1, 3]
    events[1, [ev.WORKER_DAYS, ev.HIRES, ev.PEER_CONTACTS]] = [2, 1, 4]
    events[2, [ev.BED_DAYS, ev.WORKER_DAYS, ev.DEATHS]] = [1, 2, 1]  # one dies at the start of day 2
    events[1, ev.HOPE_ABOVE_HALF_MICRO] = 2_000_000  # the living's hope above 0.5 sums to 2 on day 1
    events[2, ev.HOPE_ABOVE_HALF_MICRO] = -500_000  # and to -0.5 on day 2
    return events, np.array([0.0, 5.0, 0.0])  # extension costs by day


def test_costs_and_qalys_of_one_arm_by_hand():
    events, extension = _two_days()
    row = arm_economics(events, extension, 1, 10, PROGRAM, WORKFORCE, CARE, PRICES, UNDISCOUNTED)
    patient_years = 10 * 2 / 365
    by_hand = {
        "cost_bed_days": 3 * 400.0,
        "cost_diversions": 1000.0,
        "cost_respite": 200.0,
        "cost_followups": 300.0,
        "cost_peer_workers": 4 * 100.0,  # 4 worker-days at 36,500 a year
        "cost_supervision": 4 * 1.0 * 70.0,  # an hour a day each
        "cost_training": 1500.0,
        "cost_peer_contacts": 40.0,
        "cost_extension": 5.0,
        "cost_community": (6 + 8) * 0.1 * 50.0,  # 14 days at home (below), a tenth of a contact each
    }
    for key, total in by_hand.items():
        assert row[key] * patient_years == pytest.approx(total, abs=0.005), key
    assert row["cost_total"] * patient_years == pytest.approx(4925.0 + 70.0, abs=0.005)
    # day 1: 6 at home, 2 in bed, 1 crisis, 1 respite; day 2: one has died, 8 at home, 1 in bed
    location = (6 * 0.8 + 2 * 0.4 + 0.5 + 0.6 + 8 * 0.8 + 0.4) / 365
    health = 0.3 * (2.0 - 0.5) / 365
    assert row["qalys"] * patient_years == pytest.approx(location + health, abs=1e-12)
    assert row["qalys_location_discounted"] * patient_years == pytest.approx(location, abs=1e-12)
    assert row["qalys_health_discounted"] * patient_years == pytest.approx(health, abs=1e-12)
    assert row["life_years"] * patient_years == pytest.approx((10 + 9) / 365, abs=1e-12)


def test_discounting_day_by_day():
    events, extension = _two_days()
    rates = SimpleNamespace(**{**vars(UNDISCOUNTED), "discount_rate_costs": 0.035, "discount_rate_outcomes": 0.015})
    row = arm_economics(events, extension, 1, 10, PROGRAM, WORKFORCE, CARE, PRICES, rates)
    patient_years = 10 * 2 / 365
    day1 = 800 + 1000 + 200 + 300 + 200 + 140 + 1500 + 40 + 5 + 6 * 5
    day2 = 400 + 200 + 140 + 8 * 5
    assert day1 + day2 == 4995
    assert row["cost_total_discounted"] * patient_years == pytest.approx(day1 + day2 * 1.035 ** (-1 / 365), abs=0.005)
    q1, q2 = (6 * 0.8 + 2 * 0.4 + 0.5 + 0.6 + 0.3 * 2.0) / 365, (8 * 0.8 + 0.4 - 0.3 * 0.5) / 365
    assert row["qalys_discounted"] * patient_years == pytest.approx(q1 + q2 * 1.015 ** (-1 / 365), abs=1e-12)


def _table(d_costs, d_qalys, d_readmitted, d_undiscounted=None):
    """One parameter draw per replication; the undiscounted cost difference defaults to the discounted one."""
    rows = []
    d_undiscounted = d_costs if d_undiscounted is None else d_undiscounted
    for r, (dc, dq, dr, du) in enumerate(zip(d_costs, d_qalys, d_readmitted, d_undiscounted, strict=True)):
        base = {"replication": r, "draw": r, "cost_total_discounted": 1000.0, "cost_total": 1050.0,
                "cost_bed_days": 400.0, "qalys_discounted": 0.7, "readmitted_30_per_1000py": 50.0,
                "bed_days_per_1000py": 3000.0, "diversions_per_1000py": 40.0, "life_years": 1.0}
        rows.append({**base, "arm": "usual_care"})
        rows.append({**base, "arm": "peer", "cost_total_discounted": 1000.0 + dc, "cost_total": 1050.0 + du,
                     "qalys_discounted": 0.7 + dq, "readmitted_30_per_1000py": 50.0 + dr})
    return pd.DataFrame(rows)


def test_incremental_analysis_by_hand():
    econ = SimpleNamespace(willingness_to_pay=[20000, 30000], threshold=20000)
    table = _table([100.0, 140.0], [0.004, 0.006], [-8.0, -12.0], d_undiscounted=[110.0, 150.0])
    result = incremental_analysis(table, "peer", "usual_care", econ, parameter_uncertainty=True)
    assert result["incremental_cost"]["mean"] == pytest.approx(120.0)
    assert result["incremental_qalys"]["mean"] == pytest.approx(0.005)
    assert result["icer"]["value"] == pytest.approx(24000.0)  # 120 / 0.005
    assert result["icer"]["quadrant"] == "north-east"
    # NMB at 20,000: 20,000 x 0.004 - 100 = -20 and 20,000 x 0.006 - 140 = -20
    assert result["net_monetary_benefit"]["20000"]["mean"] == pytest.approx(-20.0)
    # NMB at 30,000: 20 and 40
    assert result["net_monetary_benefit"]["30000"]["mean"] == pytest.approx(30.0)
    assert result["probability_cost_effective"] == {"20000": 0.0, "30000": 1.0}
    assert result["probability_cost_saving"] == 0.0
    # 10 readmissions averted per 1,000 patient-years, at an undiscounted 130 per patient-year: 13,000 each
    assert result["cost_per_readmission_averted"] == pytest.approx(13000.0)
    assert result["verdict"] == "not cost-effective at 20,000 per QALY"


def test_readmissions_averted_and_capacity_released_are_the_rates_own_effects():
    """Rates and costs share one denominator (cohort patient-years), so the effects on rates are used as they are:
    no rescaling by the living share."""
    econ = SimpleNamespace(willingness_to_pay=[20000], threshold=20000)
    table = _table([100.0, 100.0], [0.0, 0.0], [-10.0, -10.0])
    peer = table["arm"] == "peer"
    table.loc[peer, "life_years"] = 0.8
    table.loc[peer, "bed_days_per_1000py"] = 2400.0
    table.loc[peer, "diversions_per_1000py"] = 32.0
    result = incremental_analysis(table, "peer", "usual_care", econ, parameter_uncertainty=True)
    assert result["readmissions_30_averted_per_patient_year"] == pytest.approx(10.0 / 1000)
    assert result["cost_per_readmission_averted"] == pytest.approx(100.0 / (10.0 / 1000))
    assert result["bed_days_released_per_patient_year"] == pytest.approx(600.0 / 1000)
    assert result["diversions_prevented_per_patient_year"] == pytest.approx(8.0 / 1000)


def test_dominance_and_cost_saving():
    assert icer(-50.0, 0.01)["text"].startswith("dominant") and icer(50.0, -0.01)["text"].startswith("dominated")
    econ = SimpleNamespace(willingness_to_pay=[20000], threshold=20000)
    saving = incremental_analysis(_table([-100.0, -120.0, -90.0], [0.0, 0.001, 0.0], [-5.0, -6.0, -4.0]), "peer",
                                  "usual_care", econ, parameter_uncertainty=True)
    assert saving["verdict"] == "cost-saving" and saving["probability_cost_saving"] == 1.0
    no_effect = incremental_analysis(_table([10.0, 20.0], [0.0, 0.0], [0.0, 0.0]), "peer", "usual_care", econ,
                                     parameter_uncertainty=True)
    assert math.isnan(no_effect["cost_per_readmission_averted"])


def test_acceptability_curve_rises_with_willingness_to_pay():
    table = _table([100.0, 140.0, 90.0], [0.004, 0.006, 0.002], [-8.0, -12.0, -3.0])
    curve = acceptability_curve(table, "peer", "usual_care", [0, 20000, 30000, 50000, 100000])
    # NMB at 30,000: 20, 40, -30; at 50,000: 100, 160, 10
    assert list(curve) == pytest.approx([0.0, 0.0, 2 / 3, 1.0, 1.0])


def test_every_per_year_figure_shares_the_costs_denominator():
    """One denominator, cohort patient-years: bed-days x price is the bed cost, and so for every priced event,
    even when patients die (which would part a per-years-lived rate from a per-cohort cost)."""
    cfg = make_cfg(*SMALL, "horizon_days=730")
    row = arm_outcomes(CareSystemModel(cfg, usual_care_of(cfg.program)).run())
    assert row["deaths_per_1000py"] > 0  # the two denominators would differ
    assert row["deaths_per_1000_at_risk_py"] > row["deaths_per_1000py"]
    for count, cost, price in (("bed_days", "cost_bed_days", cfg.costs.bed_day),
                               ("diversions", "cost_diversions", cfg.costs.diverted_crisis),
                               ("followups", "cost_followups", cfg.costs.clinician_followup)):
        assert row[f"{count}_per_1000py"] > 0
        assert row[f"{count}_per_1000py"] * price / 1000.0 == pytest.approx(row[cost], rel=1e-12)
