"""One calibration evaluation: a parameter set in, the summary statistics of one simulated care system out.

Each evaluation runs the model of `model_overrides` (an emulated CORE trial inside one care system, whose
service also gives the base rates) once, on a seed drawn from the task's seeded generator: one simulated
trial of the published trial's size, so its sampling noise is that of the published estimate and ABC
compares like with like (no averaging over replications, which would compare a mean with a single trial).
"""

import copy
import math

import numpy as np
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.analysis.history import readmission_by_history
from sim.analysis.outcomes import mean_occupancy
from sim.cli.preflight import register
from sim.config import posterior
from sim.config.posterior import pick
from sim.config.schema import validate
from sim.engines.model import CareSystemModel
from sim.experiment.trial import trial_outcomes
from sim.model.population import make_population
from sim.model.streams import replication_seed
from sim.paths import CONF


def statistics(model):
    """Every summary statistic of a run that a target can name: the emulated trial's row (arm rates, OR, the
    service's readmission within 7, 14, 30 and 90 days), the shares of 30-day readmissions within 7 and 14
    days, the service's mean bed occupancy, and 30- and 365-day readmission after index discharges with no
    ward admission in the year before."""
    row = {key: float(value) for key, value in trial_outcomes(model).items()}
    row["service_occupancy"] = mean_occupancy(model)
    for days in (7, 14):
        row[f"service_share_of_30_day_within_{days}"] = (row[f"service_readmission_{days}"]
                                                         / row["service_readmission_30"])
    first = readmission_by_history(model.patients, model.n_days)["0"]
    for days in (30, 365):
        row[f"no_recent_admission_readmission_{days}"] = (first[f"readmitted_{days}"] / first["n"]
                                                          if first["n"] else math.nan)
    return row


class Simulator:
    """pyabc's model: {config key: value} -> statistics. Composes the base config once per process.

    With a shared posterior (a setting's base rates fitted on top of it), each evaluation also takes the keys
    it is not fitting from one particle of that posterior, picked by weight with the task's seeded generator:
    the fitted base rates are those that match the targets whatever the shared mechanism's value."""

    def __init__(self, model_overrides, shared=None):
        self.model_overrides = list(model_overrides)
        self.shared = shared
        self._base = None

    def __getstate__(self):
        return {"model_overrides": self.model_overrides, "shared": self.shared}

    def __setstate__(self, state):
        self.__init__(state["model_overrides"], state["shared"])

    def config(self, values, seed):
        """The validated config with these values and seed (interpolations such as the post-crisis-team
        hazard, which follows the post-discharge one, resolve after the values are set)."""
        if self._base is None:
            register()
            with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
                self._base = compose("config", overrides=self.model_overrides)
        cfg = copy.deepcopy(self._base)
        for key, value in values.items():
            OmegaConf.update(cfg, key, float(value))
        OmegaConf.update(cfg, "seed", int(seed))
        return validate(cfg)

    def run(self, values, seed):
        cfg = self.config(values, seed)
        population = make_population(cfg, replication_seed(cfg.seed, 0))
        return statistics(CareSystemModel(cfg, cfg.program, 0, None, population, agent_views=False).run())

    def __call__(self, parameter):
        """pyabc calls this inside a seeded task: the run's seed (and the shared particle) come from that
        task's generator."""
        values = dict(parameter)
        if self.shared:
            frame, _ = posterior.load(self.shared)
            particle = pick(frame, (int(np.random.randint(2 ** 53, dtype=np.int64)) + 0.5) / 2 ** 53)
            values = {**{k: float(v) for k, v in particle.items() if k != posterior.WEIGHT}, **values}
        return self.run(values, int(np.random.randint(2 ** 31 - 1)))
