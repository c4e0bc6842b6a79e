"""`python -m sim.tools.structural`: do the committed studies' answers change under the other network structure?

Whether hope spreads through the social network day by day (`care.network_spillover_per_day`) is a structural
choice the evidence leaves open: off by default, 0.005 of the gap a day in the alternative. The model is
calibrated under each structure separately, so each has its own posterior sample (the default's
`results/calibration/england/posterior.csv`, the alternative's
`results/calibration/england/spillover/posterior.csv`). Every
committed result with a verdict (a run, or each job of a sweep; see `verdict_stability.judged_jobs`) that draws
its parameters from a posterior is run again, all its runs, with the alternative spillover and the alternative's
posterior, everything else as its manifest records it. Its answer differs if the verdict on the primary outcome
or the economic decision changes. A result without a posterior is listed, not compared: its parameters were
not calibrated under either structure.

A decision study (every option at once, `sim.cli.decision`) is also judged as a whole: its jobs' tables
under the alternative go through the same decision analysis, and its answer differs if the option to fund
at a threshold changes (decisions.csv).

Writes results/structural/ (structural.csv, decisions.csv, structural.md, summary.json, manifest.json last).
Resumable: each job's row (and re-run table) is kept in `.partial/` as it finishes, and a re-run with the same
settings skips the jobs already there. Exit status 0 whatever the answers (a changed answer is a finding); 2
if the alternative posterior is missing or unusable.
"""

import dataclasses
import shutil
import sys
import time
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from sim.analysis.cost_effectiveness import label_probability, label_text
from sim.analysis.decision.decide import decide
from sim.analysis.decision.options import gather_options
from sim.cli.command import Parser, check_writable, command, real, whole
from sim.cli.decision import settings_of
from sim.config import posterior
from sim.config.comparator import COMPARATOR
from sim.config.read_back import kept_record, read_json
from sim.config.schema import validate
from sim.errors import ConfigError
from sim.experiment.replications import run_experiment, total_runs
from sim.experiment.workers import worker_count
from sim.outputs.atomic import write_atomic, write_json
from sim.outputs.manifest import config_record, manifest_environment, posterior_file_record
from sim.outputs.summary import summarise
from sim.paths import CHECKOUT
from sim.tools.result_tables import effect_text
from sim.tools.verdict_stability import check_root, kept_rows

OUT = "structural"
SPILLOVER = 0.005  # experiments/network_spillover.yaml: the value the model used before it was switched off
POSTERIOR = "results/calibration/england/spillover/posterior.csv"
NOT_COMPARED = "no posterior: not compared"
CALIBRATE = ("python -m sim.calibrate name=england_abc_spillover_v2 db=results/calibration/england/spillover/abc.db "
             "out=results/calibration/england/spillover 'model_overrides=[\"program=self_management\",\"trial=core\","
             "\"psa=none\",\"replications=1\",\"care.network_spillover_per_day=0.005\"]'")
# an answer, as each row has it twice
ANSWER = ("verdict", "effect", "low", "high", "economic_verdict", "economic_probability")
COLUMNS = ["job", "primary_outcome", "runs", "spillover", "posterior", *ANSWER, "spillover_alternative",
           *(f"{k}_alternative" for k in ANSWER), "answer_differs", "note"]


def alternative(cfg, spillover, sample):
    """The same config under the alternative structure: its spillover and the posterior calibrated with it
    (validated again, so a spillover out of range or a posterior the config cannot take stops here)."""
    alt = dataclasses.replace(cfg, care=dataclasses.replace(cfg.care, network_spillover_per_day=spillover),
                              psa=dataclasses.replace(cfg.psa, posterior=sample))
    return validate(OmegaConf.create(config_record(alt)))


def _answer(summary):
    effect = summary["effects"][summary["primary_outcome"]]
    return {"verdict": summary["verdict"], "effect": effect["mean"], "low": effect["ci_low"],
            "high": effect["ci_high"], "economic_verdict": summary.get("economic_verdict"),
            "economic_probability": label_probability(summary["economics"])}


def _kept_table(partial, job):
    return partial / f"{job.replace('/', '__')}.csv"


def compare(folder, root, spillover, sample, jobs=0, partial=None):
    """One row: the committed answer and, if the job drew from a posterior, the answer under the alternative
    (its table kept in `partial` for the decision studies). A job without a posterior is read, not validated
    (its config may predate today's schema)."""
    manifest = read_json(folder / "manifest.json")
    committed = read_json(folder / "summary.json")
    config = manifest["config"]
    row = {"job": str(folder.relative_to(root / "results")), "primary_outcome": committed["primary_outcome"],
           "runs": int(committed["draws"]) * int(committed["replications"]),
           "spillover": config.get("care", {}).get("network_spillover_per_day"),
           "posterior": config.get("psa", {}).get("posterior"), **_answer(committed),
           "spillover_alternative": spillover}
    if not row["posterior"]:
        return {**row, "spillover_alternative": None, **{f"{k}_alternative": None for k in ANSWER},
                "answer_differs": None, "note": NOT_COMPARED}
    try:
        cfg = validate(OmegaConf.create(config))
    except ConfigError as err:
        raise ConfigError(f"{folder}: the config in its manifest.json no longer validates ({err}): regenerate "
                          "the result") from None
    alt = alternative(cfg, spillover, sample)
    table = run_experiment(alt, progress=False, jobs=worker_count(jobs, total_runs(alt)))
    if partial is not None:
        write_atomic(_kept_table(partial, row["job"]), lambda p: table.to_csv(p, index=False))
    again = _answer(summarise(alt, table))
    differs = again["verdict"] != row["verdict"] or again["economic_verdict"] != row["economic_verdict"]
    note = f"committed with spillover {spillover:g} already: only the posterior changes" if (
        cfg.care.network_spillover_per_day == spillover) else ""
    return {**row, **{f"{k}_alternative": v for k, v in again.items()}, "answer_differs": differs, "note": note}


DECISION_COLUMNS = ["study", "threshold", "option", "probability_best", "option_alternative",
                    "probability_best_alternative", "decision_differs"]


def decision_rows(root, partial):
    """Per decision study and threshold: the committed option to fund and the option under the alternative,
    from its jobs' re-run tables."""
    rows = []
    for study in sorted(p.parent for p in (root / "results").glob("*/decision.json")):
        _, jobs, settings = settings_of(study)
        name = study.name
        tables = {job: pd.read_csv(_kept_table(partial, f"{name}/{job}")) for job in jobs}
        options = gather_options(tables, COMPARATOR)
        again = decide(options, settings, COMPARATOR)["decisions"]
        committed = read_json(study / "decision.json")["decisions"]
        for before, after in zip(committed, again, strict=True):
            rows.append({"study": name, "threshold": before["threshold"], "option": before["option"],
                         "probability_best": before["probability_best"], "option_alternative": after["option"],
                         "probability_best_alternative": after["probability_best"],
                         "decision_differs": before["option"] != after["option"]})
    return rows


def committed_posteriors(root, rows):
    """Each posterior the compared jobs drew from, as their manifests recorded it (path and sha256)."""
    found = {}
    for row in rows:
        if row["note"] != NOT_COMPARED:
            recorded = read_json(root / "results" / row["job"] / "manifest.json").get("posterior")
            found.setdefault(row["posterior"], recorded or posterior_file_record(row["posterior"])["posterior"])
    return list(found.values())


def _decision(row, suffix=""):
    """The economic label with the share of draws on its side."""
    return label_text(row[f"economic_verdict{suffix}"], row[f"economic_probability{suffix}"])


def _difference(row, suffix=""):
    return effect_text({"mean": row[f"effect{suffix}"], "ci_low": row[f"low{suffix}"],
                        "ci_high": row[f"high{suffix}"]})


def _decision_lines(decisions, spillover):
    if not decisions:
        return []
    lines = ["", "## Decision studies", "",
             "Every option at once, judged as a whole: the option with the highest expected net monetary benefit "
             "at each threshold, and the share of parameter draws in which it is the best.", "",
             f"| study | threshold | fund (committed) | best in | fund (spillover {spillover:g}/day) | best in | "
             "decision differs |", "|---|---|---|---|---|---|---|"]
    for d in decisions:
        lines.append(f"| `{d['study']}` | {d['threshold']:,.0f} | {d['option']} | {d['probability_best']:.0%} | "
                     f"{d['option_alternative']} | {d['probability_best_alternative']:.0%} | "
                     f"{'**yes**' if d['decision_differs'] else 'no'} |")
    return lines


def markdown(table, spillover, sample, committed, decisions=()):
    """structural.md: what the two structures are, then one row per result, then the decision studies."""
    compared = table[table["note"] != NOT_COMPARED]
    differ = int(compared["answer_differs"].astype(bool).sum())
    paths = " and ".join(f"`{p['path']}`" for p in committed) or "the default structure's posterior"
    lines = [
        "# Structural uncertainty: network hope spillover",
        "",
        "Whether hope spreads through the social network day by day is a structural choice the evidence leaves "
        "open. The committed studies use the default structure, without spillover "
        f"(`care.network_spillover_per_day` = 0), their calibrated parameters drawn from {paths}. The "
        "alternative structure pulls each patient's hope toward the mean of their neighbours' by "
        f"{spillover:g} of the gap a day, its calibrated parameters drawn from `{sample}`. Each structure is "
        "calibrated separately to the same targets, so each answer comes from the best fit of its own "
        "structure, not from the default's parameters with spillover switched on. Every committed result with "
        "a verdict that drew from a posterior was run again, all its runs, under the alternative structure; "
        "its answer differs if the verdict on the primary outcome or the economic decision changes. Differences "
        "are programme minus usual care on the primary outcome, in percentage points, with 95% intervals.",
        "",
        f"{len(compared)} of {len(table)} results compared; the answer differs in {differ}.",
        "",
        "| result | primary outcome | committed verdict | difference | economic decision | "
        f"verdict, spillover {spillover:g}/day | difference | economic decision | answer differs |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in table.to_dict("records"):
        default = f"{row['verdict']} | {_difference(row)} | {_decision(row)}"
        if row["note"] == NOT_COMPARED:
            alt = f"{NOT_COMPARED} | | |"
        else:
            alt = (f"{row['verdict_alternative']} | {_difference(row, '_alternative')} | "
                   f"{_decision(row, '_alternative')} | {'**yes**' if row['answer_differs'] else 'no'}")
        result = f"`{row['job']}`" + (f" ({row['note']})" if row["note"] and row["note"] != NOT_COMPARED else "")
        lines.append(f"| {result} | {row['primary_outcome']} | {default} | {alt} |")
    lines += _decision_lines(decisions, spillover)
    return "\n".join(lines) + "\n"


def _settings(spillover, sample):
    """What the kept rows were made with: a re-run with other settings starts afresh."""
    return {"spillover": spillover, **posterior_file_record(sample)}


@command()
def main(argv=None):
    parser = Parser(prog="sim.tools.structural", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=CHECKOUT, help="the checkout whose results/ to read")
    parser.add_argument("--spillover", type=real(0.0, 1.0), default=SPILLOVER,
                        help=f"care.network_spillover_per_day of the alternative structure (default {SPILLOVER})")
    parser.add_argument("--posterior", default=POSTERIOR,
                        help=f"the alternative structure's posterior.csv, relative to the checkout as psa.posterior "
                             f"is (default {POSTERIOR})")
    parser.add_argument("--jobs", type=whole(0, 4096), default=0,
                        help="worker processes per re-run (default 0: every core)")
    args = parser.parse_args(argv)
    path = posterior.resolve(args.posterior)
    if not path.is_file():
        raise ConfigError(f"--posterior {path}: no such file; calibrate the alternative structure first: {CALIBRATE}")
    check_root(args.root)
    posterior.load(args.posterior)
    out = args.root / "results" / OUT
    check_writable(out)
    partial = out / ".partial"
    settings = _settings(args.spillover, args.posterior)
    if (partial / "settings.json").exists() and kept_record((partial / "settings.json").read_text()) != settings:
        shutil.rmtree(partial)  # rows made with another spillover or posterior
    partial.mkdir(parents=True, exist_ok=True)
    write_json(partial / "settings.json", settings)
    (out / "manifest.json").unlink(missing_ok=True)
    start = time.perf_counter()
    rows = []
    for row in kept_rows(args.root, partial,
                         lambda folder: compare(folder, args.root, args.spillover, args.posterior, args.jobs, partial)):
        rows.append(row)
        after = row["note"] if row["note"] == NOT_COMPARED else (
            f"{row['verdict_alternative']}, {_decision(row, '_alternative')}")
        print(f"{row['job']}: {row['verdict']}, {_decision(row)} -> {after}", file=sys.stderr, flush=True)
    decisions = decision_rows(args.root, partial)
    table = pd.DataFrame(rows, columns=COLUMNS)
    committed = committed_posteriors(args.root, rows)
    differing = [r["job"] for r in rows if r["answer_differs"]]
    compared = sum(r["note"] != NOT_COMPARED for r in rows)
    write_atomic(out / "structural.csv", lambda p: table.to_csv(p, index=False))
    write_atomic(out / "decisions.csv",
                 lambda p: pd.DataFrame(decisions, columns=DECISION_COLUMNS).to_csv(p, index=False))
    write_atomic(out / "structural.md", lambda p: p.write_text(markdown(table, args.spillover, args.posterior,
                                                                        committed, decisions)))
    write_json(out / "summary.json", {"jobs": len(rows), "compared": compared, "not_compared": len(rows) - compared,
                                      "answers_differ": len(differing), "differing": differing,
                                      "decisions_differ": [f"{d['study']} at {d['threshold']:g}" for d in decisions
                                                           if d["decision_differs"]],
                                      "spillover": args.spillover})
    write_json(out / "manifest.json", {
        **manifest_environment(time.perf_counter() - start),
        "spillover": args.spillover,
        "posteriors": {"default": committed, "alternative": posterior_file_record(args.posterior)["posterior"]},
        "command": "python -m sim.tools.structural " + " ".join(argv if argv is not None else sys.argv[1:]),
    })
    shutil.rmtree(partial)
    print(f"{compared} of {len(rows)} results compared; the answer differs in {len(differing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
