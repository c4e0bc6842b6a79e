"""The verdict on practical significance, the layers of uncertainty, and the economics that come only
from parameter uncertainty: synthetic per-draw effects and tables, every label and boundary."""

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.cost_effectiveness import (
    acceptability_curve,
    economic_label,
    economic_verdict,
    icer,
    incremental_analysis,
)
from sim.analysis.decomposition import qaly_decomposition, qaly_parts
from sim.analysis.statistics import (
    MONTE_CARLO,
    PARAMETERS,
    effect_summary,
    paired_effects,
    per_draw_effects,
    replications_needed,
    within_draw_sd,
)
from sim.analysis.verdict import (
    INCONCLUSIVE,
    LOWERS,
    NO_EFFECT,
    RAISES,
    judge,
    label,
    minimal_difference,
    qualifier,
    settle,
    tost_p,
    wastes_resources,
)

MID = 0.05
ECONOMICS = SimpleNamespace(willingness_to_pay=[20000, 30000], threshold=20000)


def _sample(mean, sd, n):
    """n values with exactly this mean and sample SD (a standardised spread)."""
    z = np.linspace(-1.0, 1.0, n)
    z = (z - z.mean()) / z.std(ddof=1)
    return mean + sd * z


def _effect(values, parameter_uncertainty=False, within_sd=None, replications=1):
    return effect_summary(values, within_sd, replications, parameter_uncertainty)


# --- labels and their boundaries ---------------------------------------------------------------------------

@pytest.mark.parametrize("low, high, expected", [
    (-0.09, -0.06, LOWERS),
    (-0.09, -MID, INCONCLUSIVE),       # reaching -MID is not beyond it
    (-0.09, -0.01, INCONCLUSIVE),      # below 0 with confidence, but not beyond the MID: the old "lowers"
    (0.06, 0.09, RAISES),
    (MID, 0.09, INCONCLUSIVE),
    (-0.04, 0.04, NO_EFFECT),
    (0.0, 0.0, NO_EFFECT),             # identical arms
    (-MID, 0.04, INCONCLUSIVE),        # equivalence needs the whole interval strictly inside
    (-0.04, MID, INCONCLUSIVE),
    (-0.08, 0.01, INCONCLUSIVE),
    (-0.08, 0.08, INCONCLUSIVE),
    (math.nan, math.nan, INCONCLUSIVE),  # no interval
])
def test_label_at_every_boundary(low, high, expected):
    assert label(low, high, MID) == expected


def test_minimal_difference_absolute_or_relative_to_usual_care():
    assert minimal_difference(SimpleNamespace(difference=0.05, scale="absolute"), 0.4) == 0.05
    assert minimal_difference(SimpleNamespace(difference=0.1, scale="relative"), 0.4) == pytest.approx(0.04)


# --- the effect summary: Monte Carlo, or parameter uncertainty ----------------------------------------------

def test_without_parameter_uncertainty_the_interval_is_the_t_ci_of_the_replications():
    x = np.array([-0.031, -0.024, -0.027, -0.035, -0.020])
    e = _effect(x)
    low, high = stats.t.interval(0.95, 4, loc=x.mean(), scale=stats.sem(x))
    assert (e["ci_low"], e["ci_high"]) == pytest.approx((low, high))
    assert e["mc_se"] == pytest.approx(stats.sem(x)) and e["interval"] == MONTE_CARLO
    assert e["p_value"] == pytest.approx(stats.ttest_1samp(x, 0.0).pvalue)
    assert e["variance"] is None


def test_with_parameter_uncertainty_the_interval_predicts_a_new_draw():
    x = _sample(-0.03, 0.02, 16)
    e = _effect(x, parameter_uncertainty=True, within_sd=0.01, replications=2)
    half = stats.t.ppf(0.975, 15) * 0.02 * math.sqrt(1 + 1 / 16)
    assert (e["ci_low"], e["ci_high"]) == pytest.approx((-0.03 - half, -0.03 + half))
    assert e["mc_se"] == pytest.approx(0.02 / 4)  # the Monte Carlo SE of the expected effect: sd / sqrt(D)
    assert e["interval"] == PARAMETERS and e["p_value"] is None
    # variance of the per-draw effects 0.0004 = Monte Carlo 0.01^2 / 2 + parameters the rest
    assert e["variance"]["monte_carlo"] == pytest.approx(0.00005)
    assert e["variance"]["parameters"] == pytest.approx(0.00035)


def test_the_parameter_part_is_never_negative_and_unknown_below_two_replications_per_draw():
    x = _sample(-0.03, 0.01, 16)
    assert _effect(x, True, within_sd=0.03, replications=2)["variance"]["parameters"] == 0.0
    assert _effect(x, True, within_sd=None, replications=1)["variance"] is None


def _table(per_draw_replication_diffs, metric="y", base=1.0):
    """A results table: draw d's replications have these paired differences (rows in scrambled order)."""
    rows, k = [], 0
    for d, diffs in enumerate(per_draw_replication_diffs):
        for diff in diffs:
            rows += [{"replication": k, "draw": d, "arm": "usual_care", metric: base + k},
                     {"replication": k, "draw": d, "arm": "peer", metric: base + k + diff}]
            k += 1
    return pd.DataFrame(rows).sample(frac=1.0, random_state=3).reset_index(drop=True)


def test_per_draw_effects_average_each_draws_replications_in_draw_order():
    table = _table([[0.1, 0.3], [-0.2, -0.4], [0.0, 0.5]])
    assert list(per_draw_effects(table, "y", "peer", "usual_care", True)) == pytest.approx([0.2, -0.3, 0.25])
    # without parameter uncertainty each replication is its own draw
    assert list(per_draw_effects(table, "y", "peer", "usual_care", False)) == pytest.approx(
        [0.1, 0.3, -0.2, -0.4, 0.0, 0.5])
    # pooled within-draw variance: (0.02 + 0.02 + 0.125) / 3
    assert within_draw_sd(table, "y", "peer", "usual_care") == pytest.approx(math.sqrt(0.165 / 3))
    assert within_draw_sd(_table([[0.1], [0.2]]), "y", "peer", "usual_care") is None


def test_paired_effects_with_draws_judge_over_draws():
    table = _table([[0.1, 0.3], [-0.2, -0.4], [0.0, 0.5]])
    e = paired_effects(table, ["y"], "peer", "usual_care", parameter_uncertainty=True)["y"]
    assert e["n"] == 3 and e["replications_per_draw"] == 2 and e["interval"] == PARAMETERS
    assert e["mean"] == pytest.approx(0.05)


@pytest.mark.parametrize("sd, expected", [(0.05, 100), (0.051, 105), (0.0001, 2), (math.nan, None), (None, None)])
def test_replications_needed_bring_the_monte_carlo_se_under_a_tenth_of_the_mid(sd, expected):
    needed = replications_needed(sd, MID, 0.1)
    assert needed == expected
    if expected and expected > 2:
        assert sd / math.sqrt(needed) <= 0.1 * MID < sd / math.sqrt(needed - 1)


def test_no_replications_are_needed_of_a_minimal_difference_of_zero():
    """A relative MID of a comparator rate of 0 (a tiny run without readmissions) sets no target."""
    assert replications_needed(0.01, 0.0, 0.1) is None


# --- equivalence (TOST) -------------------------------------------------------------------------------------

@pytest.mark.parametrize("mean, sd", [(0.0, 0.02), (0.03, 0.02), (-0.04, 0.005), (0.01, 0.08)])
def test_tost_p_is_the_larger_one_sided_p_and_agrees_with_the_label(mean, sd):
    x = _sample(mean, sd, 10)
    e = _effect(x)
    lower = stats.ttest_1samp(x, -MID, alternative="greater").pvalue
    upper = stats.ttest_1samp(x, MID, alternative="less").pvalue
    assert tost_p(e, MID) == pytest.approx(max(lower, upper))
    assert (tost_p(e, MID) < 0.025) == (label(e["ci_low"], e["ci_high"], MID) == NO_EFFECT)


def test_tost_over_draws_uses_the_prediction_scale():
    x = _sample(0.01, 0.02, 16)
    e = _effect(x, parameter_uncertainty=True, within_sd=0.01, replications=2)
    scale = 0.02 * math.sqrt(1 + 1 / 16)
    expected = max(stats.t.sf((0.01 + MID) / scale, 15), stats.t.sf((MID - 0.01) / scale, 15))
    assert tost_p(e, MID) == pytest.approx(expected)
    assert (tost_p(e, MID) < 0.025) == (label(e["ci_low"], e["ci_high"], MID) == NO_EFFECT)


def test_identical_arms_are_equivalent_with_p_zero():
    e = _effect([0.0, 0.0, 0.0, 0.0])
    assert tost_p(e, MID) == 0.0 and judge(e, MID)["label"] == NO_EFFECT


# --- what would settle an inconclusive verdict --------------------------------------------------------------

def test_the_replications_said_to_settle_it_do():
    e = _effect(_sample(-0.06, 0.03, 5))  # mean beyond -MID, interval reaching past it
    verdict = judge(e, MID)
    assert verdict["label"] == INCONCLUSIVE
    needed = 38  # the fewest n with t(n-1) x 0.03 / sqrt(n) < 0.01 (the normal quantile would say 35)
    assert verdict["settle"] == f"about {needed:,} replications would settle it"
    assert judge(_effect(_sample(-0.06, 0.03, needed)), MID)["label"] == LOWERS
    assert judge(_effect(_sample(-0.06, 0.03, needed - 1)), MID)["label"] == INCONCLUSIVE


def test_decisive_verdicts_need_no_settling():
    assert judge(_effect(_sample(-0.09, 0.005, 6)), MID)["settle"] is None


def test_one_replication_says_it_has_no_interval():
    assert settle(_effect([-0.02]), MID) == "one replication gives no interval: run at least 2"
    assert judge(_effect([-0.02]), MID)["label"] == INCONCLUSIVE


def test_parameter_uncertainty_that_spans_the_mid_cannot_be_settled_by_replications():
    e = _effect(_sample(-0.04, 0.03, 16), parameter_uncertainty=True, within_sd=0.005, replications=2)
    assert e["variance"]["parameters"] > 0.02**2
    text = judge(e, MID)["settle"]
    assert text.startswith("more replications cannot settle it") and "value of information" in text


def test_monte_carlo_noise_over_draws_is_settled_by_inner_replications():
    """Little parameter uncertainty, much Monte Carlo noise: the inner replications said to settle it shrink
    the prediction interval inside the nearest boundary, and one fewer would not."""
    within, mean, draws = 0.04, -0.01, 16
    e = _effect(_sample(mean, 0.0285, draws), parameter_uncertainty=True, within_sd=within, replications=2)
    parameters = e["variance"]["parameters"]
    assert 0 < parameters < 0.0003 and judge(e, MID)["label"] == INCONCLUSIVE
    text = judge(e, MID)["settle"]
    needed = int(text.split()[1].replace(",", ""))
    assert text == f"about {needed:,} replications per parameter draw would settle it"

    def half_width(r):
        return stats.t.ppf(0.975, draws - 1) * math.sqrt((parameters + within**2 / r) * (1 + 1 / draws))

    assert half_width(needed) < mean + MID <= half_width(needed - 1)


def test_an_estimate_on_the_mid_cannot_be_settled():
    assert "no number of replications" in settle(_effect(_sample(-MID, 0.02, 5)), MID)


@pytest.mark.parametrize("verdict_label, low, high, expected", [
    (NO_EFFECT, -0.03, -0.01, "lowers readmissions, but by less than the minimal important difference"),
    (INCONCLUSIVE, -0.08, -0.01,
     "lowers readmissions, but by less than, or uncertainly beyond, the minimal important difference"),
    (INCONCLUSIVE, 0.01, 0.08,
     "raises readmissions, but by less than, or uncertainly beyond, the minimal important difference"),
    (INCONCLUSIVE, -0.08, 0.01, None),
    (LOWERS, -0.09, -0.06, None),
])
def test_qualifier_names_the_direction_the_label_leaves_open(verdict_label, low, high, expected):
    assert qualifier(verdict_label, low, high) == expected


@pytest.mark.parametrize("verdict_label, cost_low, wasted", [
    (NO_EFFECT, 10.0, True), (NO_EFFECT, 0.0, False), (NO_EFFECT, -10.0, False), (LOWERS, 10.0, False),
    (INCONCLUSIVE, 10.0, False),
])
def test_wastes_resources_is_no_effect_worth_having_at_a_higher_cost(verdict_label, cost_low, wasted):
    result, sentence = wastes_resources(verdict_label, {"mean": cost_low + 5, "ci_low": cost_low,
                                                        "ci_high": cost_low + 10})
    assert result is wasted and (sentence is not None) is wasted
    if wasted:
        assert sentence.startswith("wastes resources")


# --- ICER quadrants and the economic verdict ----------------------------------------------------------------

@pytest.mark.parametrize("d_cost, d_qaly, quadrant, value, text", [
    (100.0, 0.01, "north-east", 10000.0, "10,000 per QALY gained (north-east: more costly, more effective)"),
    (-100.0, -0.01, "south-west", 10000.0, "10,000 saved per QALY lost (south-west: less costly, less effective)"),
    (50.0, -0.01, "north-west", None, "dominated (north-west: more costly, less effective)"),
    (50.0, 0.0, "north-west", None, "dominated (north-west: more costly, less effective)"),
    (-50.0, 0.01, "south-east", None, "dominant (south-east: less costly, more effective)"),
    (0.0, 0.0, None, None, "no difference"),
])
def test_every_icer_names_its_quadrant(d_cost, d_qaly, quadrant, value, text):
    assert icer(d_cost, d_qaly) == {"quadrant": quadrant, "value": value, "text": text}


def test_economic_verdict_is_the_expected_value_decision():
    assert economic_verdict(5.0, 100.0, 0.006, 20000) == "cost-effective at 20,000 per QALY"
    assert economic_verdict(-5.0, 100.0, 0.005, 20000) == "not cost-effective at 20,000 per QALY"
    assert economic_verdict(10.0, -10.0, 0.0, 20000) == "cost-saving"
    assert economic_verdict(-10.0, -10.0, -0.001, 20000) == "not cost-effective at 20,000 per QALY"


def _economic_table(draws):
    """Per draw, per replication: (d discounted cost, d QALYs, d undiscounted cost, d bed-day cost)."""
    rows, k = [], 0
    for d, replications in enumerate(draws):
        for dc, dq, du, db in replications:
            base = {"replication": k, "draw": d, "cost_total_discounted": 1000.0, "qalys_discounted": 0.7,
                    "cost_total": 1050.0, "cost_bed_days": 400.0, "readmitted_30_per_1000py": 50.0,
                    "bed_days_per_1000py": 3000.0, "diversions_per_1000py": 40.0, "life_years": 1.0}
            rows.append({**base, "arm": "usual_care"})
            rows.append({**base, "arm": "peer", "cost_total_discounted": 1000.0 + dc, "qalys_discounted": 0.7 + dq,
                         "cost_total": 1050.0 + du, "cost_bed_days": 400.0 + db,
                         "readmitted_30_per_1000py": 40.0, "bed_days_per_1000py": 2900.0,
                         "diversions_per_1000py": 30.0})
            k += 1
    return pd.DataFrame(rows)


def test_the_economic_verdict_is_absent_without_parameter_uncertainty():
    table = _economic_table([[(100.0, 0.006, 110.0, -40.0)], [(140.0, 0.008, 150.0, -40.0)]])
    result = incremental_analysis(table, "peer", "usual_care", ECONOMICS, parameter_uncertainty=False)
    assert result["verdict"] is None
    assert result["probability_cost_effective"] is None and result["probability_cost_saving"] is None
    assert result["icer"]["value"] == pytest.approx(120.0 / 0.007)


def test_probabilities_come_from_draws_not_replications():
    """Draw 0's replications straddle the threshold (NMB -40 and +20, mean -10), draw 1's are both
    positive: over replications 3 of 4 are cost-effective, over draws 1 of 2."""
    table = _economic_table([[(160.0, 0.006, 0, 0), (100.0, 0.006, 0, 0)], [(100.0, 0.006, 0, 0)] * 2])
    result = incremental_analysis(table, "peer", "usual_care", ECONOMICS, parameter_uncertainty=True)
    assert result["probability_cost_effective"]["20000"] == 0.5
    assert list(acceptability_curve(table, "peer", "usual_care", [20000])) == [0.5]
    # mean NMB at 20,000: (-10 + 20) / 2 = +5 > 0, so the expected-value decision is cost-effective
    assert result["verdict"] == "cost-effective at 20,000 per QALY"


def test_cash_beside_capacity_and_cost_per_readmission_averted_undiscounted():
    table = _economic_table([[(100.0, 0.006, 130.0, -40.0)], [(140.0, 0.008, 150.0, -60.0)]])
    result = incremental_analysis(table, "peer", "usual_care", ECONOMICS, parameter_uncertainty=True)
    # 10 readmissions averted per 1,000 patient-years at an undiscounted 140 per patient-year: 14,000 each
    assert result["cost_per_readmission_averted"] == pytest.approx(14000.0)
    assert result["bed_days_released_per_patient_year"] == pytest.approx(0.1)
    assert result["diversions_prevented_per_patient_year"] == pytest.approx(0.01)
    # beds refilled, their cost not saved: 140 - (-50) = 190 per patient-year
    assert result["incremental_cost_if_beds_refilled"]["mean"] == pytest.approx(190.0)


# --- the QALY decomposition ---------------------------------------------------------------------------------

def test_the_three_qaly_parts_add_up_to_the_qaly_difference():
    rng = np.random.default_rng(7)
    a_c, a_i = rng.uniform(0.9, 1.0, 50), rng.uniform(0.9, 1.0, 50)
    l_c, l_i = rng.uniform(0.5, 0.7, 50), rng.uniform(0.5, 0.7, 50)
    h_c, h_i = rng.uniform(-0.05, 0.05, 50), rng.uniform(-0.05, 0.05, 50)
    parts = qaly_parts((a_c, l_c, h_c), (a_i, l_i, h_i))
    total = parts["mortality"] + parts["location"] + parts["health"]
    assert np.allclose(total, (l_i + h_i) - (l_c + h_c), rtol=0, atol=1e-15)


def _qaly_table(rows_by_draw):
    rows, k = [], 0
    for d, replications in enumerate(rows_by_draw):
        for comparator, intervention in replications:
            for arm, (a, loc, h) in (("usual_care", comparator), ("peer", intervention)):
                rows.append({"replication": k, "draw": d, "arm": arm, "life_years_discounted": a,
                             "qalys_location_discounted": loc, "qalys_health_discounted": h})
            k += 1
    return pd.DataFrame(rows)


def test_longer_lives_at_the_same_quality_are_all_mortality():
    table = _qaly_table([[((0.95, 0.57, 0.0), (0.97, 0.582, 0.0))]])
    q = qaly_decomposition(table, "peer", "usual_care", parameter_uncertainty=False)
    assert q["mortality"]["mean"] == pytest.approx(0.012) and q["mortality"]["share"] == pytest.approx(1.0)
    assert q["location"]["mean"] == pytest.approx(0.0, abs=1e-15)
    assert q["health"]["mean"] == pytest.approx(0.0, abs=1e-15)


def test_decomposition_averages_per_draw_means_and_its_shares_sum_to_one():
    table = _qaly_table([[((1.0, 0.6, 0.01), (1.0, 0.61, 0.03)), ((1.0, 0.6, 0.01), (1.0, 0.61, 0.01))],
                         [((1.0, 0.6, 0.0), (1.0, 0.6, 0.04))]])
    q = qaly_decomposition(table, "peer", "usual_care", parameter_uncertainty=True)
    # draw 0: location +0.01, health (0.02 + 0) / 2 = +0.01; draw 1: health +0.04; means over draws
    assert q["location"]["mean"] == pytest.approx(0.005) and q["health"]["mean"] == pytest.approx(0.025)
    assert q["total"] == pytest.approx(0.03)
    assert sum(q[p]["share"] for p in ("mortality", "location", "health")) == pytest.approx(1.0)
    over_replications = qaly_decomposition(table, "peer", "usual_care", parameter_uncertainty=False)
    assert over_replications["health"]["mean"] == pytest.approx(0.06 / 3)  # each replication its own draw


# --- the summary and its printout ---------------------------------------------------------------------------

METRICS = {  # comparator's mean, the programme's effect, noise SD
    "readmission_30": (0.12, -0.007, 0.003), "readmission_90": (0.21, -0.018, 0.004),
    "readmission_365": (0.40, -0.025, 0.005), "acute_readmission_30": (0.14, -0.01, 0.003),
    "acute_readmission_90": (0.24, -0.02, 0.004), "acute_readmission_365": (0.43, -0.03, 0.005),
    "admissions_per_1000py": (318.0, -5.0, 2.0), "bed_days_per_1000py": (3138.0, -53.0, 10.0),
    "diversions_per_1000py": (40.0, -13.0, 1.0), "respite_stays_per_1000py": (0.0, 0.0, 0.0),
    "readmitted_30_per_1000py": (45.0, -3.0, 1.0), "deaths_per_1000py": (12.0, -0.5, 0.3),
    "deaths_per_1000_at_risk_py": (12.5, -0.5, 0.3),
    "cost_total": (1422.0, 108.0, 3.0), "cost_total_discounted": (1375.0, 105.0, 3.0),
    "cost_bed_days": (1255.0, -21.0, 2.0), "life_years_discounted": (0.95, 0.0005, 0.0001),
    "life_years": (0.97, 0.0005, 0.0001),
    "qalys_location_discounted": (0.64, 0.0003, 0.0001), "qalys_health_discounted": (0.03, 0.0005, 0.0002),
}


def _results(draws, replications, seed=11):
    """A results table as the experiment writes it, both arms of every run."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(draws):
        for r in range(replications):
            k = d * replications + r
            usual = {m: base + sd * rng.standard_normal() for m, (base, _, sd) in METRICS.items()}
            programme = {m: usual[m] + effect + 0.2 * sd * rng.standard_normal()
                         for m, (_, effect, sd) in METRICS.items()}
            for arm, values in (("usual_care", usual), ("discharge_support", programme)):
                values["qalys_discounted"] = values["qalys_location_discounted"] + values["qalys_health_discounted"]
                rows.append({"replication": k, "draw": d, "seed": 1000 + k, "arm": arm, **values})
    return pd.DataFrame(rows)


def test_summary_without_parameter_uncertainty_has_no_economic_verdict(tmp_path):
    from sim.outputs.figures import plot_cost_effectiveness, plot_readmission
    from sim.outputs.summary import format_summary, summarise

    from .conftest import make_cfg

    summary = summarise(make_cfg("psa=none", "replications=6"), _results(1, 6))
    # -2.5 points, surely: below 0, but within the 5-point MID, at +105 a patient-year
    assert summary["verdict"] == NO_EFFECT and summary["verdict_detail"]["interval"] == MONTE_CARLO
    assert summary["verdict_detail"]["qualifier"].startswith("lowers readmissions, but by less than")
    assert summary["verdict_detail"]["wastes_resources"] is True
    assert summary["economic_verdict"] is None and summary["economics"]["probability_cost_effective"] is None
    assert summary["effects"]["readmission_365"]["mc_se"] > 0
    text = format_summary(summary)
    assert text.startswith("discharge_support vs usual_care: 6 paired replications, ")
    assert "run with psa=default for the economic verdict" in text and "P(cost-effective)" not in text
    assert "\ndeaths / 1,000 cohort patient-years " in text and "\nlife-years per patient-year, discounted " in text
    assert "  rule: " + summary["verdict_rule"] in text
    plot_readmission(summary, _results(1, 6), tmp_path / "r.png")
    plot_cost_effectiveness(summary, _results(1, 6), tmp_path / "ce.png")
    assert (tmp_path / "ce.png").read_bytes()[:4] == b"\x89PNG"


def test_summary_with_parameter_uncertainty_judges_over_draws(tmp_path):
    from sim.outputs.figures import plot_cost_effectiveness
    from sim.outputs.summary import format_summary, summarise

    from .conftest import make_cfg

    table = _results(8, 2)
    summary = summarise(make_cfg("psa.draws=8", "replications=2"), table)
    detail = summary["verdict_detail"]
    assert detail["interval"] == PARAMETERS and detail["variance"]["monte_carlo"] > 0
    assert detail["replications_needed"] == replications_needed(
        summary["effects"]["readmission_365"]["within_sd"], 0.05, 0.1)
    assert summary["economic_verdict"].startswith(("cost-effective at", "not cost-effective at"))
    q = summary["qaly_decomposition"]
    assert q["total"] == pytest.approx(summary["effects"]["qalys_discounted"]["mean"], abs=1e-15)
    assert set(summary["deaths_per_1000py"]) == {"usual_care", "discharge_support"}
    text = format_summary(summary)
    assert text.startswith("discharge_support vs usual_care: 8 parameter draws x 2 paired replications, ")
    assert "difference (95% prediction interval)" in text
    label = economic_label(summary["economics"])  # the label with the share of draws for which it holds
    assert label.startswith(summary["economic_verdict"] + ", P ")
    assert "\neconomic verdict: " + label + " (" in text and "over 8 parameter draws" in text
    plot_cost_effectiveness(summary, table, tmp_path / "ce.png")
    assert (tmp_path / "ce.png").read_bytes()[:4] == b"\x89PNG"
