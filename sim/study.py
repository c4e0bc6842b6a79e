"""Named studies: `python -m sim.study experiments/<name>.yaml [override ...]`.

A study file states its question, why its configuration is set as it is, and
the Hydra overrides that make it; the results go to `results/<name>/` (or
`--out`), written the same way as the main job's, with the study's text and
overrides in `summary.json` and `manifest.json`.
"""

import argparse
import sys
from pathlib import Path

import yaml
from hydra import compose, initialize_config_dir

from sim.config import validate
from sim.errors import ConfigError
from sim.preflight import CONF, check_command_line

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = ("question", "why", "overrides")


def load_study(path):
    """The study file as a dict, checked: a question, a reason, and a list of overrides."""
    path = Path(path)
    try:
        spec = yaml.safe_load(path.read_text())
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the study file ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({' '.join(str(err).split())})") from None
    if not isinstance(spec, dict) or any(key not in spec for key in REQUIRED):
        raise ConfigError(f"{path}: a study needs the keys {', '.join(REQUIRED)}")
    if not isinstance(spec["overrides"], list) or not all(isinstance(o, str) for o in spec["overrides"]):
        raise ConfigError(f"{path}: overrides must be a list of key=value strings")
    return spec


def study_config(spec, extra=()):
    """The validated config of a study (preflight first: one line and exit 2 on bad input)."""
    overrides = [*spec["overrides"], *extra]
    check_command_line(overrides)
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return validate(compose("config", overrides=overrides)), overrides


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run a named study into results/<name>/.")
    parser.add_argument("study", help="experiments/<name>.yaml")
    parser.add_argument("overrides", nargs="*", help="extra key=value overrides (e.g. replications=5)")
    parser.add_argument("--out", help="results folder (default: results/<name>)")
    args = parser.parse_args(argv)
    try:
        spec = load_study(args.study)
        cfg, overrides = study_config(spec, args.overrides)
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        sys.exit(2)
    from sim.run import execute

    name = Path(args.study).stem
    about = {"study": name, "question": spec["question"], "why": spec["why"], "overrides": overrides}
    execute(cfg, Path(args.out) if args.out else ROOT / "results" / name, about)


if __name__ == "__main__":
    main()
