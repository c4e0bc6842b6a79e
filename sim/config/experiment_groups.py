"""The config groups that shape an experiment rather than the care system: the verdict's rule, the PSA, an
extension, an emulated trial, and per-patient records."""

from dataclasses import dataclass

from sim.config.fields import free_form, param
from sim.model.columns import AGE_GROUP_NAMES, DIAGNOSIS_NAMES

VERDICT_SCALES = ("absolute", "relative")
TRIAL_KINDS = ("none", "randomised")
TRIAL_INDEX_EVENTS = ("discharge", "crisis_end", "either")
TRIAL_OUTCOMES = ("bed", "acute")


@dataclass
class VerdictConfig:
    """What counts as an effect worth having, and how sure the verdict must be."""
    difference: float = param("proportion (absolute) or fraction of usual care (relative)", 0.0, 1.0,
                              doc="minimal important difference of the primary outcome")
    scale: str = param("-", choices=VERDICT_SCALES, doc="absolute: in the outcome's unit; relative: times the "
                                                        "comparator's mean")
    level: float = param("probability", 0.5, 0.999, doc="confidence level of intervals and of each one-sided test")
    mc_se_fraction: float = param("fraction of the difference", 0.001, 1.0,
                                  doc="target Monte Carlo standard error, as a share of the minimal difference")


PSA_DISTRIBUTIONS = ("normal", "lognormal", "gamma", "beta", "uniform")


@dataclass
class PsaParameter:
    """One PSA entry. It is centred on the run's configured value of its key, so it follows program=, setting= and
    overrides; give one spread: `cv` (relative, the committed form) or `sd` (absolute)."""
    key: str = param("-", doc="a numeric config key, e.g. costs.bed_day")
    distribution: str = param("-", choices=PSA_DISTRIBUTIONS, doc="sampling distribution")
    cv: float | None = param("fraction of the centre", 0.0, 100.0, off=None,
                             doc="spread relative to the centre: sd = cv x |centre|")
    sd: float | None = param("unit of the key", 0.0, 1e12, off=None, doc="spread as an absolute standard deviation")
    mean: float | None = param("unit of the key", -1e12, 1e12, off=None,
                               doc="an absolute centre in place of the configured value (null: follow the config)")


@dataclass
class PsaConfig:
    parameters: list[PsaParameter] = free_form(
        list, "parameters drawn once per draw (probabilistic sensitivity analysis)")
    draws: int = param("parameter draws", 1, 1_000_000, off=1,
                       doc="outer loop: parameter draws, each run for `replications` paired replications")
    posterior: str | None = param("-", off=None,
                                  doc="a calibration's posterior.csv (relative to the checkout): each draw takes "
                                      "one particle's calibrated values jointly; null = none")


@dataclass
class ExtensionConfig:
    module: str | None = param("-", doc="importable module with parameters() and end_of_day(); null = none")
    params: dict = free_form(dict, "the extension's parameters")


@dataclass
class TrialConfig:
    kind: str = param("-", choices=TRIAL_KINDS, doc="none, or a trial randomised at the index event")
    name: str | None = param("-", doc="the trial emulated (a citation)")
    index_event: str | None = param("-", choices=TRIAL_INDEX_EVENTS,
                                    doc="discharge from a ward, end of a crisis-team episode, or either")
    min_prior_admissions: int | None = param("admissions", 0, 1000, doc="eligibility: admissions before the index")
    lookback_days: int | None = param("days", 0, 36_500, doc="eligibility counts admissions in this many days "
                                                              "(0 = ever)")
    outcome: str | None = param("-", choices=TRIAL_OUTCOMES, doc="what a readmission is: a ward admission (bed) or "
                                                                 "any acute episode (acute)")
    diagnoses: list[bool] | None = param("-", length=3, doc="eligibility: psychosis, mood, substance use")
    age_groups: list[bool] | None = param("-", length=3, doc="eligibility: youth, adult, older adult")
    forensic: bool | None = param("-", doc="eligibility: forensic patients")
    sample_size: int | None = param("participants", 2, 10_000_000, doc="participants recruited, then it closes")
    allocation: float | None = param("probability", 0.01, 0.99, doc="chance a participant is offered the programme")
    recruitment_days: int | None = param("days", 1, 36_500, doc="recruitment window from the end of the burn-in")
    follow_up_days: int | None = param("days", 1, 36_500, doc="follow-up after each participant's index event")


# Each subgroup attribute's groups, in order (admission history: ward admissions before the simulation starts,
# a baseline attribute, the same in every arm).
SUBGROUPS = {"diagnosis": DIAGNOSIS_NAMES, "age_group": AGE_GROUP_NAMES, "forensic": ("not_forensic", "forensic"),
             "admission_history": ("none", "one", "two_or_more")}
SUBGROUP_ATTRIBUTES = tuple(SUBGROUPS)


@dataclass
class RecordsConfig:
    """Per-patient records and what is read from them: subgroups, targeting and the distributional view."""
    write: bool = param("-", off=False, doc="one parquet file per replication and arm, one row per patient, and the "
                                            "subgroup, targeting and distributional tables made from them")
    by: str = param("-", choices=SUBGROUP_ATTRIBUTES, off="admission_history",
                    doc="the attribute whose groups the distributional cost-effectiveness view compares")
    equity_weights: list[float] | None = param("weight per group", 0.0, 100.0, off=None,
                                               doc="a weight on each group's net health benefit, in the order of "
                                                   "its groups (null: every group weighs 1)")
