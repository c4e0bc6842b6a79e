"""The comparator every programme is run against: usual care in the same care system, under its own name.

Each arm's results (and per-patient records) are kept under the arm's name, so a programme cannot take the
comparator's name, nor a name that is not a safe file name."""

import dataclasses
import re

from sim.errors import ConfigError

COMPARATOR = "usual_care"
SAFE_NAME = re.compile(r"[A-Za-z0-9][\w.-]{0,99}")


def usual_care_of(program):
    """Usual care in the same care system: no peer workers, nobody offered one."""
    return dataclasses.replace(program, name=COMPARATOR, workers_per_1000=0.0, uptake=0.0,
                               respite_places_per_1000=0.0)


def check_programme_name(program):
    if not SAFE_NAME.fullmatch(program.name):
        raise ConfigError(f"program.name = {program.name!r}: must be a file name of letters, digits, _, . and - "
                          "(starting with a letter or digit, at most 100): each arm's records are kept under it")
    if program.name == COMPARATOR and program != usual_care_of(program):
        raise ConfigError(f"program.name = {COMPARATOR}: the comparator's name, for a programme that is not usual "
                          "care (it has peer workers, uptake or respite places): give the programme its own name")
