"""The calibration's diagnostics: generations (tolerance, evaluations, acceptance, effective sample size),
the posterior's marginals and pairs, and fitted against target with posterior predictive intervals."""

import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.posterior import weighted_quantile
from sim.calibration.sampler import task_seed
from sim.config.posterior import WEIGHT, pick_with
from sim.outputs.atomic import write_atomic

PREDICTIVE = -2  # the task-seed "generation" of the predictive simulations (pyabc's own start at -1)


def generations(history, last):
    """One row per generation up to `last`: its tolerance, evaluations, acceptance rate and effective sample
    size. The calibration sample (pyabc's t = -1: prior draws that set the first tolerance) is not a row."""
    populations = history.get_all_populations()
    populations = populations[(populations["t"] >= 0) & (populations["t"] <= last)].sort_values("t")
    rows = []
    for row in populations.itertuples():
        _, w = history.get_distribution(m=0, t=int(row.t))
        ess = math.fsum(w) ** 2 / math.fsum(np.asarray(w) ** 2)
        rows.append({"generation": int(row.t), "epsilon": float(row.epsilon), "evaluations": int(row.samples),
                     "particles": len(w), "acceptance": len(w) / int(row.samples), "effective_sample_size": ess,
                     "finished": str(row.population_end_time)})
    return pd.DataFrame(rows)


def summary(frame, settings):
    """Per calibrated key: its prior and the posterior's weighted mean, sd and 2.5/50/97.5% quantiles."""
    w = frame[WEIGHT].to_numpy()
    rows = []
    for key, spec in settings["priors"].items():
        x = frame[key].to_numpy()
        mean = math.fsum(w * x) / math.fsum(w)
        sd = math.sqrt(math.fsum(w * (x - mean) ** 2) / math.fsum(w))
        described = ", ".join(f"{k} {v}" for k, v in spec.items() if k not in ("distribution", "source"))
        rows.append({"key": key, "prior": f"{spec['distribution']} ({described})", "mean": mean, "sd": sd,
                     **{f"q{int(q * 1000) / 10:g}": weighted_quantile(x, w, q) for q in (0.025, 0.5, 0.975)},
                     "prior_source": spec["source"]})
    return pd.DataFrame(rows)


def predictive(settings, frame, map_, simulator, draws=None):
    """Fresh simulations at particles picked by weight: one row per draw (particle, seed, every statistic)."""
    draws = draws or settings["predictive_draws"]
    tasks = []
    for i in range(draws):
        rng = np.random.default_rng(task_seed(settings["seed"], PREDICTIVE, i))
        particle = pick_with(frame, rng)
        values = {key: float(particle[key]) for key in frame.columns if key != WEIGHT}
        tasks.append((int(particle.name), values, int(rng.integers(2 ** 31 - 1))))
    results = map_(_Predict(simulator), tasks)
    return pd.DataFrame([{"particle": p, "seed": s, **stats} for (p, _, s), stats in zip(tasks, results,
                                                                                         strict=True)])


class _Predict:
    def __init__(self, simulator):
        self.simulator = simulator

    def __call__(self, task):
        _, values, seed = task
        return self.simulator.run(values, seed)


def fitted_vs_target(settings, draws):
    """Each target beside the posterior predictive median and 95% interval of its statistic."""
    rows = []
    for name, target in settings["targets"].items():
        x = draws[name].dropna().to_numpy()
        low, mid, high = (float(np.quantile(x, q)) for q in (0.025, 0.5, 0.975))
        rows.append({"target": name, "published": target["value"], "sd": target["sd"], "predictive_median": mid,
                     "predictive_low": low, "predictive_high": high, "inside": bool(low <= target["value"] <= high),
                     "source": target["source"]})
    return pd.DataFrame(rows)


def fitted_markdown(fitted):
    lines = ["| target (fitted) | published | posterior predictive median (95% interval) | inside | source |",
             "|---|---|---|---|---|"]
    for r in fitted.itertuples():
        lines.append(f"| `{r.target}` | {r.published:.3g} | {r.predictive_median:.3g} ({r.predictive_low:.3g}–"
                     f"{r.predictive_high:.3g}) | {'yes' if r.inside else 'no'} | {r.source} |")
    return "\n".join(lines) + "\n"


def _wrapped(key):
    """A key's last part broken after underscores into short lines, to fit beside a small panel."""
    return textwrap.fill(key.split(".")[-1].replace("_", "_ "), 18).replace("_ ", "_")


def figures(out, frame, settings, generations_table):
    """posterior_pairs.png (weighted marginals on the diagonal, particles below it) and generations.png. The
    pairs' panels share each column's x axis and each row's y axis, so only the outer ones carry tick labels,
    few and large enough to read when the figure is shrunk to a page; each diagonal's weight axis is on its
    right, in the empty upper triangle."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    keys = list(settings["priors"])
    d = len(keys)
    w = frame[WEIGHT].to_numpy()
    fig, axes = plt.subplots(d, d, figsize=(1.3 * d, 1.3 * d), sharex="col", squeeze=False)
    for i, yk in enumerate(keys):
        for j, xk in enumerate(keys):
            ax = axes[i][j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                ax.hist(frame[xk], bins=20, weights=w, color="C0")
                ax.yaxis.tick_right()
                ax.yaxis.set_label_position("right")
                ax.set_ylabel("weight", fontsize=8)
            else:
                if j:
                    ax.sharey(axes[i][0])
                ax.scatter(frame[xk], frame[yk], s=4 + 400 * w, alpha=0.5, color="C0", linewidths=0)
                ax.tick_params(labelleft=j == 0)
            ax.xaxis.set_major_locator(MaxNLocator(2))
            ax.yaxis.set_major_locator(MaxNLocator(3))
            ax.tick_params(labelsize=7)
            if i == d - 1:
                ax.set_xlabel(_wrapped(xk), fontsize=8)
            if j == 0 and i > 0:
                ax.set_ylabel(_wrapped(yk), fontsize=8)
    fig.suptitle(f"posterior: {len(frame)} particles below the diagonal, marker area grows with the particle's "
                 "weight;\ndiagonal: weighted marginals (share of the posterior weight in each bin)", fontsize=12)
    fig.subplots_adjust(left=0.09, right=0.95, bottom=0.09, top=0.93, wspace=0.15, hspace=0.15)
    write_atomic(Path(out) / "posterior_pairs.png", lambda p: fig.savefig(p, dpi=100, format="png"))
    plt.close(fig)
    fig, ax = plt.subplots(1, 2, figsize=(8, 3))
    ax[0].plot(generations_table["generation"], generations_table["epsilon"], "o-")
    ax[0].set_xlabel("generation")
    ax[0].set_ylabel("tolerance (standardised distance)")
    ax[1].plot(generations_table["generation"], generations_table["acceptance"], "o-",
               label="acceptance (accepted / evaluations)")
    ax[1].plot(generations_table["generation"],
               generations_table["effective_sample_size"] / generations_table["particles"], "s-",
               label="ESS / particles")
    ax[1].set_xlabel("generation")
    ax[1].set_ylabel("share (0-1)")
    ax[1].set_ylim(0, 1.05)
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    write_atomic(Path(out) / "generations.png", lambda p: fig.savefig(p, dpi=100, format="png"))
    plt.close(fig)
