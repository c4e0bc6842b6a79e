"""Per-patient records on disk: one parquet file per run and arm in `<results>/records/`, each written whole
or not at all (a temporary name, then a rename). A folder without manifest.json is not a complete run, records
included."""

import shutil
from pathlib import Path

import pandas as pd

from sim.analysis.subgroups import (
    Paired,
    distributional_table,
    subgroup_table,
    targeting_table,
    value_of_targeting,
)
from sim.config.psa import uncertain
from sim.outputs.atomic import write_atomic
from sim.outputs.figures import plot_subgroups

FOLDER = "records"
RECORD_FILES = ("subgroups.csv", "targeting.csv", "distributional.csv", "subgroups.png")  # read from them


def record_path(folder, replication, arm):
    return Path(folder) / f"replication_{replication:05d}_{arm}.parquet"


def write_records(folder, replication, arm, table):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    table = table.assign(replication=replication, arm=arm)
    write_atomic(record_path(folder, replication, arm), lambda p: table.to_parquet(p, index=False))


def clear_records(folder):
    """Remove the records of an earlier run into the same results folder."""
    shutil.rmtree(Path(folder), ignore_errors=True)


def read_records(folder):
    """Every run's and arm's records as one table, in run order."""
    paths = sorted(Path(folder).glob("replication_*.parquet"))
    return pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)


def write_record_analyses(out, cfg, comparator):
    """subgroups.csv, targeting.csv, distributional.csv and subgroups.png from the run's records; returns what
    summary.json keeps of them (the value of targeting)."""
    records = read_records(out / FOLDER)
    paired = Paired(records, comparator, cfg.program.name, cfg.economics.threshold, cfg.horizon_days / 365.0,
                    cfg.replications if uncertain(cfg) else None)
    subgroups = subgroup_table(paired)
    targeting = targeting_table(paired)
    distributional = distributional_table(paired, cfg.records.by, cfg.records.equity_weights)
    for name, table in (("subgroups", subgroups), ("targeting", targeting), ("distributional", distributional)):
        write_atomic(out / f"{name}.csv", lambda p, t=table: t.to_csv(p, index=False))
    plot_subgroups(subgroups, cfg.program.name, cfg.costs.currency, cfg.economics.threshold, out / "subgroups.png")
    total = distributional.set_index("group")
    return {"threshold": cfg.economics.threshold, "value_of_targeting": value_of_targeting(targeting),
            "net_health_benefit": {k: total.loc[f"all ({k})", "net_health_benefit_difference"]
                                   for k in ("unweighted", "equity_weighted")}}
