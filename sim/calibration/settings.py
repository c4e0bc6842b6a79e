"""`conf/calibrate.yaml`, composed by Hydra (any key overridable on the command line) and checked before any
simulation: against its schema (`Settings`: every key typed, priors of a known family with finite parameters,
targets naming a statistic the simulator reports with a finite value and a positive sd), then every prior
against the calibrated model (a real-valued config key, inside its range)."""

from typing import Annotated, Literal

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf
from pydantic import Field, model_validator
from scipy import stats

from sim.cli.preflight import check_command_line, load_config
from sim.config import posterior
from sim.config.psa import _bounds, _lookup
from sim.config.strict import Count, Seed, Strict, Text, checked
from sim.config.study import Override
from sim.errors import ConfigError
from sim.paths import CONF

STATISTICS = ("service_readmission_30", "service_readmission_90", "service_share_of_30_day_within_7",
              "service_share_of_30_day_within_14", "service_occupancy",
              "no_recent_admission_readmission_30", "no_recent_admission_readmission_365", "control_rate",
              "intervention_rate", "odds_ratio")
TRIAL_STATISTICS = ("control_rate", "intervention_rate", "odds_ratio")  # the rest describe the service
FITS = ("all", "base_rates")
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


class Uniform(Strict):
    distribution: Literal["uniform"]
    low: float
    high: float
    source: Text

    @model_validator(mode="after")
    def _order(self):
        if not self.low < self.high:
            raise ValueError(f"low {self.low:g} must be below high {self.high:g}")
        return self


class LogNormal(Strict):
    distribution: Literal["lognormal"]
    median: Annotated[float, Field(gt=0)]
    sd_log: Annotated[float, Field(gt=0)]
    source: Text


class Beta(Strict):
    distribution: Literal["beta"]
    a: Annotated[float, Field(gt=0)]
    b: Annotated[float, Field(gt=0)]
    source: Text


Prior = Annotated[Uniform | LogNormal | Beta, Field(discriminator="distribution")]


class Target(Strict):
    value: float
    sd: Annotated[float, Field(gt=0)]
    source: Text


class Slurm(Strict):
    cores: Count
    memory: Text
    walltime: Text
    jobs: Count
    queue: str | None = None
    account: str | None = None
    job_extra: list[str] = []


class Settings(Strict):
    """conf/calibrate.yaml: every key, its type and range."""

    setting_name: Annotated[str, Field(pattern=r"^[\w-]+$")]
    fit: Literal[FITS]
    base_rate_keys: Annotated[list[Text], Field(min_length=1)]
    shared_posterior: Text
    name: Annotated[str, Field(pattern=r"^[\w.-]+$")]
    db: Text
    out: Text
    seed: Seed
    particles: Annotated[int, Field(ge=2)]
    generations: Count
    max_simulations: Count
    min_epsilon: Annotated[float, Field(ge=0)]
    predictive_draws: Annotated[int, Field(ge=2)]
    cluster: Literal[CLUSTERS]
    workers: Annotated[int, Field(ge=0)]
    slurm: Slurm
    model_overrides: Annotated[list[Override], Field(min_length=1)]
    priors: Annotated[dict[Text, Annotated[dict[Text, Prior], Field(min_length=1)]], Field(min_length=1)]


class Targets(Strict):
    """A setting's calibration targets (`setting.targets`), each a statistic the simulator reports."""

    targets: Annotated[dict[Literal[STATISTICS], Target], Field(min_length=1)]


def _check_prior(cfg, key, spec):
    """A prior (its form checked by `Settings`) of a real-valued key of the calibrated model, inside its range."""
    where = f"calibrate priors.{key}"
    try:
        value, meta = _lookup(cfg, key)
    except ConfigError:
        raise ConfigError(f"{where}: {key} is not a config key of the calibrated model") from None
    if not isinstance(value, float):
        raise ConfigError(f"{where}: {key} = {value!r} is not a real-valued parameter")
    lo, hi = _bounds(meta)
    dist = prior(spec)
    if dist.cdf(lo) > TAIL or dist.sf(hi) > TAIL:
        raise ConfigError(f"{where}: the prior reaches outside the key's range [{lo}, {hi}]")


def composed(name, overrides):
    """conf/<name>.yaml with the command line's overrides, as plain containers. Any error composing them is
    the overrides' (OmegaConf raises TypeError, for one, deleting a list item by key): one line naming it."""
    try:
        with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
            return OmegaConf.to_container(compose(name, overrides=list(overrides)), resolve=True)
    except Exception as err:  # noqa: BLE001 (Hydra's, OmegaConf's and their inner errors alike)
        raise ConfigError(f"{name}: {' '.join(str(err).split())}") from None


def load_settings(overrides=()):
    """The checked settings, as plain containers: the priors keyed group.key, the model's overrides led by
    the setting, and the setting's targets (its service targets only when fitting its base rates)."""
    settings = composed("calibrate", overrides)
    checked(Settings, settings, "calibrate")
    settings["priors"] = {f"{group}.{key}": spec for group, entries in settings["priors"].items()
                          for key, spec in entries.items()}
    name = settings["setting_name"]
    if not (CONF / "setting" / f"{name}.yaml").is_file():
        known = ", ".join(sorted(p.stem for p in (CONF / "setting").glob("*.yaml")))
        raise ConfigError(f"calibrate setting_name = {name!r}: no conf/setting/{name}.yaml (settings: {known})")
    settings["model_overrides"] = [f"setting={name}", *settings["model_overrides"]]
    check_command_line(settings["model_overrides"])
    cfg = load_config(settings["model_overrides"])
    if cfg.replications != 1 or cfg.trial.kind == "none":
        raise ConfigError("calibrate model_overrides: one emulated trial per evaluation (trial=..., "
                          "replications=1)")
    targets = OmegaConf.to_container(OmegaConf.create(dict(cfg.setting.targets)))
    checked(Targets, {"targets": targets}, f"conf/setting/{settings['setting_name']}.yaml setting")
    unknown = [key for key in settings["base_rate_keys"] if key not in settings["priors"]]
    if unknown:
        raise ConfigError(f"calibrate base_rate_keys: {', '.join(unknown)} has no prior")
    if settings["fit"] == "base_rates":
        settings["priors"] = {key: settings["priors"][key] for key in settings["base_rate_keys"]}
        shared, _ = posterior.load(settings["shared_posterior"])  # refused now, not after the run
        if not [c for c in shared.columns if c not in settings["priors"] and c != posterior.WEIGHT]:
            raise ConfigError(f"calibrate shared_posterior = {settings['shared_posterior']}: it has no key "
                              "besides the base rates to take from it")
        targets = {name: t for name, t in targets.items() if name not in TRIAL_STATISTICS}
        if not targets:
            raise ConfigError(f"conf/setting/{settings['setting_name']}.yaml setting.targets: no service target to "
                              "fit the base rates to")
    settings["targets"] = targets
    for key, spec in settings["priors"].items():
        _check_prior(cfg, key, spec)
    return settings
