"""The figures of a deterministic analysis: the tornado diagram and the two-way grid of net benefit."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim.outputs.atomic import write_atomic  # noqa: E402


def _save(fig, path):
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)


def _end_label(ax, text, nmb, k, base):
    """A label just outside a bar's end, on the side of the base it lies."""
    left = nmb < base
    ax.annotate(text, (nmb, k), ha="right" if left else "left", va="center", fontsize=7,
                xytext=(-3 if left else 3, 0), textcoords="offset points")


def plot_tornado(tornado, base, cfg, path):
    """One bar per parameter from its low to its high end's net benefit, widest on top, around the base. Each
    end's value is written at that end; where the ends lie on one side of the base or close together, the two
    labels would overlap, so one "low / high" label goes at the outer end."""
    rows = tornado.iloc[::-1]
    y = np.arange(len(rows))
    money = cfg.costs.currency
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.8))
    for k, row in enumerate(rows.itertuples()):
        ax.barh(k, row.nmb_low - base, left=base, color="C0", height=0.6, label="low end" if k == 0 else None)
        ax.barh(k, row.nmb_high - base, left=base, color="C1", height=0.6, label="high end" if k == 0 else None)
        if (row.nmb_low < base) == (row.nmb_high < base) or row.swing < 0.05 * rows.swing.max():
            outer = max(row.nmb_low, row.nmb_high, key=lambda nmb: abs(nmb - base))
            _end_label(ax, f"{row.low:g} / {row.high:g}", outer, k, base)
        else:
            _end_label(ax, f"{row.low:g}", row.nmb_low, k, base)
            _end_label(ax, f"{row.high:g}", row.nmb_high, k, base)
    ax.set_yticks(y, rows.parameter, fontsize=8)
    ax.axvline(base, color="black", lw=0.8)
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_xlabel(f"net monetary benefit per patient-year ({money}) at {cfg.economics.threshold:,.0f} {money} "
                  "per QALY")
    ax.set_title(f"{cfg.program.name} against usual care: one-way ranges (base {base:,.1f} {money})")
    ax.legend(fontsize=7)
    _save(fig, path)


def plot_two_way(grid, keys, cfg, path):
    """Net benefit over the pair's grid, with the line where it is zero (the decision changes)."""
    a, b = keys
    xs, ys = np.unique(grid[a]), np.unique(grid[b])
    z = grid.pivot(index=b, columns=a, values="nmb").loc[ys, xs].to_numpy()
    fig, ax = plt.subplots(figsize=(6.5, 5))
    limit = float(np.max(np.abs(z))) or 1.0
    mesh = ax.pcolormesh(xs, ys, z, cmap="RdBu", vmin=-limit, vmax=limit, shading="nearest")
    fig.colorbar(mesh, label=f"net monetary benefit per patient-year ({cfg.costs.currency})")
    if z.min() < 0 < z.max():
        ax.contour(xs, ys, z, levels=[0.0], colors="black", linewidths=1.5)
        ax.plot([], [], color="black", lw=1.5, label="break-even: net monetary benefit 0")  # the contour's key
        ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.08), frameon=False)
    ax.set_xlabel(a)
    ax.set_ylabel(b)
    ax.set_title(f"{cfg.program.name}: cost-effective (blue) at {cfg.economics.threshold:,.0f} {cfg.costs.currency} "
                 "per QALY")
    _save(fig, path)
