"""`python -m sim`: the default peer-support vs usual-care comparison (a Hydra app)."""

import signal
import sys
import time

import hydra
from hydra.core.hydra_config import HydraConfig

from sim.config import register, validate
from sim.errors import ConfigError
from sim.preflight import check_command_line

register()


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(raw_cfg):
    try:
        cfg = validate(raw_cfg)
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        sys.exit(2)
    from sim.experiment import run_experiment
    from sim.report import format_summary, summarise, write_results

    out = HydraConfig.get().runtime.output_dir
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        start = time.perf_counter()
        table = run_experiment(cfg)
        seconds = time.perf_counter() - start
        summary = summarise(cfg, table)
        write_results(out, cfg, table, summary, seconds)
    except KeyboardInterrupt as stop:
        print(f"interrupted: {stop or 'while writing results'}; no results written to {out}", file=sys.stderr)
        sys.exit(130)
    print(format_summary(summary))
    print(f"results: {out}")


def _interrupt(signum, frame):
    """SIGTERM (a scheduler's kill) stops the run the way Ctrl-C does."""
    raise KeyboardInterrupt


def cli(argv=None):
    """Check the whole command line (every sweep job) first, then hand it to Hydra."""
    try:
        check_command_line(sys.argv[1:] if argv is None else argv)
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        sys.exit(2)
    main()


if __name__ == "__main__":
    cli()
