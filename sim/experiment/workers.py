"""Runs in worker processes, `jobs` at a time, gathered in run order: the results are the same for any `jobs`.

Each run is a pure function of (config, run index), so where it runs changes no number. The first run goes in
this process, which compiles the kernels once and writes them to Numba's cache; the workers, started fresh
(`spawn`: no inherited threads or locks), load them from there instead of compiling their own. Workers ignore
Ctrl-C: the main process takes it (or SIGTERM), stops them, and says how many runs had finished.
"""

import concurrent.futures as cf
import multiprocessing
import os
import signal


def available_cores():
    """Cores this process may run on (its CPU affinity, as a scheduler sets it), else the machine's."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def worker_count(jobs, runs, in_sweep=False):
    """Processes for `runs` runs: `jobs`, or with 0 (auto) every core, but 1 inside a sweep, whose launcher
    already runs a job per core (sweep jobs x run jobs never exceed the cores); never more than the runs."""
    if jobs == 0:
        jobs = 1 if in_sweep else available_cores()
    return max(1, min(jobs, runs))


def _ignore_interrupt():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def map_runs(work, runs, jobs, done):
    """[work(k) for k in runs], `jobs` at a time; `done()` after each run finishes, in any order."""
    runs = list(runs)
    results = {}
    if jobs <= 1 or len(runs) <= 1:
        for k in runs:
            results[k] = work(k)
            done()
        return [results[k] for k in runs]
    first, rest = runs[0], runs[1:]
    results[first] = work(first)  # compiles (or loads) the kernels here, so the workers find them cached
    done()
    pool = cf.ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_ignore_interrupt)
    try:
        pending = {pool.submit(work, k): k for k in rest}
        for future in cf.as_completed(pending):
            results[pending[future]] = future.result()
            done()
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [results[k] for k in runs]
