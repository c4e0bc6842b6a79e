"""The decision analysis's files: tables, figures and the decision in words, each written whole or not at all.

options.csv (the incremental table), curves.csv (per threshold: acceptability and expected loss of each
option, the acceptability frontier, EVPI), evppi.csv, decision.md, decision.json; figures: the
cost-effectiveness plane with the frontier, the acceptability curves and frontier, expected loss, EVPI
against the threshold, and EVPPI by parameter group; with a budget impact, budget_impact.csv and .png.
"""

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import StrMethodFormatter  # noqa: E402

from sim.analysis.decision.frontier import FRONTIER  # noqa: E402
from sim.analysis.statistics import EXPECTED_VALUE, mean_ci  # noqa: E402
from sim.outputs.atomic import write_atomic, write_json  # noqa: E402

DECISION_FILES = ("options.csv", "curves.csv", "evppi.csv", "decision.md", "decision.json", "plane.png",
                  "acceptability.png", "expected_loss.png", "evpi.png", "evppi.png")
BUDGET_FILES = ("budget_impact.csv", "budget_impact.png")  # with a budget_impact setting


THOUSANDS = "{x:,.0f}"


def _save(fig, path):
    """Saved to the drawn extent: no label or legend outside the axes is clipped."""
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png", bbox_inches="tight"))
    plt.close(fig)


def _currency(out):
    """The jobs' currency from their summary.json in `out`, the study folder; None (the figures then name no
    money unit) where `out` holds no jobs, as the temporary folder of `python -m sim.decide --check`."""
    found = {json.loads(p.read_text()).get("currency") for p in out.glob("*/summary.json")}
    return found.pop() if len(found) == 1 else None


def _in(money, *notes):
    """A money label's parentheses: the currency, when known, and any notes."""
    parts = [p for p in (money, *notes) if p]
    return f" ({', '.join(parts)})" if parts else ""


def _per_qaly(money):
    return f"{money} per QALY" if money else "per QALY"


def curves_frame(result):
    names = result["options"]
    rows = []
    for c in result["curves"]:
        row = {"threshold": c["threshold"], "optimal": names[c["optimal"]], "acceptability_frontier": c["frontier"],
               "evpi_per_person": c["evpi"], "evpi_population": c["evpi"] * result["population_factor"]}
        row.update({f"acceptability_{n}": float(a) for n, a in zip(names, c["acceptability"], strict=True)})
        row.update({f"expected_loss_{n}": float(v) for n, v in zip(names, c["expected_loss"], strict=True)})
        rows.append(row)
    return pd.DataFrame(rows)


def plot_plane(options, result, path, money):
    """Each option against the comparator (the first option) on the same draw: paired, so the variation every
    option shares cancels. Left: each draw (faint) and the means (large). Right: the means alone, each with the
    CI of its expected value, and the frontier joining the non-dominated ones; the comparator is the origin."""
    d_cost = options.costs - options.costs[:, [0]]
    d_qaly = options.effects - options.effects[:, [0]]
    rows = {r["option"]: r for r in result["table"]}
    comparator = rows[options.names[0]]
    fig, (cloud, means) = plt.subplots(1, 2, figsize=(12, 5.2))
    for j, name in enumerate(options.names):
        colour, row = _colour(j), rows[name]
        marker = "o" if row["status"] == FRONTIER else "X"
        q, c = row["qalys"] - comparator["qalys"], row["cost"] - comparator["cost"]
        if j:
            cloud.scatter(d_qaly[:, j], d_cost[:, j], s=5, alpha=0.25, color=colour, linewidths=0)
            q_ci, c_ci = (_half_width(d[:, j]) for d in (d_qaly, d_cost))
            means.errorbar(q, c, xerr=q_ci, yerr=c_ci, fmt="none", ecolor=colour, lw=1, capsize=3)
        for ax in (cloud, means):
            ax.scatter(q, c, s=110, marker=marker, color=colour, edgecolor="black", zorder=3,
                       label=f"{name} ({row['status']})" if ax is means else None)
    frontier = [r for r in result["table"] if r["status"] == FRONTIER]
    for ax in (cloud, means):
        ax.plot([r["qalys"] - comparator["qalys"] for r in frontier],
                [r["cost"] - comparator["cost"] for r in frontier], "k-", lw=2, zorder=2,
                label="frontier" if ax is means else None)
        ax.axhline(0, color="grey", lw=0.6)
        ax.axvline(0, color="grey", lw=0.6)
        ax.ticklabel_format(style="plain", useOffset=False)
        ax.set_xlabel(f"incremental QALYs per patient-year against {options.names[0]} (discounted)")
        ax.set_ylabel(f"incremental cost per patient-year against {options.names[0]}{_in(money, 'discounted')}")
    cloud.set_title(f"each of {len(d_cost)} parameter draws (paired) and the means", fontsize=10)
    means.set_title(f"means, {EXPECTED_VALUE} over draws, and the frontier", fontsize=10)
    means.legend(fontsize=7)
    _save(fig, path)


def _colour(j):
    """Option j's colour: the comparator (first) grey, programme j the colour a sweep's figures give it."""
    return "dimgrey" if j == 0 else f"C{(j - 1) % 10}"


def _half_width(per_draw):
    s = mean_ci(per_draw)
    return s["ci_high"] - s["mean"]


def _plot_by_option(result, key, best, best_label, ylabel, money):
    """One curve per option of `key` across the threshold grid, and the `best` of them dashed."""
    t = [c["threshold"] for c in result["curves"]]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for j, name in enumerate(result["options"]):
        ax.plot(t, [c[key][j] for c in result["curves"]], color=_colour(j), label=name)
    ax.plot(t, [c[best] for c in result["curves"]], "k--", lw=2, label=best_label)
    ax.set_xlabel(f"willingness to pay ({_per_qaly(money)})")
    ax.set_ylabel(ylabel)
    return fig, ax


def plot_acceptability(result, path, money):
    fig, ax = _plot_by_option(result, "acceptability", "frontier", "acceptability frontier",
                              "probability of the highest net benefit", money)
    for k, d in enumerate(result["decisions"]):
        ax.axvline(d["threshold"], color="grey", lw=0.6, ls=":", label=None if k else "decision thresholds")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"share of {result['draws']} parameter draws in which each option has the highest net benefit",
                 fontsize=9)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # off the curves
    _save(fig, path)


def plot_expected_loss(result, path, money):
    fig, ax = _plot_by_option(result, "expected_loss", "evpi", "lowest (= EVPI)",
                              f"expected loss per patient-year{_in(money)}", money)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # off the curves
    _save(fig, path)


def plot_evpi(result, path, money):
    t = [c["threshold"] for c in result["curves"]]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(t, [c["evpi"] * result["population_factor"] for c in result["curves"]], "k-")
    ax.set_xlabel(f"willingness to pay ({_per_qaly(money)})")
    ax.set_ylabel(f"population EVPI{_in(money)}")
    ax.yaxis.set_major_formatter(StrMethodFormatter(THOUSANDS))
    ax.set_title(f"EVPI over {result['population_factor']:,.0f} discounted patient-years")
    _save(fig, path)


def plot_evppi(result, path, money):
    """EVPPI per parameter group at each decision threshold; the whiskers are the regression metamodel's
    estimation uncertainty (not a spread over draws), the lower one cut at 0 as EVPPI cannot be negative."""
    groups = result["evppi"]
    thresholds = sorted({g["threshold"] for g in groups})
    names = list(dict.fromkeys(g["group"] for g in groups))
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / max(len(thresholds), 1)
    for k, t in enumerate(thresholds):
        at = {g["group"]: g for g in groups if g["threshold"] == t}
        x = np.arange(len(names)) + k * width
        value = np.array([at[n]["evppi_per_person"] for n in names])
        half = np.array([1.96 * at[n]["standard_error"] for n in names])
        ax.bar(x, value, width, yerr=[np.clip(half, 0, np.maximum(value, 0)), half], capsize=3,
               label=f"{t:,.0f} {_per_qaly(money)}")
    ax.set_xticks(np.arange(len(names)) + width * (len(thresholds) - 1) / 2, names, rotation=15, fontsize=8)
    ax.set_ylabel(f"EVPPI per patient-year{_in(money)}\nwhiskers: ±1.96 SE of the regression estimate,\n"
                  "lower one cut at 0 (EVPPI ≥ 0)", fontsize=9)
    ax.legend(fontsize=7)
    _save(fig, path)


def plot_budget(result, path, money):
    """Left: each programme's added spending per year (2.5th-97.5th percentiles of the draws). Right: the last
    year's by cost component; components zero for every programme are left out."""
    rows = pd.DataFrame(result["budget_impact"])
    programmes = list(dict.fromkeys(rows["option"]))
    totals = rows[(rows.component == "total") & (rows.year != "all")]
    years = list(dict.fromkeys(totals["year"]))
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.8 / len(programmes)
    for k, name in enumerate(programmes):
        own = totals[totals.option == name].set_index("year").loc[years]
        x = np.arange(len(years)) + k * width
        left.bar(x, own["mean"], width, yerr=[own["mean"] - own["low"], own["high"] - own["mean"]], capsize=2,
                 color=_colour(k + 1), label=name)
    left.set_xticks(np.arange(len(years)) + width * (len(programmes) - 1) / 2, [f"year {y}" for y in years])
    left.axhline(0, color="black", lw=0.8)
    ylabel = f"added spending against usual care{_in(money, 'undiscounted')}"
    left.set_ylabel(ylabel)
    left.set_title("each year's total: mean;\nwhiskers: 2.5th-97.5th percentiles over parameter draws", fontsize=9)
    left.yaxis.set_major_formatter(StrMethodFormatter(THOUSANDS))
    left.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, frameon=False)  # off the bars
    last = rows[(rows.year == years[-1]) & (rows.component != "total")]
    bottom_pos, bottom_neg = np.zeros(len(programmes)), np.zeros(len(programmes))
    for c, component in enumerate(dict.fromkeys(last["component"])):
        values = last[last.component == component].set_index("option").loc[programmes, "mean"].to_numpy()
        if not values.any():
            continue
        base = np.where(values >= 0, bottom_pos, bottom_neg)
        right.bar(programmes, values, bottom=base, color=f"C{c}", label=component.removeprefix("cost_"))
        bottom_pos, bottom_neg = bottom_pos + np.maximum(values, 0), bottom_neg + np.minimum(values, 0)
    right.axhline(0, color="black", lw=0.8)
    right.set_ylabel(ylabel)
    right.set_title(f"year {years[-1]} by cost component (mean)", fontsize=9)
    right.yaxis.set_major_formatter(StrMethodFormatter(THOUSANDS))
    right.tick_params(axis="x", labelrotation=20, labelsize=7)
    right.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _save(fig, path)


def _budget_lines(result, settings):
    rows = pd.DataFrame(result["budget_impact"])
    totals = rows[rows.component == "total"]
    years = [y for y in dict.fromkeys(totals["year"]) if y != "all"]
    lines = ["", "## Budget impact", "",
             f"Added spending against usual care, undiscounted, for {settings.budget_people:,} people covered at "
             f"{', '.join(f'{c:.0%}' for c in settings.budget_coverage)} in years 1-{len(years)}; means with the "
             "95% range of the parameter draws (`budget_impact.csv` has each cost component).", "",
             "| programme | " + " | ".join(f"year {y}" for y in years) + " | all years |",
             "|---|" + "---|" * (len(years) + 1)]
    for name in dict.fromkeys(totals["option"]):
        own = totals[totals.option == name].set_index("year")
        cells = [f"{own.loc[y, 'mean']:,.0f} ({own.loc[y, 'low']:,.0f} to {own.loc[y, 'high']:,.0f})"
                 for y in [*years, "all"]]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _money(x):
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:,.0f}"


def markdown(result, about, settings):
    """decision.md: the question, the incremental table, the decisions in words, the value of research."""
    lines = [f"# {about.get('study', 'decision')}: every option at once", "", about.get("question", "").strip(), "",
             f"{len(result['options'])} options on the same seeds and {result['draws']} parameter draws. Costs and "
             "QALYs per patient-year, discounted; 95% intervals span the parameter draws.", "",
             "| option | cost | QALYs | status | incremental cost | incremental QALYs | ICER |",
             "|---|---|---|---|---|---|---|"]
    for r in result["table"]:
        status = r["status"] + (f" (by {r['dominated_by']})" if r["dominated_by"] else "")
        lines.append(f"| {r['option']} | {r['cost']:,.0f} ({r['cost_low']:,.0f} to {r['cost_high']:,.0f}) | "
                     f"{r['qalys']:.4f} ({r['qalys_low']:.4f} to {r['qalys_high']:.4f}) | {status} | "
                     f"{'' if r['incremental_cost'] is None else format(r['incremental_cost'], ',.1f')} | "
                     f"{'' if r['incremental_qalys'] is None else format(r['incremental_qalys'], '.5f')} | "
                     f"{_money(r['icer'])} |")
    lines += ["", "## The decision", ""] + [f"- {d['text']}" for d in result["decisions"]]
    lines += ["", "## The value of further research", "",
              f"Population: {settings.people_per_year:,} people a year for {settings.years} years, discounted at "
              f"{settings.discount_rate:.1%} a year ({result['population_factor']:,.0f} discounted patient-years).",
              "", "| threshold | parameter group | EVPPI per patient-year (SE) | population EVPPI |",
              "|---|---|---|---|"]
    for g in result["evppi"]:
        lines.append(f"| {g['threshold']:,.0f} | {g['group']} ({', '.join(g['parameters'])}) | "
                     f"{g['evppi_per_person']:,.2f} ({g['standard_error']:,.2f}) | {g['evppi_population']:,.0f} |")
    if result["budget_impact"]:
        lines += _budget_lines(result, settings)
    return "\n".join(lines) + "\n"


def write_decision(out, options, result, about, settings):
    """Every decision file into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "options.csv", lambda p: pd.DataFrame(result["table"]).to_csv(p, index=False))
    write_atomic(out / "curves.csv", lambda p: curves_frame(result).to_csv(p, index=False))
    write_atomic(out / "evppi.csv", lambda p: pd.DataFrame(result["evppi"]).assign(
        parameters=lambda f: f["parameters"].str.join(" ")).to_csv(p, index=False))
    money = _currency(out)
    plot_plane(options, result, out / "plane.png", money)
    plot_acceptability(result, out / "acceptability.png", money)
    plot_expected_loss(result, out / "expected_loss.png", money)
    plot_evpi(result, out / "evpi.png", money)
    plot_evppi(result, out / "evppi.png", money)
    if result["budget_impact"]:
        write_atomic(out / "budget_impact.csv", lambda p: pd.DataFrame(result["budget_impact"]).to_csv(p, index=False))
        plot_budget(result, out / "budget_impact.png", money)
    write_atomic(out / "decision.md", lambda p: p.write_text(markdown(result, about, settings)))
    plain = {k: v for k, v in result.items() if k not in ("curves", "budget_impact")}
    write_json(out / "decision.json", plain)
