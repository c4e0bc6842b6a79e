"""Calibration with uncertainty: ABC-SMC (pyabc) against published targets, a posterior sample, diagnostics.

`settings` reads and checks `conf/calibrate.yaml`; `simulator` turns a parameter set into the summary
statistics of one simulated service and trial; `sampler` makes pyabc's population a pure function of the
seed whatever the number of workers; `cluster` starts the Dask cluster (local, or SLURM through
dask-jobqueue); `smc` runs and resumes the calibration; `posterior` writes and reads the posterior sample;
`diagnostics` writes its tables and figures.
"""
