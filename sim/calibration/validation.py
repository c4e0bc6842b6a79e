"""Posterior predictive validation against evidence not used in fitting (`conf/validation.yaml`).

Each validation trial is emulated over parameter sets drawn jointly from the posterior, one simulated trial
per draw, so each 95% predictive interval holds parameter uncertainty and the trial's own sampling noise.
The engagement target is read off the posterior's dropout rate through the model's own rule (a daily
probability of disengaging), with the binomial noise of the published count.
"""


from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from sim.analysis import exact
from sim.calibration.sampler import task_seed
from sim.calibration.settings import composed
from sim.cli.preflight import load_config
from sim.config import posterior
from sim.config.strict import Count, Seed, Strict, Text, checked
from sim.config.study import Override
from sim.errors import ConfigError
from sim.experiment.replications import run_experiment
from sim.experiment.workers import worker_count

DROPOUT = "program.disengagement_per_day"
NO_CLEAR_EFFECT = "no_clear_effect"  # published: the pooled effect's CI includes 1 (here p >= 0.05)


class Target(Strict):
    value: float
    source: Text


class Trial(Strict):
    fitted: bool = False
    overrides: Annotated[list[Override], Field(min_length=1)]
    targets: Annotated[dict[Text, Target], Field(min_length=1)]


class Engagement(Strict):
    engaged_at_30: Count
    engaged_at_90: Annotated[int, Field(ge=0)]
    source: Text

    @model_validator(mode="after")
    def _retained(self):
        if self.engaged_at_90 > self.engaged_at_30:
            raise ValueError(f"engaged_at_90 {self.engaged_at_90} exceeds engaged_at_30 {self.engaged_at_30}")
        return self


class Settings(Strict):
    """conf/validation.yaml: every key, its type and range."""

    posterior: Text
    out: Text
    draws: Annotated[int, Field(ge=2)]
    jobs: Annotated[int, Field(ge=0)]
    seed: Seed
    trials: Annotated[dict[Text, Trial], Field(min_length=1)]
    engagement: dict[Text, Engagement] = {}


def load_validation(overrides=()):
    """The checked settings: the schema, the posterior, and every trial's config composed, before any work."""
    settings = composed("validation", overrides)
    checked(Settings, settings, "validation")
    settings.setdefault("engagement", {})
    frame, _ = posterior.load(settings["posterior"])
    if settings["engagement"] and DROPOUT not in frame:
        raise ConfigError(f"validation engagement: the posterior has no {DROPOUT} column")
    for name, spec in settings["trials"].items():
        try:
            trial_config(settings, spec)
        except ConfigError as err:
            raise ConfigError(f"validation trials.{name}: {err}") from None
    return settings


def trial_config(settings, spec):
    """The config of a validation trial: its overrides, drawn from the posterior."""
    return load_config([*spec["overrides"], "psa=none", f"psa.posterior={settings['posterior']}",
                        f"psa.draws={settings['draws']}", "replications=1", f"seed={settings['seed']}"])


def trial_table(settings, name, spec):
    cfg = trial_config(settings, spec)
    return run_experiment(cfg, progress=False, jobs=worker_count(settings["jobs"], settings["draws"], False)), cfg


def _interval(x):
    x = pd.Series(x).dropna()
    return float(x.quantile(0.025)), float(x.median()), float(x.quantile(0.975))


def trial_rows(settings, name, spec):
    table, cfg = trial_table(settings, name, spec)
    rows = []
    for statistic, target in spec["targets"].items():
        row = {"target": f"{name}: {statistic}", "source": target["source"], "published": target["value"],
               "fitted": "yes" if spec.get("fitted") else "no", "draws": int(len(table)),
               "mean_participants": exact.mean(table["participants"].dropna())}
        if statistic == NO_CLEAR_EFFECT:
            share = exact.share(table["p_value"] >= 0.05)
            low, mid, high = _interval(table["odds_ratio"])
            row.update(predicted=f"{share:.0%} of trials find no clear effect; OR {mid:.2f} ({low:.2f}-{high:.2f})",
                       predictive_median=share, predictive_low=None, predictive_high=None, inside=share >= 0.025)
        elif statistic not in table:
            raise ConfigError(f"validation trials.{name}.targets.{statistic}: not a statistic of the emulated "
                              f"trial (it reports: {', '.join(c for c in table.columns if c not in ('draw', 'seed'))})")
        else:
            low, mid, high = _interval(table[statistic])
            row.update(predicted=f"{mid:.3g} ({low:.3g}-{high:.3g})", predictive_median=mid, predictive_low=low,
                       predictive_high=high, inside=bool(low <= target["value"] <= high))
        rows.append(row)
    return rows


def engagement_rows(settings):
    frame, _ = posterior.load(settings["posterior"])
    rows = []
    for name, target in settings["engagement"].items():
        n, kept = int(target["engaged_at_30"]), int(target["engaged_at_90"])
        rng = np.random.default_rng(task_seed(settings["seed"], -1, 0))
        shares = []
        for _ in range(4000):
            d = float(posterior.pick_with(frame, rng)[DROPOUT])
            shares.append(rng.binomial(n, (1.0 - d) ** 60) / n)
        low, mid, high = _interval(shares)
        rows.append({"target": f"engagement: {name}", "source": target["source"], "published": kept / n,
                     "fitted": "no", "draws": len(shares), "mean_participants": n,
                     "predicted": f"{mid:.3g} ({low:.3g}-{high:.3g})", "predictive_median": mid,
                     "predictive_low": low, "predictive_high": high, "inside": bool(low <= kept / n <= high)})
    return rows


def validation_table(settings):
    rows = [row for name, spec in settings["trials"].items() for row in trial_rows(settings, name, spec)]
    return pd.DataFrame([*rows, *engagement_rows(settings)])


def markdown(table):
    lines = ["| target | fitted | published | 95% posterior predictive interval | inside | draws x people "
             "| source |", "|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        published = "no clear effect" if r.target.endswith(NO_CLEAR_EFFECT) else f"{r.published:.3g}"
        lines.append(f"| {r.target} | {r.fitted} | {published} | {r.predicted} | {'yes' if r.inside else '**no**'} | "
                     f"{r.draws} x {r.mean_participants:,.0f} | {r.source} |")
    return "\n".join(lines) + "\n"


