"""Generated documentation: the parameter table in the README, from the schema and conf/.

Units and ranges come from the schema (`sim/config.py`); defaults and sources
from the default config files, where each value carries its source in a
comment. `python -m sim.docs` rewrites the table; a test fails when the
committed README differs from what this generates.
"""

import re
import sys
from dataclasses import fields, is_dataclass
from pathlib import Path

import yaml

from sim.config import Config

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"
_LINE = re.compile(r"^(?P<key>\w+):\s*(?P<value>[^#]*?)\s*(?:#\s*(?P<comment>.*))?$")


def _commented_values(path):
    """{key: (value text, comment)} for the top-level keys of a YAML file."""
    found = {}
    for line in path.read_text().splitlines():
        m = _LINE.match(line)
        if m and m["key"] not in ("defaults", "hydra"):
            found[m["key"]] = (m["value"], (m["comment"] or "").strip())
    return found


def _default_files():
    """The config file behind each group in conf/config.yaml's defaults list."""
    defaults = yaml.safe_load((ROOT / "conf" / "config.yaml").read_text())["defaults"]
    groups = {k: v for item in defaults if isinstance(item, dict) for k, v in item.items()}
    return {group: ROOT / "conf" / group / f"{option}.yaml" for group, option in groups.items()}


def _allowed(meta):
    if meta["choices"]:
        return ", ".join(meta["choices"])
    if meta["lo"] is None and meta["hi"] is None:
        return "any"
    return f"[{meta['lo']:g}, {meta['hi']:g}]"


def parameter_table():
    """Markdown: every config key with unit, allowed values, default and source."""
    files = _default_files()
    top = _commented_values(ROOT / "conf" / "config.yaml")
    rows = ["| key | meaning | unit | allowed | default | source (comment in the default file) |",
            "|---|---|---|---|---|---|"]

    def row(key, meta, values, name):
        value, comment = values.get(name, ("", ""))
        return (f"| `{key}` | {meta['doc']} | {meta['unit']} | {_allowed(meta)} | `{value}` | "
                f"{comment or '-'} |")

    for f in fields(Config):
        if is_dataclass(f.type):
            values = _commented_values(files[f.name])
            rows += [row(f"{f.name}.{sub.name}", sub.metadata, values, sub.name) for sub in fields(f.type)]
        else:
            rows.append(row(f.name, f.metadata, top, f.name))
    return "\n".join(rows)


def render_readme(text):
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{parameter_table()}\n{END}{tail}"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    readme = ROOT / "README.md"
    text = readme.read_text()
    new = render_readme(text)
    if "--check" in argv:
        sys.exit(0 if new == text else 1)
    readme.write_text(new)


if __name__ == "__main__":
    main()
