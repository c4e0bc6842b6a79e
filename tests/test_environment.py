"""constraints.txt, the pinned environment reviewers install, pins every requirement of pyproject.toml to
a version the requirement admits, for each Python the project supports (3.11 with Mesa 3.3, 3.12 with 3.5)."""

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ("3.11.7", "3.12.1")


def _environment(python):
    return {"python_full_version": python, "python_version": ".".join(python.split(".")[:2]), "extra": ""}


def _applies(requirement, python):
    return requirement.marker is None or requirement.marker.evaluate(_environment(python))


def _requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    return [Requirement(line) for line in lines]


def pins(python):
    """{package: pinned version} from constraints.txt, for this Python version."""
    found = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            requirement = Requirement(line)
            if _applies(requirement, python):
                spec, = requirement.specifier
                assert spec.operator == "==", line
                found[requirement.name.lower()] = spec.version
    return found


@pytest.mark.parametrize("python", PYTHONS)
def test_every_requirement_is_pinned_to_a_version_it_admits(python):
    pinned = pins(python)
    for requirement in _requirements():
        if _applies(requirement, python):
            name = requirement.name.lower()
            assert name in pinned, f"{name} is not pinned in constraints.txt for Python {python}"
            assert requirement.specifier.contains(pinned[name], prereleases=True), \
                f"constraints.txt pins {name}=={pinned[name]}, outside {requirement} (Python {python})"
