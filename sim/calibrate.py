"""`python -m sim.calibrate`: calibrate to published targets with Optuna; --apply, --validate (`sim.cli.calibrate`)."""

from sim.cli.calibrate import main

if __name__ == "__main__":
    main()
