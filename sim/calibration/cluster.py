"""Where the evaluations run: this process, a local Dask cluster, or SLURM through dask-jobqueue.

The sampler's population does not depend on which: the same calibration gives the same posterior on one
core, on a laptop's cores and on a cluster's nodes.
"""

import contextlib
import os


@contextlib.contextmanager
def evaluation_map(settings):
    """A `map(function, items)` returning results in order, for the sampler; the cluster closes on exit."""
    workers = settings["workers"] or os.cpu_count() or 1
    if settings["cluster"] == "local" and workers == 1:
        yield lambda function, items: list(map(function, items))
        return
    from distributed import Client

    with _cluster(settings, workers) as cluster, Client(cluster) as client:
        yield lambda function, items: client.gather(client.map(function, items, pure=False))


@contextlib.contextmanager
def _cluster(settings, workers):
    if settings["cluster"] == "local":
        from distributed import LocalCluster

        # one single-threaded worker process per core; loopback only, no dashboard
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            yield cluster
        return
    with slurm_cluster(settings) as cluster:
        cluster.scale(jobs=settings["slurm"]["jobs"])
        yield cluster


def slurm_options(settings):
    """dask-jobqueue's SLURM job options from `slurm` (cores, memory, walltime, queue, account, job_extra): one
    single-threaded worker per core, and the Numba cache of this checkout, so no kernel is compiled per job."""
    slurm = settings["slurm"]
    env = [f"export NUMBA_CACHE_DIR={os.environ['NUMBA_CACHE_DIR']}"] if "NUMBA_CACHE_DIR" in os.environ else []
    return {"cores": slurm["cores"], "processes": slurm["cores"], "memory": slurm["memory"],
            "walltime": slurm["walltime"], "queue": slurm.get("queue"), "account": slurm.get("account"),
            "job_script_prologue": env, "job_extra_directives": list(slurm.get("job_extra") or [])}


@contextlib.contextmanager
def slurm_cluster(settings):
    from dask_jobqueue import SLURMCluster

    with SLURMCluster(**slurm_options(settings)) as cluster:
        yield cluster
