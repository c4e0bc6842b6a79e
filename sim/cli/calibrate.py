"""Calibration with Optuna against published targets: `python -m sim.calibrate [key=value ...]`.

The calibration is configured through Hydra (`conf/calibrate.yaml`, any key
overridable on the command line): which parameters to search and in what
ranges, the model each evaluation runs (an emulated CORE trial inside one care
system, whose service also gives the base rates), and the targets with their
tolerances. Every evaluation runs on the same seeds, so the loss is a
deterministic function of the parameters. The Optuna study lives in an sqlite
file: re-running continues it up to `trials`. `--apply` writes the best values
into `conf/` with a comment naming the study and trial; `--validate` writes the
validation table (each target, its source, the simulated value with its 95%
interval over simulated trials, and whether it falls inside the published
interval) for the current `conf/`.
"""

import argparse
import json
import math
import re
import sys
from pathlib import Path

import pandas as pd
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.analysis import exact
from sim.analysis.trials import per_trial
from sim.cli.preflight import check_command_line, load_config
from sim.config.schema import Config
from sim.errors import ConfigError
from sim.experiment.replications import run_experiment
from sim.outputs.atomic import write_atomic, write_json
from sim.paths import CHECKOUT, CONF

ROOT = CHECKOUT


def load_settings(overrides):
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        settings = OmegaConf.to_container(compose("calibrate", overrides=overrides))
    for key, bounds in settings["parameters"].items():
        if not (isinstance(bounds, list) and len(bounds) == 2 and bounds[0] < bounds[1]):
            raise ConfigError(f"calibrate parameters.{key} = {bounds!r}: must be [low, high] with low < high")
        for bound in bounds:
            try:
                check_command_line([*settings["model_overrides"], f"{key}={float(bound)!r}"])
            except ConfigError as err:
                raise ConfigError(f"calibrate parameters.{key} = {bounds!r}: {err}") from None
    check_command_line(settings["model_overrides"])
    return settings


def simulate(model_overrides, values=None):
    """The per-trial results table of the model with these parameter values."""
    overrides = [*model_overrides, *(f"{key}={value!r}" for key, value in (values or {}).items())]
    return run_experiment(load_config(overrides), progress=False)


def loss(settings, table):
    simulated = per_trial(table)
    total = 0.0
    for name, target in settings["targets"].items():
        if target["tolerance"] is not None:
            total += ((exact.mean(simulated[name].dropna()) - target["value"]) / target["tolerance"]) ** 2
    return total


def search(settings):
    import optuna

    storage = ROOT / settings["storage"]
    storage.parent.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name=settings["name"], storage=f"sqlite:///{storage}", load_if_exists=True,
                                direction="minimize")
    done = len([t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE])
    # seeded, and offset by the trials already done so a resumed study does not repeat its first samples
    study.sampler = optuna.samplers.TPESampler(seed=settings["seed"] + done)

    def objective(trial):
        values = {key: trial.suggest_float(key, *bounds) for key, bounds in settings["parameters"].items()}
        table = simulate(settings["model_overrides"], values)
        for name, column in per_trial(table).items():
            trial.set_user_attr(name, exact.mean(column.dropna()) if name != "odds_ratio" else float(column.median()))
        value = loss(settings, table)
        print(f"trial {trial.number}: loss {value:.3f} at {values}", flush=True)
        return value

    if done < settings["trials"]:
        study.optimize(objective, n_trials=settings["trials"] - done)
    report(settings, study)
    return study


def report(settings, study):
    """Loss history and fitted vs target into `out`; the figure of the loss history."""
    out = ROOT / settings["out"]
    out.mkdir(parents=True, exist_ok=True)
    rows = [{"trial": t.number, "loss": t.value, **t.params, **t.user_attrs} for t in study.trials
            if t.value is not None]
    history = pd.DataFrame(rows).sort_values("trial")
    history["best_so_far"] = history["loss"].cummin()
    write_atomic(out / "loss_history.csv", lambda p: history.to_csv(p, index=False))
    best = study.best_trial
    fitted = [{"target": name, "published": target["value"], "fitted": best.user_attrs[name],
               "tolerance": target["tolerance"], "source": target["source"]}
              for name, target in settings["targets"].items()]
    write_atomic(out / "fitted_vs_target.csv", lambda p: pd.DataFrame(fitted).to_csv(p, index=False))
    write_json(out / "best.json", {"study": settings["name"], "storage": settings["storage"], "trial": best.number,
                                    "loss": best.value, "parameters": best.params,
                                    "model_overrides": settings["model_overrides"]})
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(history["trial"], history["loss"], "o", ms=3, color="grey", label="trial")
    ax.plot(history["trial"], history["best_so_far"], color="C0", label="best so far")
    ax.set_yscale("log")
    ax.set_xlabel("Optuna trial")
    ax.set_ylabel("loss (sum of squared standardised errors)")
    ax.set_title(f"calibration {settings['name']}", fontsize=10)
    ax.legend()
    fig.tight_layout()
    write_atomic(out / "loss_history.png", lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)
    print(f"best: trial {best.number}, loss {best.value:.3f}, {best.params}")


def apply(settings, conf=CONF):
    """Write the best values into the default files of `conf`, each with a comment naming the study and trial."""
    best = json.loads((ROOT / settings["out"] / "best.json").read_text())
    overrides = dict(o.split("=", 1) for o in settings["model_overrides"])
    for key, value in best["parameters"].items():
        group, name = key.split(".", 1)
        path = Path(conf) / group / f"{overrides.get(group, 'default')}.yaml"
        text = path.read_text()
        line = re.compile(rf"^{re.escape(name)}:[^\n]*$", re.M)
        found = line.search(text)
        if not found:
            raise ConfigError(f"{path}: no line for {name} to calibrate")
        schema = Config.__dataclass_fields__[group].type.__dataclass_fields__[name]
        comment = (f"{schema.metadata['unit']}; calibrated: {settings['out']} "
                   f"(Optuna study {best['study']}, trial {best['trial']})")
        text = text[:found.start()] + f"{name}: {round(value, 4)!r}  # {comment}" + text[found.end():]
        path.write_text(text)
        print(f"{path}: {name} = {round(value, 4)!r}")


def validate_table(settings):
    """The validation table at the current conf/: simulated mean and 95% interval over simulated trials."""
    overrides = [o for o in settings["model_overrides"] if not o.startswith("replications=")]
    table = simulate([*overrides, f"replications={settings['validation_trials']}"])
    rows = []
    for name, column in per_trial(table).items():
        target = settings["targets"][name]
        centre = float(column.median()) if name == "odds_ratio" else exact.mean(column.dropna())
        low, high = (float(column.quantile(q)) for q in (0.025, 0.975))
        rows.append({"target": name, "source": target["source"], "published": target["value"],
                     "published_low": target["low"], "published_high": target["high"], "simulated": centre,
                     "simulated_low": low, "simulated_high": high,
                     "inside": bool(target["low"] <= centre <= target["high"])})
    power = exact.share(table["p_value"] < 0.05)
    out = ROOT / settings["out"]
    out.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows)
    write_atomic(out / "validation.csv", lambda p: frame.to_csv(p, index=False))
    lines = ["| target | source | published (interval) | simulated (95% of simulated trials) | inside |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r['target']}` | {r['source']} | {_num(r['published'])} ({_num(r['published_low'])}–"
                     f"{_num(r['published_high'])}) | {_num(r['simulated'])} ({_num(r['simulated_low'])}–"
                     f"{_num(r['simulated_high'])}) | {'yes' if r['inside'] else 'no'} |")
    lines.append(f"\nPower of the emulated CORE trial (share of {len(table)} simulated trials with p < 0.05): "
                 f"{power:.2f}.")
    write_atomic(out / "validation.md", lambda p: p.write_text("\n".join(lines) + "\n"))
    print("\n".join(lines))
    return frame, power


def _num(x):
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3g}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="conf/calibrate.yaml overrides, e.g. trials=60")
    parser.add_argument("--apply", action="store_true", help="write the best values into conf/")
    parser.add_argument("--validate", action="store_true", help="the validation table at the current conf/")
    args = parser.parse_intermixed_args(argv)
    try:
        settings = load_settings(args.overrides)
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        sys.exit(2)
    if args.apply:
        apply(settings)
    elif args.validate:
        validate_table(settings)
    else:
        search(settings)
