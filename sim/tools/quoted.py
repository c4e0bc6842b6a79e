"""Numbers quoted in prose from committed results, each rewritten from its source by `python -m sim.docs`.

A quoted number sits in a page between two HTML comments (invisible on the site and on GitHub):

    costs <!-- = results/default_comparison/summary.json#economics.icer.value|,.0f -->9,263<!-- . --> per QALY

The source is a file of the checkout and a path into it: dotted keys into a JSON file, `name[key=value,...]` to
pick the one element of a list of records with those values, and for a CSV file a leading `[column=value,...]`
that picks its one row, then the column. A verdict or a label is quoted with the format `s`. A number's
format is Python's, after optional flags: `%` multiplies by 100,
`abs` takes the magnitude (for "falls by 5.7 points"), `−` writes a minus sign as the typographic minus. A
source that is missing, ambiguous or not a finite number, and a quote not closed or not well formed, stop the
generator with the quote's text, so a quote cannot silently point at nothing. A source path holds no `#` and a
path no `|`; a selector compares the stored value as text (`[threshold=20000.0]`, not `[threshold=20000]`).
"""

import csv
import json
import math
import re
from functools import cache
from pathlib import Path

QUOTE = re.compile(r"<!-- = (?P<source>[^|#\s]+)#(?P<path>[^|]+?)\|(?P<format>[^ ]*) -->"
                   r"(?P<value>(?:(?!<!--).)*?)<!-- \. -->")  # a value holds no comment: an unclosed quote fails
_SEGMENT = re.compile(r"(?:[^.\[]|\[[^\]]*\])+")  # a dot inside [...] does not split a path
_SELECT = re.compile(r"^(?P<name>[^\[]*)(?:\[(?P<where>[^\]]*)\])?$")
FLAGS = ("%", "abs", "−")


class QuoteError(ValueError):
    """A quote whose source cannot give one number."""


@cache
def _load(path):
    path = Path(path)
    if path.suffix == ".csv":
        with open(path, newline="") as f:
            return list(csv.DictReader(f))
    return json.loads(path.read_text())


def _pick(records, where, quote):
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise QuoteError(f"{quote}: [{where}] picks from a list of records, not from {type(records).__name__}")
    if not all("=" in part for part in where.split(",")):
        raise QuoteError(f"{quote}: [{where}]: each condition is key=value")
    wanted = dict(part.split("=", 1) for part in where.split(","))
    found = [r for r in records if all(str(r.get(k)) == v for k, v in wanted.items())]
    if len(found) != 1:
        raise QuoteError(f"{quote}: [{where}] matches {len(found)} records, not one")
    return found[0]


def lookup(root, source, path):
    """The value at `path` in the file `source` of the checkout at `root`."""
    quote = f"{source}#{path}"
    try:
        node = _load(Path(root) / source)
    except (OSError, ValueError) as err:
        raise QuoteError(f"{quote}: cannot read {source} ({err})") from None
    segments = _SEGMENT.findall(path)
    while segments:
        segment = segments.pop(0)
        # a key holding dots (a CSV column such as q2.5) is read whole when the node has it
        while isinstance(node, dict) and segments and segment not in node and f"{segment}.{segments[0]}" in node:
            segment = f"{segment}.{segments.pop(0)}"
        m = _SELECT.match(segment)
        if m is None:
            raise QuoteError(f"{quote}: bad segment {segment!r}")
        if m["name"]:
            if not isinstance(node, dict) or m["name"] not in node:
                raise QuoteError(f"{quote}: no key {m['name']!r}")
            node = node[m["name"]]
        if m["where"] is not None:
            node = _pick(node, m["where"], quote)
    return node


def formatted(value, spec, quote=""):
    """`value` as the format `spec` (after its FLAGS) writes it; the spec `s` writes a word or sentence of the
    results (a verdict, a label) as it stands."""
    if spec == "s":
        if not isinstance(value, str) or "\n" in value or "<!--" in value:
            raise QuoteError(f"{quote}: {value!r} is not text of one line")
        return value
    minus = False
    while spec.startswith(FLAGS):
        flag = next(f for f in FLAGS if spec.startswith(f))
        spec = spec[len(flag):]
        try:
            value = {"%": lambda v: 100 * float(v), "abs": lambda v: abs(float(v)), "−": lambda v: v}[flag](value)
        except (TypeError, ValueError):
            raise QuoteError(f"{quote}: {value!r} is not a number") from None
        minus = minus or flag == "−"
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise QuoteError(f"{quote}: {value!r} is not a number")
    try:
        number = float(value)
    except ValueError:
        raise QuoteError(f"{quote}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise QuoteError(f"{quote}: {value!r} is not a finite number")
    text = format(round(number) if spec.endswith("d") else number, spec)
    return text.replace("-", "−") if minus else text


def render_quotes(text, root):
    """The text with every quoted number rewritten from its source."""
    def one(m):
        quote = m.group(0)
        value = formatted(lookup(root, m["source"], m["path"]), m["format"], quote)
        return f"<!-- = {m['source']}#{m['path']}|{m['format']} -->{value}<!-- . -->"

    _load.cache_clear()
    if text.count("<!-- = ") != len(QUOTE.findall(text)):
        bad = next(line for line in text.splitlines() if line.count("<!-- = ") != len(QUOTE.findall(line)))
        raise QuoteError(f"a quote that is not closed or not well formed: {bad.strip()[:200]}")
    return QUOTE.sub(one, text)
