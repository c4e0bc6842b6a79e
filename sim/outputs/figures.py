"""The figures of a run: readmission by arm, the cost-effectiveness plane, survival, occupancy, trials."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter  # noqa: E402

from sim.analysis import exact  # noqa: E402
from sim.analysis.cost_effectiveness import (  # noqa: E402
    acceptability_curve,
    economic_label,
    per_draw_cost_and_qalys,
)
from sim.analysis.statistics import EXPECTED_VALUE, PREDICTION, interval_names, per_draw_effects  # noqa: E402
from sim.analysis.trials import ALPHA  # noqa: E402
from sim.outputs.atomic import write_atomic  # noqa: E402

OR_TICKS = (0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 10)  # plain labels on a log axis: 10^-1 notation overlaps


def plot_readmission(summary, table, path):
    """Left: readmission by window and arm (95% CI). Right: the per-draw effects on the primary outcome
    (per replication without parameter uncertainty), the verdict's interval and the minimal important difference."""
    c = summary["comparison"]
    arms = [c["comparator"], c["intervention"]]
    windows = ["readmission_30", "readmission_90", "readmission_365"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for k, arm in enumerate(arms):
        s = summary["arms"][arm]
        means = [100 * s[w]["mean"] for w in windows]
        errs = [[100 * (s[w]["mean"] - s[w]["ci_low"]) for w in windows],
                [100 * (s[w]["ci_high"] - s[w]["mean"]) for w in windows]]
        left.bar([i + 0.4 * k for i in range(3)], means, 0.4, yerr=errs, capsize=3, label=arm)
    left.set_xticks([i + 0.2 for i in range(3)], ["30 days", "90 days", "365 days"])
    left.set_ylabel("readmitted per discharge (%)")
    left.set_title(f"arm means, {EXPECTED_VALUE}", fontsize=10)
    left.legend()
    _plot_primary_effects(right, summary, table)
    fig.suptitle(f"verdict: {summary['verdict']}")
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png", bbox_inches="tight"))
    plt.close(fig)


def _plot_primary_effects(ax, summary, table):
    """One point per draw (or replication), the mean, the verdict's interval and +-MID."""
    c = summary["comparison"]
    primary = summary["primary_outcome"]
    uncertain = summary["parameter_uncertainty"]
    effects = 100 * per_draw_effects(table, primary, c["intervention"], c["comparator"], uncertain)
    e = summary["effects"][primary]
    mid = 100 * summary["verdict_detail"]["minimal_difference"]
    unit = "parameter draw" if uncertain else "replication"
    ax.plot(range(len(effects)), effects, "o", color="grey", label=unit)
    ax.axhline(100 * e["mean"], color="C1", lw=2.5, zorder=3, label="mean")  # above a -MID line it may meet
    interval = interval_names(uncertain)["effects"]
    ax.axhspan(100 * e["ci_low"], 100 * e["ci_high"], color="C1", alpha=0.2, label=interval)
    ax.axhline(0, color="black", lw=0.8)
    for bound in (-mid, mid):
        ax.axhline(bound, color="C3", ls=":", lw=1.2, zorder=4,  # dotted above the mean, both seen
                   label=f"minimal important difference (±{mid:.2g} pp)" if bound < 0 else None)
    low, high = ax.get_ylim()
    ax.set_ylim(min(low, -1.1 * mid), max(high, 1.1 * mid))  # both MID lines inside the panel
    ax.set_xlabel(unit)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("paired difference (percentage points)")
    ax.set_title(f"{primary}: {c['intervention']} - {c['comparator']}", fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)  # off the points


def plot_cost_effectiveness(summary, table, path):
    """With parameter uncertainty: the cost-effectiveness plane (one point per draw) and the acceptability
    curve. Without it, only the plane of replications, titled Monte Carlo only: their spread is not
    uncertainty about the decision, so it gives no acceptability curve."""
    c = summary["comparison"]
    arms = (c["intervention"], c["comparator"])
    uncertain = summary["parameter_uncertainty"]
    fig, axes = plt.subplots(1, 2 if uncertain else 1, figsize=(10 if uncertain else 6, 4.4), squeeze=False)
    d_cost, d_qaly = per_draw_cost_and_qalys(table, *arms, uncertain)
    _plot_plane(axes[0, 0], summary, d_cost, d_qaly, "parameter draw" if uncertain else "replication")
    if uncertain:
        _plot_acceptability(axes[0, 1], summary, table)
        fig.suptitle(f"economic verdict: {economic_label(summary['economics'])} "
                     "(P: the share of parameter draws on the label's side)", fontsize=11)
    else:
        fig.suptitle("Monte Carlo only: replications at the same parameters\n"
                     "no economic verdict without parameter uncertainty (psa=default)", fontsize=10)
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png", bbox_inches="tight"))
    plt.close(fig)


def _plot_plane(plane, summary, d_cost, d_qaly, unit):
    """Incremental QALYs against incremental cost, the mean and the threshold line."""
    c = summary["comparison"]
    money = summary["currency"]
    plane.scatter(d_qaly, d_cost, s=14, color="C0", label=unit)
    plane.scatter([exact.mean(d_qaly)], [exact.mean(d_cost)], s=60, color="C1", marker="X", label="mean")
    plane.axhline(0, color="black", lw=0.8)
    plane.axvline(0, color="black", lw=0.8)
    span = max(np.abs(d_qaly).max(), 1e-9) * 1.2
    threshold = summary["economics"]["threshold"]
    plane.plot([-span, span], [-span * threshold, span * threshold], "--", color="grey",
               label=f"{threshold:,.0f} {money} per QALY")
    plane.set_xlim(-span, span)
    plane.ticklabel_format(style="plain", useOffset=False)
    plane.xaxis.set_major_locator(MaxNLocator(5))  # plain QALY ticks carry four decimals: few enough to read
    plane.set_xlabel("incremental QALYs per patient-year (discounted)")
    plane.set_ylabel(f"incremental cost per patient-year ({money}, discounted)")
    plane.set_title(f"{c['intervention']} - {c['comparator']}", fontsize=10)
    plane.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, frameon=False)  # off the points


def _plot_acceptability(curve, summary, table):
    """Probability cost-effective over parameter draws at each willingness to pay."""
    c = summary["comparison"]
    threshold = summary["economics"]["threshold"]
    thresholds = np.linspace(0, max(100_000.0, 2 * threshold), 101)
    curve.plot(thresholds, acceptability_curve(table, c["intervention"], c["comparator"], thresholds), color="C0")
    curve.axvline(threshold, color="grey", ls="--")
    curve.set_ylim(-0.02, 1.02)
    curve.set_xlabel(f"willingness to pay ({summary['currency']} per QALY)")
    curve.set_ylabel("probability cost-effective")
    curve.set_title(f"acceptability over {summary['draws']} parameter draws", fontsize=10)


def _plot_by_arm(series_by_arm, path, xlabel, ylabel, title, step):
    """One line per arm of a per-day or per-week series (percentages); the legend beside the lines."""
    fig, ax = plt.subplots(figsize=(7.5, 4))
    for arm, series in series_by_arm.items():
        values = 100 * np.asarray(series, dtype=float)
        if step:
            ax.step(range(len(values)), values, where="post", label=arm)
        else:
            ax.plot(range(len(values)), values, label=arm)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)


def plot_survival(summary, path):
    """Kaplan-Meier share not yet readmitted after the index discharge, per arm (mean of replications)."""
    _plot_by_arm(summary["readmission_free"], path, "days since index discharge", "not yet readmitted (%)",
                 "time to first readmission: Kaplan–Meier per run, mean over runs; no interval shown", step=True)


def plot_occupancy(summary, path):
    """Share of acute beds occupied, weekly mean over the counted period, per arm (mean of replications)."""
    _plot_by_arm(summary["weekly_bed_occupancy"], path, "week of the counted period", "acute beds occupied (%)",
                 "bed occupancy: weekly mean, mean over runs", step=False)


def plain_log_ticks(axis, limits):
    """Odds-ratio ticks written plainly on a log axis (matplotlib's 10^-1 notation overlaps)."""
    inside = [t for t in OR_TICKS if limits[0] <= t <= limits[1]]
    if len(inside) >= 2:  # else a narrow range keeps matplotlib's log ticks, written plainly
        axis.set_ticks(inside)
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def plot_trials(summary, table, path):
    fig, (rates, ors) = plt.subplots(1, 2, figsize=(10, 4))
    rates.scatter(100 * table["control_rate"], 100 * table["intervention_rate"], s=12)
    lim = [0, 100 * max(table["control_rate"].max(), table["intervention_rate"].max()) * 1.1]
    rates.plot(lim, lim, "--", color="grey", label="no effect")
    rates.set_xlabel("control: readmitted within follow-up (%)")
    rates.set_ylabel("intervention: readmitted within follow-up (%)")
    rates.set_title("one point per simulated trial", fontsize=10)
    rates.legend(fontsize=8)
    order = np.argsort(table["odds_ratio"].to_numpy())
    y = np.arange(len(order))
    significant = (table["p_value"].to_numpy() < ALPHA)[order]
    for mask, color, label in ((significant, "C0", "p < 0.05"), (~significant, "grey", "p >= 0.05")):
        ors.errorbar(table["odds_ratio"].to_numpy()[order][mask], y[mask],
                     xerr=[(table["odds_ratio"] - table["or_ci_low"]).to_numpy()[order][mask],
                           (table["or_ci_high"] - table["odds_ratio"]).to_numpy()[order][mask]],
                     fmt="o", ms=3, color=color, lw=0.8, label=label)
    ors.axvline(1, color="black", lw=0.8)
    ors.set_xscale("log")
    plain_log_ticks(ors.xaxis, ors.get_xlim())
    ors.set_xlabel("odds ratio of readmission (each trial's Woolf 95% CI, log scale)")
    ors.set_ylabel("simulated trial (sorted)")
    ors.set_title(f"power {summary['trial']['power']:.2f}", fontsize=10)
    ors.legend(fontsize=8)
    fig.suptitle(summary["trial"]["name"])
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)


def plot_subgroups(subgroups, intervention, currency, threshold, path):
    """A forest plot: the incremental net monetary benefit per patient-year in each subgroup, with the CI of its
    expected value (thick) and, with parameter draws, the prediction interval over draws (thin)."""
    rows = subgroups[subgroups["metric"] == "net_monetary_benefit"].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(rows) + 1.8))
    y = np.arange(len(rows))[::-1]
    mean = rows["difference"]
    if rows["prediction_low"].notna().any():
        ax.errorbar(mean, y, xerr=[mean - rows["prediction_low"], rows["prediction_high"] - mean], fmt="none",
                    ecolor="grey", lw=1, capsize=3, label=PREDICTION)
    ax.errorbar(mean, y, xerr=[mean - rows["mean_ci_low"], rows["mean_ci_high"] - mean], fmt="o", color="C0",
                lw=3, label=EXPECTED_VALUE)
    ax.axvline(0.0, color="grey", lw=0.8)
    ax.set_yticks(y, [f"{a}: {g}" for a, g in zip(rows["attribute"], rows["group"], strict=True)])
    ax.set_xlabel(f"incremental net monetary benefit per patient-year ({currency}, at {threshold:,.0f} {currency} "
                  f"per QALY)\n{intervention} vs usual care")
    ax.ticklabel_format(axis="x", style="plain", useOffset=False)
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False)  # above the plot
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png", bbox_inches="tight"))
    plt.close(fig)
