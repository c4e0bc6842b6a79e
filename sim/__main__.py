"""`python -m sim`: the default peer-support vs usual-care comparison (a Hydra app)."""

import sys
import time

import hydra
from hydra.core.hydra_config import HydraConfig

from sim.config import ConfigError, register, validate

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

    start = time.perf_counter()
    table = run_experiment(cfg)
    seconds = time.perf_counter() - start
    summary = summarise(cfg, table)
    out = HydraConfig.get().runtime.output_dir
    write_results(out, cfg, table, summary, seconds)
    print(format_summary(summary))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
