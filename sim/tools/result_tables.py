"""Numbers quoted in the documentation, generated from the committed results so they cannot go stale.

Each function renders one generated block (see `sim.tools.docs`): the main job's printed table (README),
the named studies' verdicts, every programme against usual care, the calibration's validation table, the
warm-up analysis and readmission by admission history.
"""

import csv
import json

import pandas as pd

from sim.analysis.cost_effectiveness import economic_label
from sim.calibration.diagnostics import fitted_markdown
from sim.calibration.validation import markdown as validation_markdown
from sim.outputs.summary import format_summary
from sim.tools.warmup import format_table

RATE_STUDIES = ("default_comparison", "targeted_mentoring", "broad_low_fidelity", "network_spillover",
                "network_spillover_off")


def _summary(root, study):
    return json.loads((root / "results" / study / "summary.json").read_text())


def _pp(value):
    return f"{100 * value:+.2f}".replace("-", "−")


def effect_text(effect):
    """An effect on a rate, in percentage points with its interval: "−1.20 pp (−2.00 to −0.40)"."""
    return f"{_pp(effect['mean'])} pp ({_pp(effect['ci_low'])} to {_pp(effect['ci_high'])})"


def main_job_table(root):
    """What `python -m sim` prints at the end, as committed in results/default_comparison."""
    return "```\n" + format_summary(_summary(root, "default_comparison")) + "\n```"


def study_table(root):
    """Each named comparison's verdict on its primary outcome and its incremental cost; the CORE emulation."""
    rows = ["| study | uncertainty | primary outcome | difference (95% interval) | minimal important difference | "
            "incremental cost per patient-year, discounted (95% interval) | verdict | economic verdict |",
            "|---|---|---|---|---|---|---|---|"]
    for study in RATE_STUDIES:
        s = _summary(root, study)
        cost = s["economics"]["incremental_cost"]
        kind = (f"parameters: {s['draws']} draws x {s['replications']}" if s["parameter_uncertainty"]
                else f"Monte Carlo only: {s['replications']} replications")
        economic = economic_label(s["economics"])
        effect = effect_text(s["effects"][s["primary_outcome"]])
        rows.append(f"| `{study}` | {kind} | {s['primary_outcome']} | {effect} | "
                    f"{100 * s['verdict_detail']['minimal_difference']:.2f} pp | "
                    f"{cost['mean']:+,.0f} ({cost['ci_low']:+,.0f} to {cost['ci_high']:+,.0f}) {s['currency']} | "
                    f"{s['verdict']} | {economic} |")
    t = _summary(root, "core_trial")["trial"]
    p = t["predictive"]
    e = p["estimates"]

    def rate(name):
        return f"{100 * e[name]['median']:.1f}% ({100 * e[name]['low']:.1f}–{100 * e[name]['high']:.1f}%)"

    rows += ["", "| CORE | control | intervention | odds ratio | P(p < 0.05) |", "|---|---|---|---|---|",
             "| published (Johnson et al., Lancet 2018; n = 441) | 38.4% (83/216) | 29.4% (64/218) | "
             "0.66 (95% CI 0.43–0.99) | p = 0.044 |",
             f"| `core_trial`: predictive median (95% interval), {p['draws']} posterior draws x "
             f"{p['trials'] // max(p['draws'], 1)} trial of {t['participants_per_trial']} | {rate('control_rate')} | "
             f"{rate('intervention_rate')} | {e['odds_ratio']['median']:.2f} ({e['odds_ratio']['low']:.2f}–"
             f"{e['odds_ratio']['high']:.2f}) | {p['probability_p_below_0_05']:.2f} |"]
    return "\n".join(rows)


def programme_table(root):
    """results/all_programmes: each programme's paired effects against the same usual-care arm."""
    with open(root / "results" / "all_programmes" / "sweep.csv", newline="") as f:
        rows_in = [r for r in csv.DictReader(f) if r["arm"] != "usual_care"]
    rows = ["| programme | 30-day readmission (95% interval) | 1-year readmission | bed-days / 1,000 patient-years | "
            "cost per patient-year, discounted (95% interval) | verdict |", "|---|---|---|---|---|---|"]
    for r in rows_in:
        effect = {p: float(r[f"effect_readmission_30_{p}"]) for p in ("mean", "ci_low", "ci_high")}
        cost = [float(r[f"effect_cost_total_discounted_{p}"]) for p in ("mean", "ci_low", "ci_high")]
        bed_days = f"{float(r['effect_bed_days_per_1000py_mean']):+.0f}".replace("-", "−")
        rows.append(f"| `{r['arm']}` | {effect_text(effect)} | {_pp(float(r['effect_readmission_365_mean']))} pp | "
                    f"{bed_days} | {cost[0]:+,.0f} ({cost[1]:+,.0f} to {cost[2]:+,.0f}) | {r['verdict']} |")
    return "\n".join(rows)


def validation_table(root):
    """The calibration's fitted targets beside their posterior predictive intervals
    (results/calibration/england/fitted_vs_target.csv), then the validation on evidence not used in fitting
    (results/calibration/england/validation/validation.csv)."""
    calibration = root / "results" / "calibration" / "england"
    fitted = fitted_markdown(pd.read_csv(calibration / "fitted_vs_target.csv"))
    return fitted + "\n" + validation_markdown(pd.read_csv(calibration / "validation" / "validation.csv")).rstrip()


def warmup_table(root):
    """results/warmup/summary.json: each series' warm-up and whether the burn-in covers the longest."""
    return format_table(json.loads((root / "results" / "warmup" / "summary.json").read_text()))


def service_size_table(root):
    """results/service_size/table.md: usual care's base rates at each service size, beside the setting's own."""
    return (root / "results" / "service_size" / "table.md").read_text().rstrip()


def ontario_fit_table(root):
    """results/calibration/ontario/fitted_vs_target.csv: the second setting's base rates against its targets."""
    return fitted_markdown(pd.read_csv(root / "results" / "calibration" / "ontario" / "fitted_vs_target.csv")).rstrip()


def admission_history_table(root):
    """results/admission_history/table.md: readmission by admissions in the year before, beside published rates."""
    return (root / "results" / "admission_history" / "table.md").read_text().rstrip()
