"""Findings written from the committed results, so that what the prose claims follows the numbers.

Each function renders one generated block (see `sim.tools.docs`): the doubling check of every verdict, who gains
in the subgroups study (with both kinds of interval), targeted mentoring against broad low-fidelity support,
where the CORE emulation lands beside the published trial, and the size of the test suite. Words that claim a
gain ("gains", "every group") are used only where the prediction interval over parameter draws supports them.
"""

import json
import re
import subprocess
import sys
from functools import cache

import pandas as pd

from sim.analysis.cost_effectiveness import label_text
from sim.analysis.statistics import EXPECTED_VALUE, PREDICTION
from sim.analysis.verdict import INCONCLUSIVE
from sim.paths import CHECKOUT
from sim.tools.result_tables import RATE_STUDIES

CORE_PUBLISHED = {"control_rate": 0.384, "intervention_rate": 0.294, "odds_ratio": 0.66}  # Johnson et al. 2018


def _json(root, path):
    return json.loads((root / "results" / path).read_text())


def _num(value, digits=0, unit=""):
    return f"{value:+,.{digits}f}{unit}".replace("-", "−")


def _interval(low, high, digits=0):
    return f"{_num(low, digits)} to {_num(high, digits)}"


def position(value, low, high):
    """Where a published value lies against an interval: inside, below or above."""
    return "inside" if low <= value <= high else ("below" if value < low else "above")


def overlap(a, b):
    """Whether two intervals (each with ci_low and ci_high) share any value."""
    return a["ci_low"] <= b["ci_high"] and b["ci_low"] <= a["ci_high"]


def supported(low, high):
    """What an interval supports about a gain: 'gain' above 0, 'loss' below 0, else 'either'."""
    return "gain" if low > 0 else ("loss" if high < 0 else "either")


def stability_table(root):
    """The doubling check (results/verdict_stability): what changed, then every job's labels before and after."""
    summary = _json(root, "verdict_stability/summary.json")
    table = pd.read_csv(root / "results" / "verdict_stability" / "stability.csv")
    inconclusive = int((table["verdict"] == INCONCLUSIVE).sum())
    lines = [f"{summary['jobs']} committed verdicts were run again with twice the runs; {inconclusive} of them are "
             f"*inconclusive*. {summary['unchanged']} keep both labels; {len(summary['changed'])} changed one "
             f"({summary['verdicts_changed']} a verdict, {summary['economic_labels_changed']} an economic label)"
             + (":" if summary["changed"] else "."), ""]
    lines += [f"- {text}" for text in summary["changed"]]
    lines += ["", "| job | verdict | with twice the runs | economic verdict (P: share of draws on its side) "
              "| with twice the runs |",
              "|---|---|---|---|---|"]
    for r in table.itertuples():
        before = label_text(r.economic_verdict, r.economic_probability)
        after = label_text(r.economic_verdict_doubled, r.economic_probability_doubled)
        lines.append(f"| `{r.job}` | {r.verdict} | {r.verdict_doubled} | {before} | {after} |")
    return "\n".join(lines)


def subgroup_findings(root):
    """The subgroups study: each programme's whole-cohort gain and its groups, with both kinds of interval."""
    study = _json(root, "subgroups/study.json")
    lines = [f"Incremental net monetary benefit per patient-year (discounted, at the threshold), mean with the "
             f"{EXPECTED_VALUE} (clustered by draw) and the {PREDICTION}; a group *gains* only where the "
             "prediction interval lies above 0.", "",
             "| programme | whole cohort | CI of the expected value | prediction interval | groups with a mean "
             "above 0 | groups whose prediction interval lies above 0 | below 0 |",
             "|---|---|---|---|---|---|---|"]
    for point in study["points"]:
        folder = root / "results" / "subgroups" / point["job"]
        rules = pd.read_csv(folder / "targeting.csv")
        whole = rules[rules["rule"] == "as configured"].iloc[0]
        groups = pd.read_csv(folder / "subgroups.csv")
        nmb = groups[groups["metric"] == "net_monetary_benefit"]
        said = [supported(r.prediction_low, r.prediction_high) for r in nmb.itertuples()]
        lines.append(
            f"| `{point['program']}` | {_num(whole['inmb_fixed_staff'])} | "
            f"{_interval(whole['inmb_fixed_staff_mean_ci_low'], whole['inmb_fixed_staff_mean_ci_high'])} | "
            f"{_interval(whole['inmb_fixed_staff_prediction_low'], whole['inmb_fixed_staff_prediction_high'])} | "
            f"{int((nmb['difference'] > 0).sum())} of {len(nmb)} | {said.count('gain')} | {said.count('loss')} |")
    return "\n".join(lines)


def subgroup_table(root, program="discharge_support"):
    """One programme's groups, both kinds of interval."""
    job = next(p["job"] for p in _json(root, "subgroups/study.json")["points"] if p["program"] == program)
    rows = pd.read_csv(root / "results" / "subgroups" / job / "subgroups.csv")
    nmb = rows[rows["metric"] == "net_monetary_benefit"]
    lines = ["| group | patients per run | mean | CI of the expected value | prediction interval over draws |"
             " the prediction interval supports |", "|---|---|---|---|---|---|"]
    for r in nmb.itertuples():
        lines.append(f"| {r.attribute}: {r.group} | {r.patients_per_run:,.0f} | {_num(r.difference)} | "
                     f"{_interval(r.mean_ci_low, r.mean_ci_high)} | {_interval(r.prediction_low, r.prediction_high)}"
                     f" | {supported(r.prediction_low, r.prediction_high)} |")
    return "\n".join(lines)


def mentoring_against_broad(root):
    """Targeted mentoring against broad low-fidelity support: effects, costs, and whether their intervals
    overlap."""
    s = {name: _json(root, f"{name}/summary.json") for name in ("targeted_mentoring", "broad_low_fidelity")}
    e = {name: v["effects"]["readmission_365"] for name, v in s.items()}
    cost = {name: v["economics"]["incremental_cost"]["mean"] for name, v in s.items()}
    m, b = e["targeted_mentoring"], e["broad_low_fidelity"]
    kind = "prediction intervals" if s["targeted_mentoring"]["parameter_uncertainty"] else "CIs"
    verdict = ("overlap: over the parameters' uncertainty neither effect is clearly the larger" if overlap(m, b)
               else "do not overlap: whatever the parameters, their effects differ")
    return (f"Targeted mentoring changes 1-year readmission by {_num(100 * m['mean'], 1)} points against "
            f"{_num(100 * b['mean'], 1)} for broad low-fidelity support, at an incremental cost of "
            f"{_num(cost['targeted_mentoring'])} against {_num(cost['broad_low_fidelity'])} per patient-year "
            f"(discounted); their 95% {kind} ({_interval(100 * m['ci_low'], 100 * m['ci_high'], 1)} against "
            f"{_interval(100 * b['ci_low'], 100 * b['ci_high'], 1)}) {verdict}.")


def core_landing(root):
    """Where CORE's published figures lie against the emulation's predictive intervals."""
    e = _json(root, "core_trial/summary.json")["trial"]["predictive"]["estimates"]
    parts = [f"the published {name.replace('_', ' ')} {value:g} lies {position(value, e[name]['low'], e[name]['high'])}"
             f" its predictive 95% interval ({e[name]['low']:.2f} to {e[name]['high']:.2f})"
             for name, value in CORE_PUBLISHED.items()]
    return ("In the CORE emulation " + "; ".join(parts) + ". The arm rates are calibration targets, so this "
            "shows the fit, not a validation.")


@cache  # the code's suite: one collection serves every page that quotes it
def suite_size(root):
    """The number of tests pytest collects in this checkout (every parameter case counted): the code's suite,
    whichever results `root` holds."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                          cwd=CHECKOUT, capture_output=True, text=True, check=False)
    if done.returncode != 0:  # a collection error: its count would be wrong
        raise RuntimeError(f"pytest --collect-only in {CHECKOUT} failed:\n"
                           f"{done.stdout[-500:]}{done.stderr[-500:]}")
    found = re.search(r"^(\d+) tests? collected", done.stdout, re.M) or re.search(r"^(\d+) tests?", done.stdout,
                                                                                   re.M)
    if found is None:
        raise RuntimeError(f"pytest --collect-only in {CHECKOUT} gave no count:\n"
                           f"{done.stdout[-500:]}{done.stderr[-500:]}")
    return f"The suite holds {int(found[1]):,} tests (`pytest --collect-only`, every parameter case counted)."


def structural_answer(root):
    """results/structural: which committed answers differ under the alternative structure, each economic label
    with the share of draws on its side, and the decision studies' choices under both."""
    summary = _json(root, "structural/summary.json")
    table = pd.read_csv(root / "results" / "structural" / "structural.csv")
    decisions = pd.read_csv(root / "results" / "structural" / "decisions.csv")

    def answer(row, suffix=""):
        economic = label_text(row[f"economic_verdict{suffix}"], row[f"economic_probability{suffix}"])
        return f"{row['verdict' + suffix]}, {economic}"

    differing = table[table["answer_differs"] == True]  # noqa: E712 (a column read back from CSV)
    parts = [f"`{r['job']}` ({answer(r)} → {answer(r, '_alternative')})" for _, r in differing.iterrows()]
    text = (f"`python -m sim.tools.structural` re-ran {summary['compared']} of {summary['jobs']} committed results "
            f"with the spillover structure and its own posterior (`results/structural/`); the verdict or the "
            f"economic decision differs in {summary['answers_differ']}" + (": " + "; ".join(parts) if parts else "")
            + ".")
    for r in decisions.itertuples():
        same = "the same option" if not r.decision_differs else f"`{r.option_alternative}`"
        text += (f" For `{r.study}` at {r.threshold:,.0f} per QALY: fund `{r.option}` (best in "
                 f"{100 * r.probability_best:.0f}% of draws) under the default structure, {same} (best in "
                 f"{100 * r.probability_best_alternative:.0f}%) under spillover.")
    return text


def one_year_readmission(root):
    """The main job's usual-care 1-year readmission per discharge and per patient, the per-patient rate placed
    against the published range (O'Connell 2018: 40-60%, per participant, the same unit)."""
    arm = _json(root, "default_comparison/summary.json")["arms"]["usual_care"]
    per_patient = arm["patient_readmission_365"]["mean"]
    where = position(per_patient, 0.40, 0.60)
    fewer_or_more = "fewer" if where == "below" else "more"
    said = "within that range" if where == "inside" else (
        f"{where} it (the model readmits {fewer_or_more} patients within a year than that range)")
    return (f"The 1-year rate is {100 * arm['readmission_365']['mean']:.1f}% per discharge and "
            f"{100 * per_patient:.1f}% per patient, the like-for-like unit of the published 40–60% (O'Connell "
            f"2018), so it falls {said}.")


def targeting_findings(root):
    """The subgroups study's distributional view and the best-targeted rule of each programme, with both kinds
    of interval."""
    study = _json(root, "subgroups/study.json")
    lines = ["| programme | net health benefit, QALYs per patient-year (CI of the expected value; prediction "
             "interval) | staffing | best rule | its gain over the programme as configured (CI of the expected "
             "value; prediction interval) |", "|---|---|---|---|---|"]
    for point in study["points"]:
        folder = root / "results" / "subgroups" / point["job"]
        total = pd.read_csv(folder / "distributional.csv").set_index("group").loc["all (unweighted)"]
        n = "net_health_benefit_"
        nhb = (f"{_num(total[n + 'difference'], 4)} "
               f"({_interval(total[n + 'mean_ci_low'], total[n + 'mean_ci_high'], 4)}; "
               f"{_interval(total[n + 'prediction_low'], total[n + 'prediction_high'], 4)})")
        rules = pd.read_csv(folder / "targeting.csv")
        for k, staff in enumerate(("fixed", "scaled")):
            best = rules[rules[f"best_{staff}_staff"]].iloc[0]
            gain = f"gain_over_configured_{staff}_staff"
            said = "none (as configured is best)" if best["rule"] == "as configured" else (
                f"{_num(best[gain], 2)} ({_interval(best[gain + '_mean_ci_low'], best[gain + '_mean_ci_high'], 2)}; "
                f"{_interval(best[gain + '_prediction_low'], best[gain + '_prediction_high'], 2)})")
            programme = f"`{point['program']}`" if k == 0 else ""
            lines.append(f"| {programme} | {nhb if k == 0 else ''} | {staff} posts | {best['rule']} | {said} |")
    return "\n".join(lines)


def what_would_settle(root):
    """Each named comparison's verdict and what would settle it, as its summary says."""
    lines = []
    for study in RATE_STUDIES:
        s = _json(root, f"{study}/summary.json")
        settle = s["verdict_detail"]["settle"] or "nothing to settle"
        lines.append(f"- `{study}`: {s['verdict']}; {settle}.")
    return "\n".join(lines)
