"""Speed and memory of the full model: `python -m sim.bench [--sizes 10000,100000,1000000] [--json]`.

Every measurement runs in its own process (so its peak memory is its own),
on the full model with the default programme active: the Numba engine on each
thread count of `--threads` (default one) for `--days` days and the Mesa engine on the same model for
fewer days at large sizes (`--mesa-days`). Memory: the process's peak, and per
patient the peak above the baseline of libraries and compiled kernels. Set-up is split into the network,
the patients' state and the Mesa agent views; compile time is measured cold
(an empty Numba cache) and cached. Machines here are shared and noisy: read
the ratios (Numba / Mesa, and Numba on n threads / on one, at each size), which are measured in the same run.

`--phases` adds the Numba runs' time per patient-day in each phase of the day (`sim.engines.profile`).

`--scaling` measures instead the main job's whole experiment (or the one `--overrides` makes) at each `--jobs`
count in one command: its wall time, the speed-up over the first count, and whether every count wrote the
same table (it must); then the same experiment with `--psa-draws` parameter draws (default 1,000) at the last
count. `--extension NAME` times a run without and with an end-of-day extension.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

from sim.cli.command import Parser, command, whole, wholes
from sim.cli.preflight import check_command_line, load_config
from sim.engines.model import CareSystemModel
from sim.engines.profile import PHASES
from sim.experiment.replications import run_experiment, total_runs
from sim.model import network, population
from sim.model.streams import replication_seed
from sim.paths import CHECKOUT

ROOT = CHECKOUT


def _config(patients, days, threads=1, extra=()):
    return load_config([f"population.n={patients}", "burn_in_days=0", f"horizon_days={max(days, 31)}",
                        "primary_outcome=readmission_30", f"threads={threads}", *extra])


def measure(engine, patients, days, threads=1, phases=False):
    """One measurement in this process: the fields of one JSON line (with `phases`, the Numba run's
    nanoseconds per patient-day in each phase of the day, `sim.engines.profile`)."""
    start = time.perf_counter()
    _run_tiny(phases)
    compile_s = time.perf_counter() - start
    baseline_mb = _peak_rss_mb()  # the interpreter, libraries and compiled kernels, before any model is built
    cfg = _config(patients, days, threads)
    timed = {"network": 0.0}
    build = network.build_network

    def build_timed(*args):
        t = time.perf_counter()
        result = build(*args)
        timed["network"] += time.perf_counter() - t
        return result

    population.build_network = build_timed
    t = time.perf_counter()
    made = population.make_population(cfg, replication_seed(cfg.seed, 0))
    state_s = time.perf_counter() - t - timed["network"]
    population.build_network = build
    t = time.perf_counter()
    model = CareSystemModel(cfg, engine="numba", population=made, agent_views=False)  # arrays only
    model.engine = engine
    model_s = time.perf_counter() - t
    agents_s = 0.0
    if engine == "mesa":  # the Numba engine needs no agent views
        t = time.perf_counter()
        model.create_agent_views()
        agents_s = time.perf_counter() - t
    clock = np.zeros(len(PHASES), np.int64) if phases else None
    t = time.perf_counter()
    if engine == "numba":
        model._run_numba(days, clock)
    else:
        for _ in range(days):
            model.step()
    run_s = time.perf_counter() - t
    peak_mb = _peak_rss_mb()
    profile = {}
    if clock is not None and clock.sum() > 0:  # cycles per phase, as shares of the run's time
        ns = run_s * 1e9 / (patients * days)
        profile = {"phase_ns": {name: ns * c / clock.sum() for name, c in zip(PHASES, clock, strict=True)}}
    return {**profile, "engine": engine, "patients": patients, "days": days, "threads": cfg.threads,
            "patient_days_per_s": patients * days / run_s, "run_s": run_s,
            "setup_s": timed["network"] + state_s + model_s + agents_s, "network_s": timed["network"],
            "state_s": state_s + model_s, "agents_s": agents_s, "compile_s": compile_s,
            "peak_rss_mb": peak_mb, "baseline_rss_mb": baseline_mb,
            "bytes_per_patient": (peak_mb - baseline_mb) * 2**20 / patients}


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _run_tiny(phases=False):
    """Compile (or load from the cache) every kernel on a small model (and the kernel that profiles phases)."""
    CareSystemModel(_config(200, 40), engine="numba", agent_views=False).run()
    if phases:
        tiny = CareSystemModel(_config(200, 40), engine="numba", agent_views=False)
        tiny._run_numba(40, np.zeros(len(PHASES), np.int64))


def _child(args, env=None, phases=False):
    extra = ["--phases"] if phases else []
    run = subprocess.run([sys.executable, "-m", "sim.bench", "--one", *map(str, args), *extra], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def compile_times():
    """(cold, cached) seconds to compile or load the kernels, each in a fresh process."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        cold = _child(["numba", 200, 10, 1], env)["compile_s"]
        cached = _child(["numba", 200, 10, 1], env)["compile_s"]
    return cold, cached


def scaling(job_counts, overrides, psa_draws=0):
    """One row per `jobs` count: the experiment's wall seconds (kernels compiled beforehand), its speed-up over
    the first count, and whether every count gave the same table. With `psa_draws`, one more row: the same
    experiment with that many parameter draws, at the last count."""
    cfg = load_config(overrides)
    _run_tiny()
    rows, tables = [], []
    for jobs in job_counts:
        start = time.perf_counter()
        table = run_experiment(cfg, progress=False, jobs=jobs)
        rows.append({"kind": "scaling", "jobs": jobs, "runs": total_runs(cfg), "patients": cfg.population.n,
                     "wall_s": time.perf_counter() - start})
        tables.append(table.to_csv(index=False))
    for row in rows:
        row["speedup"] = rows[0]["wall_s"] / row["wall_s"]
        row["identical"] = all(t == tables[0] for t in tables)
    if psa_draws:
        cfg = load_config([*overrides, f"psa.draws={psa_draws}"])
        start = time.perf_counter()
        run_experiment(cfg, progress=False, jobs=job_counts[-1])
        rows.append({"kind": "psa", "jobs": job_counts[-1], "draws": psa_draws, "runs": total_runs(cfg),
                     "patients": cfg.population.n, "wall_s": time.perf_counter() - start})
    return rows


class _Timed:
    """An extension module whose end_of_day adds its seconds to `own[0]`."""

    def __init__(self, end_of_day, own):
        self._end_of_day, self._own = end_of_day, own

    def end_of_day(self, *args):
        start = time.perf_counter()
        cost = self._end_of_day(*args)
        self._own[0] += time.perf_counter() - start
        return cost


def extension_cost(patients, days, extension):
    """Wall seconds of the Numba engine's run without and with an end-of-day extension, and of the extension's
    own `end_of_day` calls: what the extension costs beyond its own work is the difference less its own (kernels
    compiled beforehand, with the extension too)."""
    _run_tiny()
    tiny = CareSystemModel(_config(200, 40, extra=[f"extension={extension}"]), engine="numba", agent_views=False)
    for _ in range(40):
        tiny.step()
    row = {"kind": "extension", "extension": extension, "patients": patients, "days": days}
    for label, extra in (("without_s", []), ("with_s", [f"extension={extension}"])):
        model = CareSystemModel(_config(patients, days, extra=extra), engine="numba", agent_views=False)
        own = [0.0]
        if model.extension is not None:
            model.extension = (_Timed(model.extension[0].end_of_day, own), model.extension[1])
        start = time.perf_counter()
        if model.extension is None:
            model._run_numba(days)
        while model.day < days:
            model.step()
        row[label] = time.perf_counter() - start
        if model.extension is not None:
            row["own_s"] = own[0]
    row["beyond_own_s"] = row["with_s"] - row["own_s"] - row["without_s"]
    return row


@command()
def main(argv=None):
    parser = Parser(prog="sim.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=wholes(10, 10_000_000), default="10000,100000,1000000",
                        help="patients, comma-separated")
    parser.add_argument("--days", type=whole(1, 36_500), default=365, help="days the Numba engine runs")
    parser.add_argument("--mesa-days", type=wholes(1, 36_500), default="365,20,3",
                        help="days the Mesa engine runs at each size")
    parser.add_argument("--threads", type=wholes(1, 4096), default="1",
                        help="Numba thread counts, comma-separated (the Mesa engine: 1)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--one", nargs=4, metavar=("ENGINE", "PATIENTS", "DAYS", "THREADS"), help=argparse.SUPPRESS)
    # --one: one measurement in this process, as the parent asks for it
    parser.add_argument("--phases", action="store_true",
                        help="also the Numba runs' nanoseconds per patient-day in each phase of the day")
    parser.add_argument("--scaling", action="store_true", help="the main job's experiment at each --jobs count")
    parser.add_argument("--extension", metavar="NAME", help="time a run without and with this extension "
                        "(first size of --sizes, --days days)")
    parser.add_argument("--jobs", type=wholes(1, 4096), default="1,2",
                        help="--scaling: worker-process counts, comma-separated")
    parser.add_argument("--psa-draws", type=whole(0), default=1000,
                        help="--scaling: then the experiment with this many parameter draws (0: not)")
    parser.add_argument("--overrides", default="", help="--scaling: python -m sim overrides, space-separated")
    args = parser.parse_args(argv)
    if args.phases and platform.machine().lower() not in ("x86_64", "amd64"):
        parser.error(f"--phases reads the x86-64 time-stamp counter; this machine is {platform.machine()}")
    if args.psa_draws == 1:
        parser.error("argument --psa-draws: 1 draw is no parameter uncertainty; give 0 (none) or at least 2")
    check_command_line(args.overrides.split())
    if args.extension:
        load_config([f"extension={args.extension}"])
    if args.scaling:
        rows = scaling(args.jobs, args.overrides.split(), args.psa_draws)
        for r in rows:
            if args.json:
                print(json.dumps(r), flush=True)
            elif r["kind"] == "psa":
                print(f"PSA of {r['draws']:,} draws: {r['runs']:,} runs of {r['patients']:,} patients on {r['jobs']} "
                      f"jobs in {r['wall_s']:.1f} s ({r['wall_s'] / 60:.1f} min)")
            else:
                print(f"jobs {r['jobs']}: {r['runs']} runs of {r['patients']:,} patients in {r['wall_s']:.1f} s, "
                      f"speed-up {r['speedup']:.2f}x; identical tables: {r['identical']}")
        return
    if args.extension:
        r = extension_cost(args.sizes[0], args.days, args.extension)
        print(json.dumps(r) if args.json else f"{r['patients']:,} patients, {r['days']} days: {r['without_s']:.2f} s "
              f"without {args.extension}, {r['with_s']:.2f} s with it, of which its own end_of_day "
              f"{r['own_s']:.2f} s; beyond that {r['beyond_own_s']:.2f} s")
        return
    if args.one:
        engine, *counts = args.one
        if engine not in ("numba", "mesa"):
            parser.error(f"argument --one: engine {engine!r} is not numba or mesa")
        try:
            patients, days, threads = (whole(*bounds)(c) for bounds, c in zip(((10, 10_000_000), (1, 36_500),
                                                                              (1, 4096)), counts, strict=True))
        except argparse.ArgumentTypeError as err:
            parser.error(f"argument --one: {err}")
        print(json.dumps(measure(engine, patients, days, threads, args.phases)))
        return
    sizes, mesa_days, thread_counts = args.sizes, args.mesa_days, args.threads
    cold, cached = compile_times()
    rows = []
    for size, m_days in zip(sizes, mesa_days + mesa_days[-1:] * len(sizes), strict=False):
        runs = [("numba", args.days, t) for t in thread_counts] + [("mesa", m_days, 1)]
        for engine, days, threads in runs:
            row = _child([engine, size, days, threads], phases=args.phases and engine == "numba")
            row["compile_cold_s"], row["compile_cached_s"] = cold, cached
            rows.append(row)
            if args.json:
                print(json.dumps(row), flush=True)
    if args.json:
        return
    print(f"compile: cold {cold:.1f} s, cached {cached:.1f} s; full model, default programme")
    print(f"{'engine':6} {'threads':>7} {'patients':>10} {'days':>5} {'M patient-days/s':>17} {'setup s':>8} "
          f"{'network':>8} {'state':>6} {'agents':>7} {'peak MB':>8} {'B/patient':>9}")
    for r in rows:
        print(f"{r['engine']:6} {r['threads']:>7} {r['patients']:>10,} {r['days']:>5} "
              f"{r['patient_days_per_s'] / 1e6:>17.3f} {r['setup_s']:>8.2f} {r['network_s']:>8.2f} "
              f"{r['state_s']:>6.2f} {r['agents_s']:>7.2f} {r['peak_rss_mb']:>8.0f} {r['bytes_per_patient']:>9.0f}")
    for size in sizes:
        at = [r for r in rows if r["patients"] == size]
        slow = next(r for r in at if r["engine"] == "mesa")
        for fast in (r for r in at if r["engine"] == "numba"):
            print(f"numba on {fast['threads']} thread(s) / mesa at {size:,} patients: "
                  f"{fast['patient_days_per_s'] / slow['patient_days_per_s']:.0f}x")
    for r in (r for r in rows if "phase_ns" in r):
        print(f"ns per patient-day by phase, {r['patients']:,} patients, {r['threads']} thread(s): "
              + ", ".join(f"{name} {ns:.1f}" for name, ns in r["phase_ns"].items()))
