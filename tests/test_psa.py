"""The probabilistic sensitivity analysis follows the run's configuration: each draw is centred on the configured
value of its key (programme, costs, command-line overrides), stays in the key's range, is a pure function of
(seed, replication), and a bad entry stops before any work with a message naming the key."""

import math
from dataclasses import fields
from operator import attrgetter

import numpy as np
import pytest
import yaml

from sim.config.psa import draws, sample
from sim.config.schema import Config, ConfigError
from sim.experiment.replications import COMPARATOR, arms_of
from sim.model.parameters import rules_from_config
from sim.model.streams import replication_seed
from sim.paths import CONF
from tests.conftest import make_cfg

PROGRAMMES = sorted(p.stem for p in (CONF / "program").glob("*.yaml") if p.stem != "_base_")


def _many(cfg, n):
    """{key: array of n replications' draws}."""
    rows = [draws(cfg, replication_seed(cfg.seed, r)) for r in range(n)]
    return {key: np.array([row[key] for row in rows]) for key in rows[0]}


def _schema_range(key):
    """[lo, hi] of a dotted key, read from the schema classes (not from the code under test)."""
    schema = Config
    *path, last = key.split(".")
    for part in path:
        schema = {f.name: f.type for f in fields(schema)}[part]
    meta = {f.name: f for f in fields(schema)}[last].metadata
    return (-math.inf if meta["lo"] is None else meta["lo"]), (math.inf if meta["hi"] is None else meta["hi"])


def test_the_committed_default_is_relative_so_it_follows_the_configuration():
    entries = yaml.safe_load((CONF / "psa" / "default.yaml").read_text())["psa"]["parameters"]
    assert entries and all("cv" in e and "mean" not in e and "sd" not in e for e in entries)


@pytest.mark.parametrize("program", ["self_management", "discharge_support"])
def test_draws_are_centred_on_the_programmes_own_values(program):
    """Under either programme, each key's draws centre on that run's configured value of the key."""
    cfg = make_cfg(f"program={program}", "psa=default")
    n = 800
    independent = {p.key for p in cfg.psa.parameters}  # the posterior's keys are drawn jointly (test_posterior_psa)
    for key, values in _many(cfg, n).items():
        if key not in independent:
            continue
        centre = attrgetter(key)(cfg)
        spread = next(p.cv for p in cfg.psa.parameters if p.key == key) * centre
        assert abs(values.mean() - centre) < 4 * spread / math.sqrt(n), key
        assert values.std() == pytest.approx(spread, rel=0.15), key


@pytest.mark.parametrize("family, key", [("normal", "costs.bed_day"), ("lognormal", "costs.bed_day"),
                                         ("gamma", "costs.bed_day"), ("uniform", "costs.bed_day"),
                                         ("beta", "economics.utility_community")])
def test_each_family_has_the_configured_centre_and_the_declared_spread(family, key):
    cfg = make_cfg(f"psa.parameters=[{{key:{key},distribution:{family},cv:0.1}}]")
    centre, n = attrgetter(key)(cfg), 800
    values = _many(cfg, n)[key]
    assert abs(values.mean() - centre) < 4 * 0.1 * centre / math.sqrt(n)
    assert values.std() == pytest.approx(0.1 * centre, rel=0.15)


def test_a_costs_override_moves_the_centre_and_keeps_the_quantile():
    """A gamma with a fixed cv scales with its centre, so each replication's draw scales by 600/430 exactly."""
    base, dearer = make_cfg("psa=default", "costs.bed_day=430"), make_cfg("psa=default", "costs.bed_day=600")
    at_430, at_600 = _many(base, 400)["costs.bed_day"], _many(dearer, 400)["costs.bed_day"]
    np.testing.assert_allclose(at_600, at_430 * 600 / 430, rtol=1e-9)
    assert abs(at_600.mean() - 600) < 4 * 60 / math.sqrt(400)


def test_a_command_line_override_of_a_key_moves_its_centre():
    entry = "psa.parameters=[{key:contact.hope_gain,distribution:beta,cv:0.3}]"
    values = _many(make_cfg(entry, "psa.posterior=null", "contact.hope_gain=0.3"), 800)["contact.hope_gain"]
    assert abs(values.mean() - 0.3) < 4 * 0.09 / math.sqrt(800)


@pytest.mark.parametrize("program", PROGRAMMES)
def test_every_default_draw_lies_in_its_keys_schema_range(program):
    cfg = make_cfg(f"program={program}", "psa=default")
    for key, values in _many(cfg, 300).items():
        lo, hi = _schema_range(key)
        assert np.all((lo <= values) & (values <= hi)), key


def test_a_draw_near_the_end_of_its_range_is_truncated_into_it():
    """Uptake 0.92 with sd 0.045 would leave [0, 1] in ~4% of replications; truncated, none does."""
    cfg = make_cfg("program=self_management", "program.uptake=0.92", "psa.posterior=null",
                   "psa.parameters=[{key:program.uptake,distribution:normal,sd:0.045}]")
    values = _many(cfg, 600)["program.uptake"]
    assert values.max() <= 1.0 and values.max() > 0.99
    assert np.count_nonzero(values == 1.0) == 0  # clipping instead would pile ~4% of the draws on the bound
    assert abs(values.mean() - cfg.program.uptake) < 0.01


def test_an_integer_key_draws_integers_in_range():
    cfg = make_cfg("program=self_management", "psa.parameters=[{key:program.max_contacts,distribution:normal,sd:3}]")
    drawn, values = sample(cfg, 1)
    assert isinstance(values["program.max_contacts"], int) and drawn.program.max_contacts >= 0
    assert abs(_many(cfg, 400)["program.max_contacts"].mean() - 10) < 4 * 3 / math.sqrt(400) + 0.1


def test_a_key_configured_at_zero_has_no_spread():
    """A contact configured to have no effect leaves no uncertainty about it to draw."""
    entries = ("psa.parameters=[{key:contact.hope_gain,distribution:beta,cv:0.3},"
               "{key:contact.engagement_gain,distribution:beta,cv:0.4}]")
    values = _many(make_cfg(entries, "psa.posterior=null", "contact.hope_gain=0", "contact.engagement_gain=0"), 50)
    assert np.all(values["contact.hope_gain"] == 0) and np.all(values["contact.engagement_gain"] == 0)


def test_a_key_configured_near_zero_has_no_spread_either():
    """A centre of 1.8e-300 (found by the property test) gave a spread whose square is 0: building the beta
    divided by zero. Below 1e-12 in the key's unit a spread is none, and the draw is the centre."""
    cfg = make_cfg("psa.parameters=[{key:contact.engagement_gain,distribution:beta,cv:0.4}]", "psa.posterior=null",
                   "contact.engagement_gain=1.7859775648309847e-300")
    assert np.all(_many(cfg, 20)["contact.engagement_gain"] == 1.7859775648309847e-300)


def test_an_explicit_absolute_mean_is_still_allowed():
    cfg = make_cfg("program=self_management", "psa.posterior=null",
                   "psa.parameters=[{key:contact.hope_gain,distribution:beta,mean:0.2,sd:0.05}]")
    assert abs(_many(cfg, 800)["contact.hope_gain"].mean() - 0.2) < 4 * 0.05 / math.sqrt(800)


BAD = [
    (["psa=default", "psa.parameters.0.key=costs.bed_dayz"], "key costs.bed_dayz is not a config key"),
    (["psa=default", "psa.parameters.0.key=program.name"], "program.name = 'discharge_support' is not a number"),
    (["psa=default", "psa.parameters.0.key=care.relapse_base_per_day"], "care.relapse_base_per_day = ["),
    (["psa=default", "psa.parameters.0.key=program.forensic"], "program.forensic = True is not a number"),
    (["psa=default", "psa.parameters.1.key=costs.bed_day"], "costs.bed_day is listed twice"),
    (["psa=default", "psa.parameters.0.sd=43"], "costs.bed_day: give exactly one spread"),
    (["psa=default", "psa.parameters.0.cv=null"], "costs.bed_day: give exactly one spread"),
    (["psa=default", "psa.parameters.0.mean=-430"], "costs.bed_day: centre -430 (mean) is outside the key's range"),
    (["psa.parameters=[{key:costs.bed_day,distribution:gamma,mean:0,sd:43}]"],
     "costs.bed_day: a gamma needs a centre > 0; centre 0 (mean), sd 43"),
    (["psa=default", "psa.parameters.3.mean=1.5"], "economics.utility_community: centre 1.5 (mean) is outside the "
                                                    "key's range [-0.6, 1.0]"),
    (["psa=default", "psa.parameters.3.cv=5"], "economics.utility_community: a beta needs a centre in (0, 1)"),
    # the same cv fits the default 0.45 but not 0.63: checked per config
    (["psa=default", "economics.utility_inpatient=0.63", "psa.parameters.4.cv=0.8"],
     "economics.utility_inpatient: a beta needs a centre in (0, 1) and sd^2 < centre (1 - centre); "
     "centre 0.63 (the configured value)"),
    (["psa.parameters=[{key:program.uptake,distribution:normal,cv:0.7}]"],
     "program.uptake: a normal with centre 0.4 (the configured value) and sd 0.28 puts 9% of its draws outside "
     "the key's range [0.0, 1.0]"),
]


@pytest.mark.parametrize("overrides, message", BAD, ids=[" ".join(o) for o, _ in BAD])
def test_a_bad_entry_stops_at_validation_naming_the_key(overrides, message):
    with pytest.raises(ConfigError, match=r"^psa\.parameters: ") as err:
        make_cfg(*overrides)
    assert message in str(err.value)


def test_the_same_seed_gives_the_same_draws_and_leaves_the_config_alone():
    cfg = make_cfg("psa=default", "psa.posterior=null")
    before = cfg.costs.bed_day
    first, again, other = sample(cfg, 7)[1], sample(cfg, 7)[1], sample(cfg, 8)[1]
    assert first == again and all(first[k] != other[k] for k in first)
    assert cfg.costs.bed_day == before and sample(cfg, 7)[0].costs.bed_day == first["costs.bed_day"]


def test_a_keys_draw_does_not_depend_on_the_other_entries():
    cfg = make_cfg("psa=default")
    alone = make_cfg("psa.parameters=[{key:economics.utility_community,distribution:beta,cv:0.07}]",
                     "psa.posterior=null")
    assert draws(alone, 11)["economics.utility_community"] == draws(cfg, 11)["economics.utility_community"]


def test_programmes_of_a_sweep_map_one_quantile_through_their_own_distributions():
    """Each replication's uptake draw has the same rank under every programme, though each programme centres
    it on its own uptake: common random numbers."""
    entry = "psa.parameters=[{key:program.uptake,distribution:beta,cv:0.2}]"
    values = [_many(make_cfg(f"program={p}", entry, "psa.posterior=null"), 200)["program.uptake"]
              for p in ("discharge_support", "self_management", "peer_mentoring")]
    assert len({round(v.mean(), 2) for v in values}) == 3  # three different centres (0.4, 0.7, 0.6)
    ranks = [np.argsort(v) for v in values]
    assert all(np.array_equal(ranks[0], r) for r in ranks[1:])


def test_a_calibrated_key_is_refused_alongside_the_posterior_but_another_programmes_is_not():
    """The default posterior calibrated self_management: its program.uptake is drawn with the particle, so an
    entry for it is refused there; under another programme the posterior leaves program.uptake alone."""
    entry = "psa.parameters=[{key:program.uptake,distribution:beta,cv:0.2}]"
    with pytest.raises(ConfigError, match=r"program\.uptake is calibrated"):
        make_cfg("program=self_management", "psa=default", entry)
    cfg = make_cfg("program=peer_mentoring", "psa=default", entry)
    assert cfg.psa.posterior and "program.uptake" in draws(cfg, 5)


def test_both_arms_run_on_the_replications_draw():
    """Usual care is derived from the drawn programme, so shared keys agree and its peer staffing stays 0; the
    drawn contact gain is the one both arms' rules flatten."""
    drawn, values = sample(make_cfg("program=self_management", "psa=default"), 3)
    arms = arms_of(drawn)
    assert drawn.contact.hope_gain == values["contact.hope_gain"]
    gains = {arm: rules_from_config(drawn, program).daily.contact_hope_gain for arm, program in arms.items()}
    expected = values["contact.hope_gain"] * drawn.program.fidelity * drawn.contact.self_management_multiplier
    assert gains["self_management"] == gains[COMPARATOR] == expected
    assert arms[COMPARATOR].workers_per_1000 == 0 and drawn.costs.bed_day == values["costs.bed_day"]
