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

from sim.config.checks import (
    check_lookback,
    check_mortality,
    check_network,
    check_psa_draws,
    check_records,
    check_threads,
    check_trial,
)
from sim.config.comparator import check_programme_name
from sim.config.experiment_groups import (
    ExtensionConfig,
    PsaConfig,
    PsaParameter,
    RecordsConfig,
    TrialConfig,
    VerdictConfig,
)
from sim.config.fields import free_form, param
from sim.config.psa import check_psa
from sim.errors import ConfigError
from sim.extensions import load as load_extension

DIAGNOSES = ("psychosis", "mood", "substance_use")
ENGINES = ("numba", "mesa")
NETWORK_KINDS = ("small_world", "scale_free", "community", "file")
ENTRIES = ("discharge", "crisis_end", "crisis", "community")
PERSPECTIVES = ("health_and_social_care", "societal")
PRIMARY_OUTCOMES = ("readmission_30", "readmission_90", "readmission_365", "acute_readmission_30",
                    "acute_readmission_90", "acute_readmission_365")




@dataclass
class SettingConfig:
    name: str = param("-", doc="the care system; its calibrated posterior is conf/setting/<name>/posterior.csv")
    period: str = param("-", doc="the years its sources describe")
    targets: dict = free_form(dict, "what `python -m sim.calibrate` fits in this setting: statistic: {value, sd, "
                                    "source}")


@dataclass
class PopulationConfig:
    n: int = param("patients", 10, 10_000_000, doc="people with serious mental illness in contact with services")
    diagnosis_shares: list[float] = param("fraction", 0.0, 1.0, length=3, doc="psychosis, mood, substance use")
    age_shares: list[float] = param("fraction", 0.0, 1.0, length=3, doc="youth, adult, older adult")
    forensic_share: float = param("fraction", 0.0, 1.0, doc="patients in contact with forensic services")
    prior_admissions_mean: float = param("admissions", 0.0, 100.0, doc="mean prior admissions at severity 0.5")
    prior_history_days: int = param("days", 1, 36_500, doc="prior admissions fall uniformly in this many days "
                                                           "before day 0")
    severity_alpha: float = param("-", 0.1, 100.0, doc="Beta shape a of illness severity in [0, 1]")
    severity_beta: float = param("-", 0.1, 100.0, doc="Beta shape b of illness severity in [0, 1]")
    hope_mean: float = param("score 0-1", 0.01, 0.99, doc="mean personal baseline of hope")
    engagement_mean: float = param("probability", 0.01, 0.99, doc="mean baseline engagement with care")
    resource_concentration: float = param("-", 1.0, 1000.0, doc="Beta concentration of baseline hope and engagement")


@dataclass
class NetworkConfig:
    kind: str = param("-", choices=NETWORK_KINDS, doc="graph family, or a file")
    mean_degree: int | None = param("contacts", 2, 1000, doc="generated families: contacts per patient (even)")
    rewiring: float | None = param("probability", 0.0, 1.0, doc="small_world: Watts-Strogatz rewiring")
    blocks: int | None = param("communities", 1, 100_000, doc="community: number of blocks")
    within_share: float | None = param("fraction", 0.0, 1.0, doc="community: share of ties inside the block")
    path: str | None = param("-", doc="file: edge list ('u v' per line) or .graphml")


@dataclass
class CareConfig:
    relapse_base_per_day: list[float] = param("1/day", 0.0, 1.0, length=3, doc="baseline crisis hazard by diagnosis")
    severity_log_hr: float = param("log HR per unit severity", 0.0, 10.0, doc="hazard rises with severity")
    age_log_hr: list[float] = param("log HR", -5.0, 5.0, length=3, doc="youth, adult, older adult")
    forensic_log_hr: float = param("log HR", -5.0, 5.0, doc="extra hazard of forensic patients")
    forensic_los_multiplier: float = param("x", 0.1, 20.0, doc="forensic patients' longer stays")
    post_discharge_log_hr: float = param("log HR", 0.0, 10.0, doc="post-episode term after a ward discharge, at "
                                         "day 0 (the discharge day); first faced a day later, times exp(-1/decay)")
    post_crisis_team_log_hr: float = param("log HR", 0.0, 10.0, doc="the same after a crisis-team episode")
    post_respite_log_hr: float = param("log HR", 0.0, 10.0, doc="the same after a peer-respite stay")
    recent_admission_log_hr: float = param("log HR per admission", 0.0, 5.0,
                                           doc="extra hazard per ward admission in the history window")
    admission_history_days: int = param("days", 1, 36_500, doc="the window recent admissions are counted in")
    post_discharge_decay_days: float = param("days", 0.1, 365.0, doc="e-folding time of the post-discharge risk")
    hope_log_hr: float = param("log HR per unit hope", 0.0, 10.0, doc="protection from hope above 0.5")
    engagement_log_hr: float = param("log HR per unit engagement", 0.0, 10.0, doc="protection by engagement")
    network_log_hr: float = param("log HR per unit hope", 0.0, 10.0, doc="protection by neighbours' hope")
    network_spillover_per_day: float = param("fraction of gap/day", 0.0, 1.0,
                                             doc="hope pulled toward neighbours' mean each day (0 = off)")
    followup_log_hr: float = param("log HR", 0.0, 10.0, doc="protection after a clinician follow-up")
    followup_protection_days: int = param("days", 0, 3650, doc="how long a follow-up protects")
    mean_los_days: list[float] = param("days", 1.0, 365.0, length=3, doc="mean length of stay by diagnosis")
    median_to_mean_los: float = param("ratio", 0.05, 0.99, doc="median stay / mean stay: the skew of the (Weibull) "
                                                               "stay distribution; 0.693 is an exponential")
    beds_per_1000: float = param("beds per 1,000 patients", 0.0, 1000.0, doc="acute psychiatric bed capacity")
    diversion_days: int = param("days", 1, 365, doc="crisis-team episode when no bed is free")
    community_contacts_per_year: float = param("contacts per patient-year", 0.0, 365.0, off=0.0,
                                               doc="community mental-health team contacts of each patient at home")
    clinicians_per_1000: float = param("clinicians per 1,000 patients", 0.01, 1000.0, doc="community clinicians")
    clinician_capacity: int = param("patients", 1, 10_000, doc="follow-ups at full rate")
    followup_window_days: int = param("days", 1, 365, doc="days after discharge in which follow-up is attempted")
    followup_rate_per_day: float = param("probability/day", 0.0, 1.0, doc="follow-up chance under capacity")
    followup_engagement_gain: float = param("fraction of gap to 1", 0.0, 1.0, doc="engagement gain from a follow-up")
    hope_recovery_per_day: float = param("fraction/day", 0.0, 1.0, doc="drift of hope back to the personal baseline")
    engagement_recovery_per_day: float = param("fraction/day", 0.0, 1.0, doc="drift of engagement back to baseline")
    admission_hope_loss: float = param("fraction of hope", 0.0, 1.0, doc="hope lost at a crisis")
    general_mortality_per_year: list[float] | None = param(
        "deaths per person-year", 0.0, 1.0, length=3, off=None,
        doc="all-cause mortality of the general population: youth, adult, older adult (null = nobody dies)")
    mortality_rate_ratio: list[float] | None = param("x", 0.0, 100.0, length=3, off=None,
                                              doc="all-cause mortality of SMI relative to the general population, "
                                                  "by diagnosis")
    suicide_after_discharge_per_year: list[float] | None = param(
        "deaths per person-year", 0.0, 1.0, length=4, off=None,
        doc="suicide rate after a ward discharge in days 0-7, 8-30, 31-91 and 92-365")
    suicide_long_term_per_year: float | None = param("deaths per person-year", 0.0, 1.0, off=None,
                                                     doc="the long-term suicide rate the all-cause term already "
                                                         "holds (subtracted from the post-discharge rates)")


@dataclass
class ProgramConfig:
    name: str = param("-", doc="programme name, used as the arm's label")
    entry: str = param("-", choices=ENTRIES, doc="when patients are offered a peer worker")
    min_prior_admissions: int = param("admissions", 0, 1000, doc="targeting: admissions before the offer")
    lookback_days: int = param("days", 0, 36_500, doc="targeting counts admissions in this many days (0 = ever)")
    diagnoses: list[bool] = param("-", length=3, doc="targeting: psychosis, mood, substance use")
    age_groups: list[bool] = param("-", length=3, doc="targeting: youth, adult, older adult")
    forensic: bool = param("-", doc="targeting: forensic patients eligible")
    uptake: float = param("probability", 0.0, 1.0, doc="share of eligible patients offered who take it up")
    disengagement_per_day: float = param("probability/day", 0.0, 1.0, doc="engagement fading: daily dropout")
    max_contacts: int = param("contacts", 0, 100_000, doc="dose cap per relationship (0 = none)")
    contacts_per_week: float = param("contacts/week", 0.0, 7.0, doc="contact frequency")
    duration_days: int = param("days", 1, 36_500, doc="longest a relationship lasts")
    workers_per_1000: float = param("FTE per 1,000 patients", 0.0, 1000.0, doc="peer support workers employed")
    caseload_capacity: int = param("patients per worker", 1, 1000, doc="caseload limit")
    fidelity: float = param("score 0-1", 0.0, 1.0, doc="training and model fidelity; scales each contact's effect")
    diagnosis_matching: bool = param("-", doc="workers matched to patients by lived experience of the same "
                                             "diagnosis; false: contact.match_bonus does not apply")
    self_management_workbook: bool = param("-", doc="contacts follow a structured self-management workbook with "
                                                   "crisis planning, as in CORE (contact.self_management_multiplier)")
    group_ties: bool = param("-", doc="mutual help: a worker's patients support each other as a group")
    respite_places_per_1000: float = param("places per 1,000 patients", 0.0, 1000.0, doc="crisis respite capacity")
    respite_days: int = param("days", 1, 365, doc="length of a respite stay")
    cost_per_contact: float = param("currency/contact", 0.0, 1e6, doc="expenses of a peer contact")
    peer_followup_odds_ratio: float = param("odds ratio", 0.01, 100.0, off=1.0,
                                            doc="odds of a due clinician follow-up with a peer worker (1 = off)")


@dataclass
class ContactConfig:
    """What one peer contact does, the same in every programme: programmes differ only by their design
    (ProgramConfig: who, when, uptake, dose, frequency, fidelity, matching, group, respite, workbook)."""
    hope_gain: float = param("fraction of gap to 1", 0.0, 1.0, doc="hope gained per contact at full fidelity")
    engagement_gain: float = param("fraction of gap to 1", 0.0, 1.0,
                                   doc="engagement gained per contact at full fidelity")
    match_bonus: float = param("fraction", 0.0, 5.0, doc="extra effect when the worker shares the diagnosis "
                                                         "(programmes with diagnosis_matching)")
    self_management_multiplier: float = param("ratio", 0.0, 20.0, doc="multiplies the per-contact gains when "
                                              "contacts follow a self-management workbook (self_management_workbook)")


# Keys a programme no longer sets: a peer contact's effect is shared by every programme (conf/contact/).
MOVED_KEYS = {"program.hope_gain": "contact.hope_gain", "program.engagement_gain": "contact.engagement_gain",
              "program.match_bonus": "contact.match_bonus (program.diagnosis_matching: false turns it off)"}


def moved_key_hint(key):
    """The text to add to an unknown-key error for a key that moved out of a programme, or ''."""
    new = MOVED_KEYS.get(key)
    return f"; a peer contact's effect is shared by every programme: set {new}" if new else ""


@dataclass
class WorkforceConfig:
    clinician_acceptance: float = param("score 0-1", 0.0, 1.0, doc="acceptance of peer workers; sets role clarity")
    colleague_stigma: float = param("score 0-1", 0.0, 1.0, doc="stigma from colleagues")
    extra_duties: float = param("share of time", 0.0, 1.0, doc="duties outside the peer role")
    supervision_hours_per_week: float = param("hours/week", 0.0, 40.0, doc="clinical supervision per worker")
    burnout_load_per_day: float = param("1/day", 0.0, 1.0, doc="burnout pressure at a full caseload")
    burnout_ambiguity_per_day: float = param("1/day", 0.0, 1.0, doc="pressure from role ambiguity")
    burnout_stigma_per_day: float = param("1/day", 0.0, 1.0, doc="pressure from colleagues' stigma")
    burnout_duties_per_day: float = param("1/day", 0.0, 1.0, doc="pressure from duties outside the role")
    burnout_recovery_per_day: float = param("1/day", 0.0, 1.0, doc="recovery without supervision")
    supervision_recovery_per_hour: float = param("1/day per weekly hour", 0.0, 1.0, doc="recovery per weekly hour")
    burnout_effect_loss: float = param("fraction", 0.0, 1.0, doc="share of a contact's effect lost at burnout 1")
    absence_per_day: float = param("probability/day", 0.0, 1.0, doc="sickness absence onset at burnout 0")
    absence_burnout_log_or: float = param("log OR per unit burnout", 0.0, 10.0, doc="burnout raises absence")
    absence_days: int = param("days", 1, 365, doc="length of a sickness absence")
    worker_relapse_per_day: float = param("probability/day", 0.0, 1.0, doc="a worker's own relapse")
    relapse_absence_days: int = param("days", 1, 365, doc="absence after a worker's relapse")
    quit_per_day: float = param("probability/day", 0.0, 1.0, doc="quitting at burnout 0, no extra duties")
    quit_burnout_log_or: float = param("log OR per unit burnout", -10.0, 10.0, doc="burnout raises quitting")
    quit_duties_log_or: float = param("log OR per unit share", -10.0, 10.0, doc="extra duties raise quitting")
    quit_satisfaction_log_or: float = param("log OR per unit", -10.0, 10.0, doc="satisfaction (acceptance) lowers it")
    hiring_delay_days: int = param("days", 0, 3650, doc="a vacancy stays open this long")


@dataclass
class CostsConfig:
    currency: str = param("-", doc="ISO 4217 code")
    price_year: int = param("year", 1990, 2100, doc="price year of all unit costs")
    bed_day: float = param("currency/day", 0.0, 1e6, doc="acute psychiatric bed-day")
    diverted_crisis: float = param("currency/episode", 0.0, 1e6, doc="crisis-team episode instead of admission")
    clinician_followup: float = param("currency/contact", 0.0, 1e6, doc="post-discharge follow-up contact")
    community_contact: float = param("currency/contact", 0.0, 1e6, off=0.0, doc="community mental-health team contact")
    peer_worker_per_year: float = param("currency/FTE-year", 0.0, 1e7, doc="salary with on-costs")
    training_per_hire: float = param("currency/hire", 0.0, 1e7, doc="peer-worker training of a new hire")
    clinician_hour: float = param("currency/hour", 0.0, 1e5, doc="clinician time (supervision)")
    respite_day: float = param("currency/day", 0.0, 1e6, doc="a day in peer-run crisis respite")


@dataclass
class EconomicsConfig:
    discount_rate_costs: float = param("1/year", 0.0, 1.0, doc="annual discount rate of costs")
    discount_rate_outcomes: float = param("1/year", 0.0, 1.0, doc="annual discount rate of QALYs")
    willingness_to_pay: list[float] = param("currency/QALY", 0.0, 1e9, doc="thresholds for net monetary benefit")
    threshold: float = param("currency/QALY", 0.0, 1e9, doc="the threshold of the economic verdict")
    utility_community: float = param("utility 0-1", -0.6, 1.0, doc="quality of life at home")
    utility_inpatient: float = param("utility 0-1", -0.6, 1.0, doc="during an acute admission")
    utility_crisis: float = param("utility 0-1", -0.6, 1.0, doc="during a crisis-team episode")
    utility_respite: float = param("utility 0-1", -0.6, 1.0, doc="during a peer-respite stay")
    utility_per_hope: float = param("utility per unit hope", 0.0, 2.0, off=0.0,
                                    doc="health-state utility: added per unit of hope above 0.5, in every state")
    perspective: str = param("-", choices=PERSPECTIVES, off="health_and_social_care",
                             doc="whose costs count: health and social care (NICE reference case); societal "
                                 "needs sourced productivity costs, which the model does not have yet")


@dataclass
class Config:
    setting: SettingConfig = MISSING
    population: PopulationConfig = MISSING
    network: NetworkConfig = MISSING
    care: CareConfig = MISSING
    program: ProgramConfig = MISSING
    contact: ContactConfig = MISSING
    workforce: WorkforceConfig = MISSING
    costs: CostsConfig = MISSING
    economics: EconomicsConfig = MISSING
    psa: PsaConfig = MISSING
    verdict: VerdictConfig = MISSING
    extension: ExtensionConfig = MISSING
    trial: TrialConfig = MISSING
    records: RecordsConfig = field(default_factory=RecordsConfig, kw_only=True)  # absent from older manifests
    seed: int = param("-", 0, 2**63 - 1, doc="base seed; replication r uses a seed derived from (seed, r)")
    replications: int = param("paired replications", 1, 100_000, doc="each runs every arm on the same seed")
    engine: str = param("-", choices=ENGINES, doc="numba (fast kernels) or mesa (agent-by-agent reference)")
    threads: int = param("Numba threads", 1, 4096, off=1, doc="threads the Numba engine's parallel phases use; "
                                                                "results are identical for any count")
    jobs: int = param("worker processes", 0, 4096, off=1, doc="runs at once in worker processes (0: every core, 1 "
                                                               "inside a sweep); results are identical for any count")
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
        elif not f.metadata.get("free_form"):
            _check_value(key, value, f.metadata)


def _check_keys(node, schema, prefix):
    """Reject keys the schema does not know (Hydra lets `+key=value` add them)."""
    known = {f.name: f for f in fields(schema)}
    for key in node.keys():
        if key not in known:
            where = f"{prefix[:-1]} allows" if prefix else "the top level allows"
            raise ConfigError(f"{prefix}{key}: unknown key; {where} {', '.join(known)}"
                              f"{moved_key_hint(prefix + key)}")
        if is_dataclass(known[key].type) and isinstance(node[key], DictConfig):
            _check_keys(node[key], known[key].type, f"{prefix}{key}.")


def to_object(cfg):
    """A composed Hydra config as typed dataclasses, after checking for unknown and missing keys."""
    if not isinstance(cfg, DictConfig):
        return cfg
    _check_keys(cfg, Config, "")
    missing = sorted(OmegaConf.missing_keys(cfg))
    if "program.name" in missing:  # conf/program/_base_.yaml leaves the name to each programme file
        raise ConfigError("program.name = ???: each programme file sets its own name; program=_base_ is the base "
                          "the programme files extend, not a programme")
    if missing:
        raise ConfigError(f"{missing[0]} = ???: a value is required")
    return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(Config), cfg))


def validate(cfg):
    """Check every range and cross-field rule; return the config as dataclasses."""
    cfg = to_object(cfg)
    _walk(cfg, Config, "")
    for key in ("diagnosis_shares", "age_shares"):
        shares = getattr(cfg.population, key)
        if abs(sum(shares) - 1.0) > 1e-9:
            raise ConfigError(f"population.{key} = {list(shares)}: must sum to 1")
    check_programme_name(cfg.program)
    check_network(cfg.network, cfg.population.n)
    check_threads(cfg.threads)
    load_extension(cfg.extension)
    check_trial(cfg)
    check_records(cfg.records)
    check_lookback("program", cfg.program)
    if cfg.trial.kind != "none":
        check_lookback("trial", cfg.trial)
    _check_psa(cfg)
    check_psa_draws(cfg.psa)
    check_mortality(cfg.care)
    if cfg.economics.perspective == "societal":
        raise ConfigError("economics.perspective = societal: a societal perspective adds productivity losses, and "
                          "the model has no sourced productivity costs yet; use health_and_social_care")
    window = int(cfg.primary_outcome.rsplit("_", 1)[1])
    if cfg.horizon_days <= window:
        raise ConfigError(
            f"horizon_days = {cfg.horizon_days}: must exceed the {window}-day window of primary_outcome = "
            f"{cfg.primary_outcome}"
        )
    return cfg


def _check_psa(cfg):
    """Each PSA entry against its own schema, then against the run's config (`check_psa`): draws are truncated
    to the key's range, so an entry that fits its key's range is known to draw in range before any work."""
    for i, p in enumerate(cfg.psa.parameters):
        _walk(p, PsaParameter, f"psa.parameters.{i}.")
    check_psa(cfg)
