"""The commands: the Hydra app (python -m sim), pre-flight checks, studies, reproduce, calibration, sensitivity."""
