"""The typed configuration schema: every parameter's type, unit and allowed range.

Values live in `conf/` (one YAML file per option, each value with its source);
this schema is registered with Hydra's ConfigStore so unknown keys and wrong
types are rejected by Hydra itself, and `validate` checks ranges and
cross-field rules before any work starts.
"""

import math
from dataclasses import MISSING, dataclass, field, fields, is_dataclass

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from sim.errors import ConfigError
from sim.network import read_edge_list

DIAGNOSES = ("psychosis", "mood", "substance_use")
ENGINES = ("numba", "mesa")
NETWORK_KINDS = ("small_world", "file")
PRIMARY_OUTCOMES = ("readmission_30", "readmission_90", "readmission_365")


def param(unit, lo=None, hi=None, *, choices=None, length=None, doc=""):
    """A schema field with no default: its value must come from `conf/`."""
    meta = {"unit": unit, "lo": lo, "hi": hi, "choices": choices, "length": length, "doc": doc}
    return field(default=MISSING, metadata=meta)


@dataclass
class PopulationConfig:
    n: int = param("patients", 10, 10_000_000, doc="people with serious mental illness in contact with services")
    diagnosis_shares: list[float] = param("fraction", 0.0, 1.0, length=3, doc="psychosis, mood, substance use")
    severity_alpha: float = param("-", 0.1, 100.0, doc="Beta shape a of illness severity in [0, 1]")
    severity_beta: float = param("-", 0.1, 100.0, doc="Beta shape b of illness severity in [0, 1]")
    hope_mean: float = param("score 0-1", 0.01, 0.99, doc="mean personal baseline of hope")
    engagement_mean: float = param("probability", 0.01, 0.99, doc="mean baseline engagement with care")
    resource_concentration: float = param("-", 1.0, 1000.0, doc="Beta concentration of baseline hope and engagement")


@dataclass
class NetworkConfig:
    kind: str = param("-", choices=NETWORK_KINDS, doc="graph family, or an edge-list file")
    mean_degree: int | None = param("contacts", 2, 1000, doc="small_world: contacts per patient (even)")
    rewiring: float | None = param("probability", 0.0, 1.0, doc="small_world: Watts-Strogatz rewiring")
    path: str | None = param("-", doc="file: edge list, one 'u v' pair of patient ids per line")


@dataclass
class CareConfig:
    relapse_base_per_day: list[float] = param("1/day", 0.0, 1.0, length=3, doc="baseline crisis hazard by diagnosis")
    severity_log_hr: float = param("log HR per unit severity", 0.0, 10.0, doc="hazard rises with severity")
    post_discharge_log_hr: float = param("log HR", 0.0, 10.0, doc="extra hazard on the day of discharge")
    post_discharge_decay_days: float = param("days", 0.1, 365.0, doc="e-folding time of the post-discharge risk")
    hope_log_hr: float = param("log HR per unit hope", 0.0, 10.0, doc="protection from hope above 0.5")
    engagement_log_hr: float = param("log HR per unit engagement", 0.0, 10.0, doc="protection by engagement")
    network_log_hr: float = param("log HR per unit hope", 0.0, 10.0, doc="protection by neighbours' hope")
    followup_log_hr: float = param("log HR", 0.0, 10.0, doc="protection after a clinician follow-up")
    followup_protection_days: int = param("days", 0, 3650, doc="how long a follow-up protects")
    mean_los_days: list[float] = param("days", 1.0, 365.0, length=3, doc="mean length of stay by diagnosis")
    beds_per_1000: float = param("beds per 1,000 patients", 0.0, 1000.0, doc="acute psychiatric bed capacity")
    diversion_days: int = param("days", 1, 365, doc="crisis-team episode when no bed is free")
    clinicians_per_1000: float = param("clinicians per 1,000 patients", 0.01, 1000.0, doc="community clinicians")
    clinician_capacity: int = param("patients", 1, 10_000, doc="follow-ups at full rate")
    followup_window_days: int = param("days", 1, 365, doc="days after discharge in which follow-up is attempted")
    followup_rate_per_day: float = param("probability/day", 0.0, 1.0, doc="follow-up chance under capacity")
    followup_engagement_gain: float = param("fraction of gap to 1", 0.0, 1.0, doc="engagement gain from a follow-up")
    hope_recovery_per_day: float = param("fraction/day", 0.0, 1.0, doc="drift of hope back to the personal baseline")
    engagement_recovery_per_day: float = param("fraction/day", 0.0, 1.0, doc="drift of engagement back to baseline")
    network_spillover_per_day: float = param("fraction/day", 0.0, 1.0, doc="pull of hope toward neighbours' mean")
    admission_hope_loss: float = param("fraction of hope", 0.0, 1.0, doc="hope lost at a crisis")


@dataclass
class ProgramConfig:
    name: str = param("-", doc="programme name, used as the arm's label")
    workers_per_1000: float = param("FTE per 1,000 patients", 0.0, 1000.0, doc="peer support workers employed")
    caseload_capacity: int = param("patients per worker", 1, 1000, doc="caseload limit")
    coverage: float = param("probability", 0.0, 1.0, doc="share of discharged patients offered and taking up")
    duration_days: int = param("days", 1, 3650, doc="how long a patient stays with a peer worker")
    contacts_per_week: float = param("contacts/week", 0.0, 7.0, doc="contact frequency")
    fidelity: float = param("score 0-1", 0.0, 1.0, doc="training and model fidelity; scales each contact's effect")
    hope_gain: float = param("fraction of gap to 1", 0.0, 1.0, doc="hope gained per contact at full fidelity")
    engagement_gain: float = param("fraction of gap to 1", 0.0, 1.0, doc="gain per contact")


@dataclass
class CostsConfig:
    currency: str = param("-", doc="ISO 4217 code")
    price_year: int = param("year", 1990, 2100, doc="price year of all unit costs")
    bed_day: float = param("currency/day", 0.0, 1e6, doc="acute psychiatric bed-day")
    diverted_crisis: float = param("currency/episode", 0.0, 1e6, doc="crisis-team episode instead of admission")
    clinician_followup: float = param("currency/contact", 0.0, 1e6, doc="post-discharge follow-up contact")
    peer_worker_per_year: float = param("currency/FTE-year", 0.0, 1e7, doc="salary with on-costs")


@dataclass
class Config:
    population: PopulationConfig = MISSING
    network: NetworkConfig = MISSING
    care: CareConfig = MISSING
    program: ProgramConfig = MISSING
    costs: CostsConfig = MISSING
    seed: int = param("-", 0, 2**63 - 1, doc="base seed; replication r uses a seed derived from (seed, r)")
    replications: int = param("paired replications", 2, 100_000, doc="each runs every arm on the same seed")
    engine: str = param("-", choices=ENGINES, doc="numba (fast kernels) or mesa (agent-by-agent reference)")
    burn_in_days: int = param("days", 0, 36_500, doc="days simulated before outcomes are counted")
    horizon_days: int = param("days", 1, 36_500, doc="days over which outcomes are counted")
    primary_outcome: str = param("-", choices=PRIMARY_OUTCOMES, doc="per-discharge readmission the verdict is based on")
    debug: bool = param("-", doc="check the model's invariants at the end of every day")


def register():
    """Register the schema so `conf/config.yaml` can name it in its defaults list."""
    ConfigStore.instance().store(name="schema", node=Config)


def _check_value(key, value, meta):
    lo, hi, choices, length = meta["lo"], meta["hi"], meta["choices"], meta["length"]
    if value is None:
        return  # optional keys: whether they are needed is a cross-field rule
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if length is not None and len(values) != length:
        raise ConfigError(f"{key} = {values}: needs exactly {length} values")
    for v in values:
        if choices is not None and v not in choices:
            raise ConfigError(f"{key} = {v!r}: allowed values are {', '.join(choices)}")
        if isinstance(v, float) and not math.isfinite(v):
            raise ConfigError(f"{key} = {v}: must be a finite number")
        if lo is not None and v < lo or hi is not None and v > hi:
            raise ConfigError(f"{key} = {v}: must be in [{lo}, {hi}] ({meta['unit']})")


def _walk(node, schema, prefix):
    for f in fields(schema):
        key = f"{prefix}{f.name}"
        value = getattr(node, f.name)
        if is_dataclass(f.type):
            _walk(value, f.type, key + ".")
        else:
            _check_value(key, value, f.metadata)


def _check_keys(node, schema, prefix):
    """Reject keys the schema does not know (Hydra lets `+key=value` add them)."""
    known = {f.name: f for f in fields(schema)}
    for key in node.keys():
        if key not in known:
            where = f"{prefix[:-1]} allows" if prefix else "the top level allows"
            raise ConfigError(f"{prefix}{key}: unknown key; {where} {', '.join(known)}")
        if is_dataclass(known[key].type) and isinstance(node[key], DictConfig):
            _check_keys(node[key], known[key].type, f"{prefix}{key}.")


def to_object(cfg):
    """A composed Hydra config as typed dataclasses, after checking for unknown and missing keys."""
    if not isinstance(cfg, DictConfig):
        return cfg
    _check_keys(cfg, Config, "")
    missing = sorted(OmegaConf.missing_keys(cfg))
    if missing:
        raise ConfigError(f"{missing[0]} = ???: a value is required")
    return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(Config), cfg))


def validate(cfg):
    """Check every range and cross-field rule; return the config as dataclasses."""
    cfg = to_object(cfg)
    _walk(cfg, Config, "")
    shares = cfg.population.diagnosis_shares
    if abs(sum(shares) - 1.0) > 1e-9:
        raise ConfigError(f"population.diagnosis_shares = {list(shares)}: must sum to 1")
    _check_network(cfg.network, cfg.population.n)
    care = cfg.care
    if care.hope_recovery_per_day + care.network_spillover_per_day > 1.0:
        raise ConfigError(
            f"care.hope_recovery_per_day + care.network_spillover_per_day = "
            f"{care.hope_recovery_per_day + care.network_spillover_per_day}: must be at most 1 (keeps hope in [0, 1])"
        )
    window = int(cfg.primary_outcome.rsplit("_", 1)[1])
    if cfg.horizon_days <= window:
        raise ConfigError(
            f"horizon_days = {cfg.horizon_days}: must exceed the {window}-day window of primary_outcome = "
            f"{cfg.primary_outcome}"
        )
    return cfg


def _check_network(net, n):
    needed = {"small_world": ("mean_degree", "rewiring"), "file": ("path",)}[net.kind]
    for key in needed:
        if getattr(net, key) is None:
            raise ConfigError(f"network.{key} = null: network.kind = {net.kind} needs a value")
    if net.kind == "small_world":
        if net.mean_degree % 2:
            raise ConfigError(f"network.mean_degree = {net.mean_degree}: must be even (small-world ring)")
        if net.mean_degree >= n:
            raise ConfigError(f"network.mean_degree = {net.mean_degree}: must be below population.n = {n}")
    else:
        read_edge_list(net.path, n)  # raises ConfigError naming the file and line
