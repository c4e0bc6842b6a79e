"""ABC-SMC with pyabc: run, and resume from the generations already stored in the database.

Priors, targets and the model come from `conf/calibrate.yaml`. The distance is the Euclidean distance of the
statistics from their targets, each standardised by its target's sd (the binomial standard error of a
trial arm's rate, or the stated uncertainty of a service rate), so each target counts in its own unit.
The database holds every finished generation; re-running the same settings continues after the last one
(a generation cut short is made again, identically), and a database made with other settings is refused.
"""

import json
import math
from pathlib import Path

import pyabc

from sim.calibration.cluster import evaluation_map
from sim.calibration.sampler import SeededMappingSampler
from sim.calibration.settings import prior
from sim.calibration.simulator import Simulator
from sim.calibration.transition import ExactNormalTransition
from sim.config.read_back import read_json
from sim.errors import ConfigError
from sim.paths import CHECKOUT

# what a stored calibration must share
RUN = ("seed", "particles", "model_overrides", "priors", "targets", "fit", "shared_posterior")


class StandardisedDistance:
    """sqrt(sum over targets of ((simulated - target) / sd)^2); infinite if a statistic is missing."""

    def __init__(self, targets):
        self.sd = {name: float(t["sd"]) for name, t in targets.items()}

    def __call__(self, simulated, observed):
        terms = [((simulated[name] - observed[name]) / sd) ** 2 for name, sd in self.sd.items()]
        return math.sqrt(math.fsum(terms)) if all(math.isfinite(t) for t in terms) else math.inf


def observed(settings):
    return {name: float(t["value"]) for name, t in settings["targets"].items()}


def abc_smc(settings, map_=map):
    priors = pyabc.Distribution(**{key: _random_variable(spec) for key, spec in settings["priors"].items()})
    shared = settings["shared_posterior"] if settings["fit"] == "base_rates" else None
    return pyabc.ABCSMC(Simulator(settings["model_overrides"], shared), priors,
                        StandardisedDistance(settings["targets"]), population_size=settings["particles"],
                        transitions=ExactNormalTransition(),
                        sampler=SeededMappingSampler(map_, settings["seed"]))


def _random_variable(spec):
    dist = prior(spec)
    return pyabc.RV(dist.dist.name, *dist.args, **dist.kwds)


def database(settings):
    return CHECKOUT / settings["db"]


def _fingerprint(settings):
    return {key: settings[key] for key in RUN}


def stored_generations(settings):
    """Finished generations in the database (0 if there is none); refuses a database of other settings."""
    db = database(settings)
    sidecar = db.with_suffix(".settings.json")
    where = f"calibrate db = {settings['db']}"
    if not db.exists():
        return 0
    if not db.is_file():
        raise ConfigError(f"{where}: is a folder, not a database")
    if not sidecar.exists():
        raise ConfigError(f"{where}: no {sidecar.name} beside it, so not a database this command made; move it "
                          "away or give another db to start afresh")
    if read_json(sidecar) != _fingerprint(settings):
        raise ConfigError(f"{where}: made with other settings ({sidecar.name} differs); move it away or give "
                          "another db to start afresh")
    try:
        return pyabc.History(f"sqlite:///{db}").n_populations
    except Exception as err:  # noqa: BLE001 (SQLAlchemy's errors for a file that is not an SQLite database)
        raise ConfigError(f"{where}: not a readable pyabc database ({' '.join(str(err).split())[:200]})") from None


def run(settings):
    """Run or resume; returns the pyabc History."""
    db = database(settings)
    done = stored_generations(settings)
    if done == 0:
        for stale in (db, db.with_suffix(".settings.json")):
            stale.unlink(missing_ok=True)  # a run stopped before its first generation: start afresh
    db.parent.mkdir(parents=True, exist_ok=True)
    with evaluation_map(settings) as map_:
        abc = abc_smc(settings, map_)
        if done:
            abc.load(f"sqlite:///{db}", 1)
        else:
            abc.new(f"sqlite:///{db}", observed(settings))
            Path(db.with_suffix(".settings.json")).write_text(json.dumps(_fingerprint(settings), indent=1))
        left = settings["generations"] - done
        if left > 0 and abc.history.total_nr_simulations < settings["max_simulations"]:
            abc.run(max_nr_populations=left, max_total_nr_simulations=settings["max_simulations"],
                    minimum_epsilon=settings["min_epsilon"])
    return pyabc.History(f"sqlite:///{db}")
