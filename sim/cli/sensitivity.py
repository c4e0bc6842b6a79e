"""Global sensitivity analysis with SALib: which parameters decide the readmission effect and the cost.

A study file with a `sensitivity:` block names the method (`sobol`, or
`morris` for cheap screening), SALib's sample size `samples`, a `seed`, and
each parameter's `[low, high]` range. SALib samples the points; each point is
written as a Hydra config-group option (`points/gsa_point/p00042.yaml`, the
sampled values at the global package) and the points run as one Hydra
multirun (`+gsa_point=p00000,p00001,...`) through the configured launcher, so the
evaluation is the same path as any sweep: the same preflight, resume, launchers,
and a manifest per job. The indices are computed for the paired effect on the
primary outcome and on the discounted cost per patient-year.

The per-job folders (`jobs/`) are bulk output, ignored by git; `points.csv`
(every point's values and outputs), `indices.csv`, `sensitivity.png` and the
study's `manifest.json` (with the base config) are what is committed, and
`python -m sim.reproduce <folder>` re-runs points from them.
"""

import functools
import sys
import time

import numpy as np
import pandas as pd
import yaml

from sim.cli.multirun import multirun
from sim.cli.preflight import check_command_line
from sim.cli.recorded import recorded_config, recorded_manifest, selected
from sim.config.read_back import read_json, read_table, read_yaml_list
from sim.errors import ConfigError
from sim.experiment.replications import run_experiment
from sim.outputs.atomic import write_atomic, write_json
from sim.outputs.compare import compare_row
from sim.outputs.manifest import config_record, manifest_environment
from sim.outputs.summary import summarise

OUTPUTS = {"effect": "paired effect on the primary outcome", "incremental_cost": "incremental cost per patient-year"}


def check_spec(block, overrides, path, base_cfg):
    """The `sensitivity:` block (its structure checked by `sim.config.study`) against the study's config:
    clear errors before any work."""
    for key, bounds in block["parameters"].items():
        try:
            value = functools.reduce(getattr, key.split("."), base_cfg)
        except AttributeError:
            value = None
        if not isinstance(value, float):
            raise ConfigError(f"{path}: sensitivity.parameters.{key}: not a real-valued config key")
        for bound in bounds:  # each end of the range must itself be a valid config
            try:
                check_command_line([*overrides, f"{key}={float(bound)!r}"])
            except ConfigError as err:
                raise ConfigError(f"{path}: sensitivity.parameters.{key} = {bounds!r}: {err}") from None
    return block


def problem_of(block):
    names = list(block["parameters"])
    return {"num_vars": len(names), "names": names, "bounds": [list(map(float, block["parameters"][n])) for n in names]}


def sample(block):
    """SALib's sample (rows: points, columns: parameters)."""
    problem = problem_of(block)
    if block["method"] == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, block["samples"], calc_second_order=False, seed=block["seed"])
    from SALib.sample import morris

    return morris.sample(problem, block["samples"], num_levels=4, seed=block["seed"])


def write_points(block, points, folder):
    """One config-group option per point, at the global package; returns the group's search path."""
    group = folder / "points" / "gsa_point"
    group.mkdir(parents=True, exist_ok=True)
    for old in group.glob("p*.yaml"):
        old.unlink()
    for index, row in enumerate(points):
        nested = {}
        for key, value in zip(block["parameters"], row, strict=True):
            node = nested
            *parents, leaf = key.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = float(value)
        (group / f"p{index:05d}.yaml").write_text("# @package _global_\n" + yaml.safe_dump(nested, sort_keys=False))
    return folder / "points"


def overrides_for(about, n_points, search_path, jobs_dir):
    names = ",".join(f"p{i:05d}" for i in range(n_points))
    return [*about["overrides"], f"+gsa_point={names}", f"hydra.searchpath=[file://{search_path}]",
            f"hydra.sweep.dir={jobs_dir}"]


def point_outputs(summary):
    """The outputs the indices are computed for, from one point's summary."""
    return (summary["effects"][summary["primary_outcome"]]["mean"], summary["economics"]["incremental_cost"]["mean"])


def reproduce_points(folder, which=None):
    """Re-run points of a sensitivity study from its manifest (the base config plus each point's values)
    and return (numbers compared, differences) against `points.csv`."""
    manifest = recorded_manifest(folder, "sensitivity")
    parameters = manifest["sensitivity"].get("parameters") if isinstance(manifest["sensitivity"], dict) else None
    if not isinstance(parameters, dict) or not parameters:
        raise ConfigError(f"{folder / 'manifest.json'}: sensitivity.parameters is not a mapping of the varied keys")
    committed = read_table(folder / "points.csv", ("point", *parameters, *OUTPUTS), ("point", *parameters, *OUTPUTS),
                           index_col="point")
    compared, found = 0, []
    for point in selected(folder, "--points", which, committed.index):
        cfg = recorded_config(folder, manifest, {key: committed.loc[point, key] for key in parameters})
        fresh = pd.Series(point_outputs(summarise(cfg, run_experiment(cfg, progress=False))), index=list(OUTPUTS))
        count, differ = compare_row(f"point {point}", fresh, committed.loc[point], OUTPUTS)
        compared, found = compared + count, found + differ
    return compared, found


def outputs(jobs_dir, n_points):
    """(points x outputs) array read from every job's summary.json, in point order."""
    values = np.full((n_points, len(OUTPUTS)), np.nan)
    for overrides in jobs_dir.glob("*/.hydra/overrides.yaml"):
        job = overrides.parent.parent
        point = next(o.split("=", 1)[1] for o in read_yaml_list(overrides) if o.startswith("+gsa_point="))
        if not (job / "manifest.json").exists():
            continue
        summary = read_json(job / "summary.json", ("effects", "economics", "primary_outcome"))
        values[int(point[1:])] = point_outputs(summary)
    return values


def analyse(block, points, values):
    """Tidy table of indices: one row per output and parameter."""
    problem = problem_of(block)
    rows = []
    for k, output in enumerate(OUTPUTS):
        y = values[:, k]
        if block["method"] == "sobol":
            from SALib.analyze import sobol

            si = sobol.analyze(problem, y, calc_second_order=False, seed=block["seed"])
            names = {"S1": "S1", "S1_conf": "S1_conf", "ST": "ST", "ST_conf": "ST_conf"}
        else:
            from SALib.analyze import morris

            si = morris.analyze(problem, points, y, num_levels=4, seed=block["seed"])
            names = {"mu_star": "mu_star", "mu_star_conf": "mu_star_conf", "sigma": "sigma", "mu": "mu"}
        for j, name in enumerate(problem["names"]):
            rows.append({"output": output, "parameter": name, **{col: float(si[key][j]) for col, key in names.items()}})
    return pd.DataFrame(rows)


def plot(block, indices, path, primary):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(OUTPUTS), figsize=(12, 0.5 * len(block["parameters"]) + 2.5))
    for ax, output in zip(axes, OUTPUTS, strict=True):
        rows = indices[indices.output == output].iloc[::-1]
        y = np.arange(len(rows))
        if block["method"] == "sobol":
            ax.barh(y + 0.2, rows.S1, 0.4, xerr=rows.S1_conf, capsize=2, label="first order (S1)")
            ax.barh(y - 0.2, rows.ST, 0.4, xerr=rows.ST_conf, capsize=2, label="total (ST)")
            ax.set_xlabel("Sobol index (SALib bootstrap 95% CI over the Saltelli sample)")
        else:
            ax.barh(y, rows.mu_star, 0.6, xerr=rows.mu_star_conf, capsize=2, label="mu* (mean |elementary effect|)")
            ax.set_xlabel("Morris mu*, in the output's units (SALib bootstrap 95% CI over the trajectories)")
        ax.set_yticks(y, rows.parameter, fontsize=8)
        ax.axvline(0, color="black", lw=0.8)
        label = f"{OUTPUTS[output]} ({primary})" if output == "effect" else OUTPUTS[output]
        ax.set_title(label, fontsize=10)
        ax.legend(fontsize=8)
    fig.suptitle(f"{block['method']} sensitivity, {block['samples']} base samples")
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)


def run_sensitivity(about, block, out, cfg):
    """Sample, run every point as one multirun, analyse; the exit status. manifest.json is written last."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)  # incomplete until the indices are written
    points = sample(block)
    search_path = write_points(block, points, out)
    jobs_dir = out / "jobs"
    overrides = overrides_for(about, len(points), search_path, jobs_dir)
    start = time.perf_counter()
    status = multirun(overrides)
    if status:
        return status
    values = outputs(jobs_dir, len(points))
    if np.isnan(values).any():
        print(f"{jobs_dir}: {int(np.isnan(values).any(axis=1).sum())} points without complete results",
              file=sys.stderr)
        return 1
    table = pd.DataFrame(points, columns=list(block["parameters"]))
    for k, output in enumerate(OUTPUTS):
        table[output] = values[:, k]
    indices = analyse(block, points, values)
    write_atomic(out / "points.csv", lambda p: table.to_csv(p, index_label="point"))
    write_atomic(out / "indices.csv", lambda p: indices.to_csv(p, index=False))
    plot(block, indices, out / "sensitivity.png", cfg.primary_outcome)
    write_json(out / "study.json", {**about, "sensitivity": block, "points": len(points)})
    write_json(out / "manifest.json", {**about, "sensitivity": block, "points": len(points),
                                        "config": config_record(cfg),
                                        **manifest_environment(time.perf_counter() - start, cfg.threads)})
    print(indices.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print(f"results: {out}")
    return 0
