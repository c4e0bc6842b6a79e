"""Engine speed, as a ratio measured in one process: `python -m sim.benchmark`.

Both engines run the same model (same config, seed and population) for the
same days; the Numba kernels are compiled on a warm-up run first. Machines
here are shared and noisy, so read the ratio, not the absolute rates.
"""

import argparse
import time
from pathlib import Path

import numpy as np
from hydra import compose, initialize_config_dir

from sim.config import register, validate
from sim.model import CareSystemModel

CONF = Path(__file__).resolve().parents[1] / "conf"


def _config(overrides):
    register()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return validate(compose("config", overrides=overrides))


def _timed_run(cfg, engine):
    model = CareSystemModel(cfg, engine=engine)
    start = time.perf_counter()
    model.run()
    return model, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365, help="days simulated (no burn-in)")
    args = parser.parse_args(argv)
    overrides = [f"population.n={args.patients}", "burn_in_days=0", f"horizon_days={args.days}",
                 "primary_outcome=readmission_30"]
    _timed_run(_config(["population.n=200", "burn_in_days=0", "horizon_days=40",
                        "primary_outcome=readmission_30"]), "numba")  # compile
    cfg = _config(overrides)
    fast, fast_s = _timed_run(cfg, "numba")
    reference, reference_s = _timed_run(cfg, "mesa")
    patient_days = args.patients * args.days
    print(f"{args.patients:,} patients x {args.days} days, one thread")
    print(f"numba: {fast_s:8.2f} s  {patient_days / fast_s / 1e6:8.3f} M patient-days/s")
    print(f"mesa:  {reference_s:8.2f} s  {patient_days / reference_s / 1e6:8.3f} M patient-days/s")
    print(f"numba / mesa speed ratio: {reference_s / fast_s:.0f}x")
    print(f"identical event tables: {np.array_equal(fast.events, reference.events)}")


if __name__ == "__main__":
    main()
