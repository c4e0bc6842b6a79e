"""`python -m sim`: the default peer-support vs usual-care comparison (a Hydra app).

In a multirun (-m) each job's folder is checked first: a job whose folder
already holds complete results of the same resolved config and seed is
skipped, so re-running an interrupted sweep into the same `hydra.sweep.dir`
finishes only what is missing.
"""

import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode

from sim.cli.command import ENVIRONMENT, check_writable, command, environment_line, full_error
from sim.cli.preflight import check_command_line
from sim.cli.run import execute
from sim.config.schema import register, validate
from sim.errors import ConfigError

register()


@hydra.main(version_base="1.3", config_path="conf", config_name="config")
def main(raw_cfg):
    try:
        cfg = validate(raw_cfg)
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        sys.exit(2)
    hydra_cfg = HydraConfig.get()
    try:
        execute(cfg, hydra_cfg.runtime.output_dir, resume=hydra_cfg.mode == RunMode.MULTIRUN)
    except OSError as err:  # a folder that cannot be written, a full disk
        if full_error():
            raise
        print(environment_line(err), file=sys.stderr)
        sys.exit(ENVIRONMENT)


@command("config error")
def preflight(argv):
    """Every job's config, and its output folder can be written: one line and exit 2 (1), before any work."""
    for folder in dict.fromkeys(check_command_line(argv)):
        check_writable(folder)


def cli(argv=None):
    """Check the whole command line (every sweep job) first, then hand it to Hydra."""
    preflight(sys.argv[1:] if argv is None else argv)
    main()


if __name__ == "__main__":
    cli()
