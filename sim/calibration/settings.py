"""`conf/calibrate.yaml`, composed by Hydra (any key overridable on the command line) and checked before any
simulation: every prior names a float config key of the calibrated model and stays inside its range, every
target names a statistic the simulator reports and has a positive sd."""

from hydra import compose, initialize_config_dir
from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException
from scipy import stats

from sim.cli.preflight import check_command_line, load_config
from sim.config.psa import _bounds, _lookup
from sim.errors import ConfigError
from sim.paths import CONF

PRIORS = ("uniform", "lognormal", "beta")
STATISTICS = ("service_readmission_30", "service_share_of_30_day_within_7", "service_share_of_30_day_within_14",
              "no_recent_admission_readmission_30", "no_recent_admission_readmission_365", "control_rate",
              "intervention_rate", "odds_ratio")
CLUSTERS = ("local", "slurm")
TAIL = 1e-4  # a prior may put at most this mass outside its key's range (at either end)


def prior(spec):
    """The frozen scipy distribution of a prior entry."""
    kind = spec["distribution"]
    if kind == "uniform":
        return stats.uniform(spec["low"], spec["high"] - spec["low"])
    if kind == "lognormal":
        return stats.lognorm(spec["sd_log"], scale=spec["median"])
    return stats.beta(spec["a"], spec["b"])


NEEDS = {"uniform": ("low", "high"), "lognormal": ("median", "sd_log"), "beta": ("a", "b")}


def _check_prior(cfg, key, spec):
    where = f"calibrate priors.{key}"
    if not isinstance(spec, dict) or spec.get("distribution") not in PRIORS:
        raise ConfigError(f"{where}: needs distribution, one of {', '.join(PRIORS)}")
    missing = [name for name in (*NEEDS[spec["distribution"]], "source") if spec.get(name) is None]
    if missing:
        raise ConfigError(f"{where}: a {spec['distribution']} prior needs {', '.join(missing)}")
    try:
        value, meta = _lookup(cfg, key)
    except ConfigError:
        raise ConfigError(f"{where}: {key} is not a config key of the calibrated model") from None
    if not isinstance(value, float):
        raise ConfigError(f"{where}: {key} = {value!r} is not a real-valued parameter")
    if spec["distribution"] == "uniform" and not spec["low"] < spec["high"]:
        raise ConfigError(f"{where}: low {spec['low']} must be below high {spec['high']}")
    if any(spec[name] <= 0 for name in NEEDS[spec["distribution"]] if name not in ("low", "high")):
        raise ConfigError(f"{where}: {' and '.join(NEEDS[spec['distribution']])} must be > 0")
    lo, hi = _bounds(meta)
    dist = prior(spec)
    if dist.cdf(lo) > TAIL or dist.sf(hi) > TAIL:
        raise ConfigError(f"{where}: the prior reaches outside the key's range [{lo}, {hi}]")


def load_settings(overrides=()):
    """The checked settings, as plain containers."""
    try:
        with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
            settings = OmegaConf.to_container(compose("calibrate", overrides=list(overrides)), resolve=True)
    except (HydraException, OmegaConfBaseException, ValueError) as err:
        raise ConfigError(f"calibrate: {err}") from None
    groups = settings.get("priors")
    if not isinstance(groups, dict) or not all(isinstance(entries, dict) for entries in groups.values()):
        raise ConfigError("calibrate priors: a mapping of config group to {key: prior}")
    settings["priors"] = {f"{group}.{key}": spec for group, entries in settings["priors"].items()
                          for key, spec in entries.items()}
    check_command_line(settings["model_overrides"])
    cfg = load_config(settings["model_overrides"])
    if cfg.replications != 1 or cfg.trial.kind == "none":
        raise ConfigError("calibrate model_overrides: one emulated trial per evaluation (trial=..., "
                          "replications=1)")
    for key, spec in settings["priors"].items():
        _check_prior(cfg, key, spec)
    for name, target in settings["targets"].items():
        if name not in STATISTICS:
            raise ConfigError(f"calibrate targets.{name}: not a statistic of the simulator ({', '.join(STATISTICS)})")
        if not (isinstance(target.get("sd"), (int, float)) and target["sd"] > 0) or target.get("value") is None:
            raise ConfigError(f"calibrate targets.{name}: needs value and sd > 0")
        if not target.get("source"):
            raise ConfigError(f"calibrate targets.{name}: needs a source")
    if settings["cluster"] not in CLUSTERS:
        raise ConfigError(f"calibrate cluster = {settings['cluster']!r}: one of {', '.join(CLUSTERS)}")
    for key in ("particles", "generations", "max_simulations", "predictive_draws"):
        if not (isinstance(settings[key], int) and settings[key] >= 1):
            raise ConfigError(f"calibrate {key} = {settings[key]!r}: a whole number >= 1")
    if not (isinstance(settings["workers"], int) and settings["workers"] >= 0):
        raise ConfigError(f"calibrate workers = {settings['workers']!r}: a whole number >= 0 (0 = every core)")
    return settings
