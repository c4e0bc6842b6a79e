"""The schema of a study file (`experiments/<name>.yaml`): every block, its keys, types and ranges.

A study states its question, why it is set up as it is, and the Hydra overrides that make it; it may add
one kind of analysis: a `sweep` (with an optional `decision` block comparing the options), a `sensitivity`
block, or a `deterministic` block. What each block's keys mean against the run's config (a key the PSA
draws, a real-valued config key, a range whose ends are valid configs) is checked by the block's own
command module; this schema checks the file's own structure first.
"""

from typing import Annotated, Literal

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from pydantic import Field, field_validator, model_validator

from sim.config.comparator import COMPARATOR
from sim.config.strict import Count, Seed, Share, Strict, Text, checked

Override = Annotated[str, Field(pattern=r"^(\+{0,2}[A-Za-z_][\w.\-/@]*=|~[A-Za-z_][\w.\-/@]*(=|$))")]
Key = Annotated[str, Field(pattern=r"^[A-Za-z_]\w*(\.\w+)+$")]
Range = Annotated[list[float], Field(min_length=2, max_length=2)]


def _ordered(ranges):
    for key, (low, high) in ranges.items():
        if not low < high:
            raise ValueError(f"{key} = [{low:g}, {high:g}]: must be [low, high] with low < high")
    return ranges


class Thresholds(Strict):
    low: float = Field(0.0, ge=0, description="currency per QALY")
    high: float = Field(50_000.0, ge=0, description="currency per QALY")
    step: float = Field(500.0, gt=0, description="currency per QALY")

    @model_validator(mode="after")
    def _order(self):
        if self.high <= self.low:
            raise ValueError(f"high ({self.high:g}) must exceed low ({self.low:g})")
        if (self.high - self.low) / self.step > 100_000:
            raise ValueError(f"step {self.step:g} makes more than 100,000 thresholds")
        return self


class Population(Strict):
    people_per_year: Count
    years: Annotated[int, Field(ge=1, le=100)]
    discount_rate: Share


class BudgetImpact(Strict):
    people: Annotated[int, Field(ge=0)] = 0
    coverage: Annotated[list[Share], Field(max_length=10)] = []

    @model_validator(mode="after")
    def _years(self):
        if self.people and not self.coverage:
            raise ValueError("coverage: one share in [0, 1] per year, 1 to 10 years")
        return self


class Decision(Strict):
    thresholds: Thresholds = Thresholds()
    population: Population
    parameter_groups: dict[Text, Annotated[list[Key], Field(min_length=1)]] = {}
    seed: Seed = 0
    budget_impact: BudgetImpact = BudgetImpact()


class Sensitivity(Strict):
    method: Literal["sobol", "morris"]
    samples: Annotated[int, Field(ge=2, le=100_000)]
    seed: Seed
    parameters: Annotated[dict[Key, Range], Field(min_length=2)]

    _ordered = field_validator("parameters")(_ordered)


class TwoWay(Strict):
    keys: Annotated[list[Key], Field(min_length=2, max_length=2)]
    ranges: Annotated[list[Range], Field(min_length=2, max_length=2)]
    points: Annotated[int, Field(ge=2, le=50)]

    @model_validator(mode="after")
    def _pair(self):
        if self.keys[0] == self.keys[1]:
            raise ValueError(f"keys: {self.keys[0]} twice; a two-way grid needs two different keys")
        _ordered(dict(zip(self.keys, self.ranges, strict=True)))
        return self


class Deterministic(Strict):
    one_way: dict[Key, Range] = {}
    thresholds: dict[Key, Range] = {}
    two_way: TwoWay | None = None

    _ordered = field_validator("one_way", "thresholds")(_ordered)

    @model_validator(mode="after")
    def _something(self):
        if not (self.one_way or self.thresholds or self.two_way):
            raise ValueError("needs one or more of one_way, thresholds, two_way")
        return self


class Study(Strict):
    question: Text
    why: Text
    overrides: list[Override]
    sweep: Annotated[list[Override], Field(min_length=1)] | None = None
    decision: Decision | None = None
    sensitivity: Sensitivity | None = None
    deterministic: Deterministic | None = None

    @model_validator(mode="after")
    def _one_kind(self):
        kinds = [k for k in ("sweep", "sensitivity", "deterministic") if getattr(self, k) is not None]
        if len(kinds) > 1:
            raise ValueError(f"a study is one kind of analysis: it has {' and '.join(kinds)}")
        if self.decision is not None:
            options = next((_options(s) for s in self.sweep or () if s.lstrip("+").startswith("program=")), None)
            if options is None:
                raise ValueError("a decision study sweeps the options: add `sweep: [program=a,b,...]`")
            if COMPARATOR in options or len(set(options)) < len(options):
                raise ValueError(f"sweep: program={','.join(options)}: each option once, without {COMPARATOR} "
                                 "(every option is compared with it already)")
        return self


def _options(sweep):
    """The programmes a `program=...` sweep lists, as Hydra reads it."""
    try:
        override = OverridesParser.create().parse_overrides([sweep])[0]
        return list(override.sweep_string_iterator()) if override.is_sweep_override() else [override.value()]
    except HydraException:
        raise ValueError(f"sweep: {sweep}: list the options (a,b,c or choice(a,b,c))") from None


def check_study(spec, where):
    """The study file's own structure, checked: the model, or ConfigError naming the file and the key."""
    return checked(Study, spec, where)
