"""Shared helpers: compose the real Hydra config from conf/ with overrides."""

import pytest
from hydra import compose, initialize_config_dir

from sim.config.schema import register, validate
from sim.paths import CONF

register()


def compose_raw(*overrides):
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose("config", overrides=list(overrides))


def make_cfg(*overrides):
    """A validated config (dataclasses) from conf/ with Hydra-style overrides."""
    return validate(compose_raw(*overrides))


# A small care system that still fills its beds (so diversions happen) and its peer slots.
SMALL = ("population.n=1000", "burn_in_days=0", "horizon_days=365", "primary_outcome=readmission_30")


@pytest.fixture
def small_cfg():
    return make_cfg(*SMALL)
