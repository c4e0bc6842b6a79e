"""Generated documentation, where the code is the truth: `python -m sim.docs` (`--check` to compare).

- the parameter table (docs/reference/parameters.md and docs/explanation/odd.md): units and
  ranges from the schema (`sim/config/schema.py`), defaults and sources from the default config
  files, where each value carries its source in a comment (a file that extends another through its
  defaults list, as every programme extends `program/_base_.yaml`, shows the values it inherits
  with the base's comments and its own with its own);
- the state-variable tables (docs/explanation/odd.md), from the column definitions in
  `sim/model/columns.py`;
- the day's phases in the order the day loop runs them (docs/explanation/odd.md), from the
  numbered phase comments of `sim.engines.kernels.simulate_days`;
- every value marked `assumption` in any file of conf/ (docs/explanation/assumptions.md), by
  the file that sets it: a programme's rows are its differences from `program/_base_.yaml`;
- the numbers quoted from committed results (`sim.tools.result_tables`): the main job's printed
  table (README.md), the named studies and every programme (docs/explanation/studies.md), the
  calibration's validation table (docs/explanation/validation.md);
- every number quoted in prose from a committed result, each marked with its source
  (`sim.tools.quoted`).

Each generated block sits between `<!-- <name>:start -->` and `<!-- <name>:end -->` in one of
DOCUMENTS, the pages of the documentation site (mkdocs.yml) that hold blocks; a test fails when a
committed page differs from what this generates, or when a page holding a block is not listed here.
"""

import inspect
import re
import sys
from dataclasses import fields, is_dataclass

import yaml

from sim.cli.command import Parser, command
from sim.config.schema import Config
from sim.engines import kernels, pathway, workforce
from sim.model import columns
from sim.paths import CHECKOUT
from sim.tools import findings
from sim.tools.quoted import QUOTE, QuoteError, render_quotes
from sim.tools.result_tables import (
    admission_history_table,
    main_job_table,
    ontario_fit_table,
    programme_table,
    service_size_table,
    study_table,
    validation_table,
    warmup_table,
)

ROOT = CHECKOUT
# The pages holding generated blocks, relative to the checkout.
DOCUMENTS = ("README.md", "docs/tutorial/first-comparison.md", "docs/reference/parameters.md",
             "docs/explanation/odd.md", "docs/explanation/assumptions.md", "docs/explanation/studies.md",
             "docs/explanation/validation.md", "docs/explanation/warmup.md", "docs/index.md",
             "docs/tutorial/trial.md", "docs/how-to/calibrate.md",
             "docs/explanation/economics.md", "docs/explanation/model.md", "docs/explanation/settings.md")
_LINE = re.compile(r"^(?P<key>\w+):\s*(?P<value>[^#]*?)\s*(?:#\s*(?P<comment>.*))?$")


GLOBAL = "# @package _global_"  # a group file that sets keys from the top (the psa group sets replications)


def _commented_values(path, group=None):
    """{key: (value text, comment)} for the top-level keys of a YAML file; of a group's global-package file,
    the keys under its `group:` block."""
    found = {}
    lines = path.read_text().splitlines()
    prefix = ""
    if group and lines and lines[0] == GLOBAL:
        if f"{group}:" not in lines:
            return found
        start = lines.index(f"{group}:")
        lines = lines[start + 1:]
        lines = lines[:next((k for k, line in enumerate(lines) if line and not line.startswith(" ")), len(lines))]
        prefix = "  "
    for line in lines:
        m = _LINE.match(line[len(prefix):]) if line.startswith(prefix) else None
        if m and m["key"] not in ("defaults", "hydra"):
            found[m["key"]] = (m["value"], (m["comment"] or "").strip())
    return found


def _top_values(root, files):
    """Top-level keys: conf/config.yaml's, and those a default group file sets globally."""
    top = _commented_values(root / "conf" / "config.yaml")
    for path in files.values():
        if path.read_text().startswith(GLOBAL):
            top.update(_commented_values(path))
    return top


def _composed_values(path):
    """{key: (value text, comment)} of a config-group file as Hydra composes it: the files its defaults list
    names (same-group names: `program/discharge_support.yaml` extends `program/_base_.yaml`), each composed the
    same way, then the file's own values where `_self_` stands (last when the list does not name it)."""
    own = _commented_values(path, path.parent.name)
    entries = (yaml.safe_load(path.read_text()) or {}).get("defaults", [])
    if "_self_" not in entries:
        entries = [*entries, "_self_"]
    found = {}
    for entry in entries:
        if not isinstance(entry, str) or entry.startswith("/"):
            raise ValueError(f"{path}: defaults entry {entry!r}: only names of files in the same folder are followed")
        found.update(own if entry == "_self_" else _composed_values(path.parent / f"{entry}.yaml"))
    return found


def _default_files(root):
    """The config file behind each group in conf/config.yaml's defaults list."""
    defaults = yaml.safe_load((root / "conf" / "config.yaml").read_text())["defaults"]
    groups = {k: v for item in defaults if isinstance(item, dict) for k, v in item.items() if "/" not in k}
    return {group: root / "conf" / group / f"{option}.yaml" for group, option in groups.items()}


def _allowed(meta):
    if meta["choices"]:
        return ", ".join(meta["choices"])
    if meta["lo"] is None and meta["hi"] is None:
        return "any"
    return f"[{meta['lo']:g}, {meta['hi']:g}]"


def parameter_table(root=ROOT):
    """Markdown: every config key with unit, allowed values, default and source (the default setting's value
    where the setting sets the key)."""
    files = _default_files(root)
    top = _top_values(root, files)
    rows = ["| key | meaning | unit | allowed | default | source (comment in the default file) |",
            "|---|---|---|---|---|---|"]

    def row(key, meta, values, name):
        value, comment = values.get(name, ("", ""))
        return (f"| `{key}` | {meta['doc']} | {meta['unit']} | {_allowed(meta)} | `{value}` | "
                f"{comment or '-'} |")

    setting = files["setting"]  # last in the defaults list: its values are the defaults of what it sets
    for f in fields(Config):
        if is_dataclass(f.type):
            values = _composed_values(files[f.name]) if f.name in files and f.name != "setting" else {}
            values.update(_commented_values(setting, f.name))
            rows += [row(f"{f.name}.{sub.name}", sub.metadata, values, sub.name) for sub in fields(f.type)]
        else:
            rows.append(row(f.name, f.metadata, top, f.name))
    return "\n".join(rows)


_STATE_LINE = re.compile(r"^\s+(?P<name>\w+): np\.ndarray\s+#\s*(?P<doc>.*)$")


def state_tables(root=ROOT):
    """Markdown: each agent type's state variables (type, range and meaning), from sim/model/columns.py."""
    blocks = []
    for cls in (columns.Patients, columns.PeerWorkers, columns.Clinicians, columns.Snapshot):
        own_doc = cls.__doc__ and not cls.__doc__.startswith(f"{cls.__name__}(")  # not NamedTuple's default
        rows = [f"**{cls.__name__}**" + (f": {inspect.getdoc(cls)}" if own_doc else ""), "",
                "| variable | type and meaning |", "|---|---|"]
        for line in inspect.getsource(cls).splitlines():
            m = _STATE_LINE.match(line)
            if m:
                rows.append(f"| `{m['name']}` | {m['doc']} |")
        blocks.append("\n".join(rows))
    return "\n\n".join(blocks)


_PHASE = re.compile(r"^\s+# (?P<number>\d+)\. (?P<text>.*)$")
_MORE = re.compile(r"^\s+#\s{3,}(?P<text>.*)$")


def phase_list(root=ROOT):
    """Markdown: the day's phases in the order `simulate_days` runs them (its numbered comments)."""
    source = inspect.getsource(kernels.simulate_days.py_func).splitlines()
    phases = [f"0. start of day ({pathway.begin_day.__name__}): {inspect.getdoc(pathway.begin_day)}"]
    for line in source:
        if m := _PHASE.match(line):
            phases.append(f"{m['number']}. {m['text']}")
        elif (m := _MORE.match(line)) and len(phases) > 1:
            phases[-1] += f" {m['text']}"
    phases.append(f"{len(phases)}. end of day ({workforce.record_workforce.__name__}): "
                  f"{inspect.getdoc(workforce.record_workforce)}")
    return "\n".join(" ".join(p.split()) for p in phases)


def assumption_list(root=ROOT):
    """Markdown: every value in conf/ whose source comment says `assumption`, by file."""
    rows = ["| file | key | value | note |", "|---|---|---|---|"]
    for path in sorted((root / "conf").rglob("*.yaml")):
        values = _commented_values(path)
        if path.read_text().startswith(GLOBAL):  # a setting's blocks: population:, care:, costs:, ...
            blocks = [key for key, (value, _) in values.items() if not value]
            values = {k: v for k, v in values.items() if k not in blocks}
            for block in blocks:
                values.update({f"{block}.{k}": v for k, v in _commented_values(path, block).items()})
        for key, (value, comment) in values.items():
            if "assumption" in comment.lower():
                rows.append(f"| `{path.relative_to(root / 'conf')}` | `{key}` | `{value}` | {comment} |")
    return "\n".join(rows)


BLOCKS = {"parameters": parameter_table, "state": state_tables, "phases": phase_list,
          "assumptions": assumption_list, "main_job": main_job_table, "studies": study_table,
          "programmes": programme_table, "validation": validation_table, "warmup": warmup_table,
          "admission_history": admission_history_table, "service_size": service_size_table,
          "ontario_fit": ontario_fit_table, "verdict_stability": findings.stability_table,
          "subgroup_findings": findings.subgroup_findings, "subgroup_table": findings.subgroup_table,
          "mentoring_against_broad": findings.mentoring_against_broad, "core_landing": findings.core_landing,
          "suite_size": findings.suite_size, "structural_answer": findings.structural_answer,
          "one_year_readmission": findings.one_year_readmission, "targeting_findings": findings.targeting_findings,
          "what_would_settle": findings.what_would_settle}


def render(text, root=ROOT):
    """The document with every generated block it contains rewritten from the code and conf/."""
    for name, make in BLOCKS.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        if start in text:
            head, rest = text.split(start, 1)
            _, tail = rest.split(end, 1)
            text = f"{head}{start}\n{make(root)}\n{end}{tail}"
    return render_quotes(text, root)


def pages_with_blocks(root=ROOT):
    """The README and every page under docs/ holding a generated block's start marker, relative to `root`."""
    pages = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    markers = [f"<!-- {name}:start -->" for name in BLOCKS]
    return [p.relative_to(root).as_posix() for p in pages
            if p.is_file() and (any(m in p.read_text() for m in markers) or QUOTE.search(p.read_text()))]


@command()
def main(argv=None):
    parser = Parser(prog="sim.docs", description="Regenerate the generated blocks and quoted numbers of the docs.")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if a page is out of date")
    check = parser.parse_args(argv).check
    unlisted = sorted(set(pages_with_blocks()) - set(DOCUMENTS))
    if unlisted:
        print(f"generated blocks in pages not in DOCUMENTS (sim/tools/docs.py): {', '.join(unlisted)}",
              file=sys.stderr)
        sys.exit(1)
    rendered = {}
    for name in DOCUMENTS:  # every page rendered before any is written: a bad quote changes no page
        try:
            rendered[name] = render((ROOT / name).read_text())
        except QuoteError as err:
            print(f"{name}: {err}", file=sys.stderr)
            sys.exit(1)
    stale = [name for name, new in rendered.items() if new != (ROOT / name).read_text()]
    if check:
        if stale:
            print(f"out of date: {', '.join(stale)} (run: python -m sim.docs)", file=sys.stderr)
        sys.exit(1 if stale else 0)
    for name in stale:
        (ROOT / name).write_text(rendered[name])
