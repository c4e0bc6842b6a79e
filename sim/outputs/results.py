"""A run's results folder: the table, the figures, per-patient records and what is read from them (with
`records.write`), summary.json, and manifest.json last.

Every file is written to a temporary name and renamed into place, and
`manifest.json` is written last: a folder without it is not a complete run.
An interruption while writing removes what this run had written.
"""

from pathlib import Path

from sim.outputs.atomic import write_atomic, write_json
from sim.outputs.figures import plot_cost_effectiveness, plot_occupancy, plot_readmission, plot_survival, plot_trials
from sim.outputs.manifest import manifest
from sim.outputs.records import FOLDER, RECORD_FILES, clear_records, write_record_analyses

RESULT_FILES = ("replications.csv", "readmission.png", "cost_effectiveness.png", "survival.png", "occupancy.png",
                "trial.png", *RECORD_FILES, "summary.json", "manifest.json")


def write_results(out_dir, cfg, table, summary, engine_seconds):
    """All result files; manifest.json last, as the mark of a complete run. A reused folder's old manifest
    goes first, so a kill while writing never leaves an old manifest beside new files."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    try:
        write_atomic(out / "replications.csv", lambda p: table.to_csv(p, index=False))
        if "trial" in summary:
            plot_trials(summary, table, out / "trial.png")
        else:
            plot_readmission(summary, table, out / "readmission.png")
            plot_cost_effectiveness(summary, table, out / "cost_effectiveness.png")
            if summary["readmission_free"]:
                plot_survival(summary, out / "survival.png")
            if summary["weekly_bed_occupancy"]:
                plot_occupancy(summary, out / "occupancy.png")
            if cfg.records.write:
                summary = {**summary, "records": write_record_analyses(out, cfg, summary["comparison"]["comparator"])}
        write_json(out / "summary.json", summary)
        write_json(out / "manifest.json", manifest(cfg, engine_seconds, summary.get("overrides")))
    except BaseException:
        remove_results(out)
        raise


def remove_results(out):
    """Delete this run's result files and temporary files, leaving Hydra's own logs."""
    for path in [*(out / name for name in RESULT_FILES), *out.glob(".*.tmp")]:
        path.unlink(missing_ok=True)
    clear_records(out / FOLDER)
