"""Calibration with uncertainty, ABC-SMC against published targets: `python -m sim.calibrate [key=value ...]`.

Configured through Hydra (`conf/calibrate.yaml`, any key overridable on the command line): the priors of
the calibrated parameters, the model each evaluation runs (an emulated CORE trial inside one care system,
whose service also gives the base rates), the targets with their uncertainty, and where the evaluations run
(this process, a local Dask cluster, or SLURM through dask-jobqueue). The run resumes from its database.
Written into `out`: posterior.csv and posterior.json (the sample the PSA draws from), posterior_summary.csv,
generations.csv, predictive.csv, fitted_vs_target.csv and .md, posterior_pairs.png, generations.png, and
manifest.json last: a folder without it is not a finished calibration.
`--report` re-makes the outputs from the database; `--apply` writes the posterior means into `conf/`;
`--validate` writes the posterior predictive validation against evidence not used in fitting
(`conf/validation.yaml`) into `results/calibration/england/validation/`.
"""

import re
import shutil
import sys
import time
from pathlib import Path

from sim.calibration import diagnostics, posterior, smc, validation
from sim.calibration.cluster import evaluation_map
from sim.calibration.settings import load_settings
from sim.calibration.simulator import Simulator
from sim.cli.command import Parser, check_writable, command
from sim.config import posterior as posterior_file
from sim.config.read_back import read_json, read_table
from sim.config.schema import Config
from sim.errors import ConfigError
from sim.outputs.atomic import write_atomic, write_json
from sim.outputs.manifest import manifest_environment, posterior_file_record
from sim.paths import CHECKOUT, CONF

FINISHED = ("manifest.json", "posterior.csv", "posterior.json")  # removed before a run, written after it


def output_folder(settings):
    return CHECKOUT / settings["out"]


def report(settings, history, started):
    """Every output from the database (and fresh predictive simulations), manifest.json last."""
    out = output_folder(settings)
    out.mkdir(parents=True, exist_ok=True)
    last = posterior.final_generation(history, settings)
    frame, generation = posterior.from_history(history, settings["priors"], last)
    if settings["fit"] == "base_rates":
        shared, _ = posterior_file.load(settings["shared_posterior"])
        frame = posterior.joined(frame, shared, settings["seed"])
    table = diagnostics.generations(history, last)
    with evaluation_map(settings) as map_:
        draws = diagnostics.predictive(settings, frame, map_, Simulator(settings["model_overrides"]))
    fitted = diagnostics.fitted_vs_target(settings, draws)
    write_atomic(out / "generations.csv", lambda p: table.to_csv(p, index=False))
    write_atomic(out / "posterior_summary.csv",
                 lambda p: diagnostics.summary(frame, settings).to_csv(p, index=False, float_format="%.6g"))
    write_atomic(out / "predictive.csv", lambda p: draws.to_csv(p, index=False, float_format="%.17g"))
    write_atomic(out / "fitted_vs_target.csv", lambda p: fitted.to_csv(p, index=False))
    write_atomic(out / "fitted_vs_target.md", lambda p: p.write_text(diagnostics.fitted_markdown(fitted)))
    diagnostics.figures(out, frame, settings, table)
    program = next(o.split("=", 1)[1] for o in settings["model_overrides"] if o.startswith("program="))
    posterior.write(out, frame, {"name": settings["name"], "program": program, "generation": generation,
                                 "particles": len(frame), "epsilon": float(table["epsilon"].iloc[-1]),
                                 "evaluations": int(table["evaluations"].sum()),
                                 "model_overrides": settings["model_overrides"]})
    write_json(out / "manifest.json", {"calibration": settings, **manifest_environment(time.time() - started)})
    print(diagnostics.fitted_markdown(fitted))
    print(table.to_string(index=False))


def calibrate(settings):
    started = time.time()
    smc.stored_generations(settings)  # a database of other settings is refused before the last result goes
    for name in FINISHED:
        (output_folder(settings) / name).unlink(missing_ok=True)
    history = smc.run(settings)
    report(settings, history, started)


def apply(settings, conf=CONF):
    """Copy the posterior sample to `conf/setting/<setting_name>/` (what psa=default draws from), and write each
    fitted key's posterior mean where the key is set: in the setting's file if it sets it, else in its group's
    file (the model's choice, else default.yaml), with a comment naming the calibration (what psa=none runs)."""
    out = output_folder(settings)
    frame, _ = posterior_file.load(out / "posterior.csv")  # a whole sample, before conf/ is touched
    columns = sorted(c for c in frame.columns if c != posterior_file.WEIGHT)
    fitted = sorted(settings["priors"])
    if not set(fitted) <= set(columns) or settings["fit"] == "all" and columns != fitted:
        raise ConfigError(f"{out / 'posterior.csv'}: its columns ({', '.join(columns)}) are not the calibrated keys "
                          f"({', '.join(sorted(settings['priors']))})")
    summary = read_table(out / "posterior_summary.csv", ("key", "mean", "q2.5", "q97.5"),
                         ("mean", "q2.5", "q97.5")).set_index("key")
    meta = read_json(out / "posterior.json", ("name", "generation"))
    if summary.index.duplicated().any():
        raise ConfigError(f"{out / 'posterior_summary.csv'}: a key has two rows")
    missing = [key for key in settings["priors"] if key not in summary.index]
    if missing:
        raise ConfigError(f"{out / 'posterior_summary.csv'}: no row for {', '.join(missing)}")
    choices = dict(o.split("=", 1) for o in settings["model_overrides"])
    setting_file = Path(conf) / "setting" / f"{settings['setting_name']}.yaml"
    # only the setting the shared mechanism was fitted in writes it into the shared group files
    home = settings["fit"] == "all" and Path(settings["shared_posterior"]).parent.name == settings["setting_name"]
    texts = {}  # every file's new text first: a refused key leaves conf/ as it was
    for key in settings["priors"]:
        group, name = key.split(".", 1)
        text = texts.get(setting_file) or setting_file.read_text()
        found, path = _line_in_block(text, group, name), setting_file
        if not found and not home:
            raise ConfigError(f"{setting_file}: no line for {group}.{name}: a setting that is not the shared "
                              f"posterior's ({settings['shared_posterior']}) writes only into its own file")
        if not found:
            path = Path(conf) / group / f"{choices.get(group, 'default')}.yaml"
            text = texts.get(path) or path.read_text()
            found = re.compile(rf"^{re.escape(name)}:[^\n]*$", re.M).search(text)
        if not found:
            raise ConfigError(f"{path}: no line for {name} to calibrate")
        unit = Config.__dataclass_fields__[group].type.__dataclass_fields__[name].metadata["unit"]
        row = summary.loc[key]
        mean = float(row["mean"])
        comment = (f"{unit}; posterior mean (95%: {float(row['q2.5']):.4g}-{float(row['q97.5']):.4g}), "
                   f"{settings['out']} ({meta['name']}, ABC-SMC generation {meta['generation']})")
        indent = found.group(1) if found.re.groups else ""
        texts[path] = text[:found.start()] + f"{indent}{name}: {round(mean, 4)!r}  # {comment}" + text[found.end():]
        print(f"{path}: {name} = {round(mean, 4)!r}")
    target = Path(conf) / "setting" / settings["setting_name"]
    target.mkdir(exist_ok=True)
    for name in ("posterior.csv", "posterior.json"):
        shutil.copyfile(out / name, target / name)
    for path, text in texts.items():
        path.write_text(text)


def _line_in_block(text, group, name):
    """The line setting `name` inside the top-level `group:` block of a setting file (None if it has none)."""
    block = re.compile(rf"^{re.escape(group)}:[^\n]*\n((?:[ #][^\n]*(?:\n|\Z)|\n)*)", re.M).search(text)
    if not block:
        return None
    line = re.compile(rf"^(  ){re.escape(name)}:[^\n]*$", re.M)  # the block's own keys, two spaces in
    return line.search(text, block.start(1), block.end(1))


def validate(overrides):
    """The validation table (csv, md) and its manifest, last. The table is computed before the folder is
    touched, so a run that fails or is stopped leaves a complete validation as it was."""
    started = time.time()
    settings = validation.load_validation(overrides)
    out = CHECKOUT / settings["out"]
    check_writable(out)
    table = validation.validation_table(settings)
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    write_atomic(out / "validation.csv", lambda p: table.to_csv(p, index=False))
    text = validation.markdown(table)
    write_atomic(out / "validation.md", lambda p: p.write_text(text))
    write_json(out / "manifest.json", {"validation": settings,
                                       **posterior_file_record(settings["posterior"]),
                                       **manifest_environment(time.time() - started)})
    print(text)


@command("config error")
def main(argv=None):
    parser = Parser(prog="sim.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="conf/calibrate.yaml overrides, e.g. population=100")
    parser.add_argument("--report", action="store_true", help="re-make the outputs from the database")
    parser.add_argument("--apply", action="store_true", help="write the posterior means into conf/")
    parser.add_argument("--validate", action="store_true",
                        help="posterior predictive validation (conf/validation.yaml overrides)")
    args = parser.parse_intermixed_args(argv)
    if sum((args.report, args.apply, args.validate)) > 1:
        raise ConfigError("--report, --apply and --validate: give at most one")
    try:
        if args.validate:
            validate(args.overrides)
            return
        settings = load_settings(args.overrides)
        if args.apply:
            apply(settings)
        elif args.report:
            import pyabc

            if not smc.stored_generations(settings):
                raise ConfigError(f"calibrate db = {settings['db']}: no finished generation to report")
            check_writable(output_folder(settings))
            report(settings, pyabc.History(f"sqlite:///{smc.database(settings)}"), time.time())
        else:
            check_writable(output_folder(settings))
            check_writable(smc.database(settings).parent)
            calibrate(settings)
    except KeyboardInterrupt:
        print("interrupted: the finished generations are in the database; run the same command to resume",
              file=sys.stderr)
        sys.exit(130)
