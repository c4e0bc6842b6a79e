"""`python -m sim.calibrate`: ABC-SMC calibration to published targets; --report, --apply (`sim.cli.calibrate`)."""

from sim.cli.calibrate import main

if __name__ == "__main__":
    main()
