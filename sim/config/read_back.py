"""Files a command reads back (manifests, summaries, replication tables, posteriors), checked as they are read:
readable, whole, with the keys and columns the command needs and finite numbers where it computes with them.
A file that is not gives ConfigError naming the file and what was wrong, never a traceback."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.errors import ConfigError


def _text(path):
    path = Path(path)
    try:
        return path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read ({err.strerror})") from None


def _no_constant(token):
    """JSON's NaN and Infinity tokens (Python writes them; JSON has none) are refused."""
    raise ValueError(f"{token} is not a number JSON allows")


def _finite(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def kept_record(text):
    """A JSON record kept for resuming, or None if it is not whole (a write cut by an interrupt)."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def read_json(path, keys=()):
    """A JSON object with the listed top-level keys, every number in it finite."""
    text = _text(path)
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except ValueError as err:
        raise ConfigError(f"{path}: not valid JSON ({' '.join(str(err).split())})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not a JSON object")
    missing = [k for k in keys if k not in data]
    if missing:
        raise ConfigError(f"{path}: lacks {', '.join(missing)} (not the file this command reads, or from an older "
                          "version)")
    return data


class UniqueKeys(yaml.SafeLoader):
    """YAML that refuses a key given twice in one mapping (plain YAML keeps the last, silently)."""


def _mapping(loader, node, deep=False):
    keys = [loader.construct_object(key, deep=True) for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"]
    twice = next((k for i, k in enumerate(keys) if k in keys[:i]), None)
    if twice is not None:
        raise yaml.constructor.ConstructorError(None, None, f"the key {twice!r} is given twice", node.start_mark)
    return loader.construct_mapping(node, deep)


UniqueKeys.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_yaml_list(path):
    """A YAML list of strings (Hydra's record of a job's overrides)."""
    try:
        data = yaml.load(_text(path), Loader=UniqueKeys)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({' '.join(str(err).split())})") from None
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(o, str) for o in data):
        raise ConfigError(f"{path}: not a list of overrides")
    return data


def read_table(path, columns=(), finite=(), index_col=None):
    """A CSV table with the listed columns; the `finite` ones must be numbers, none NaN or infinite. A table
    ends its last row with a newline (as this package writes them): one that does not was cut short."""
    path = Path(path)
    text = _text(path)
    if not text.strip():
        raise ConfigError(f"{path}: is empty")
    if not text.endswith("\n"):
        raise ConfigError(f"{path}: ends mid-row (a truncated file? a table ends its last row with a newline)")
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
        raise ConfigError(f"{path}: not a readable CSV table ({' '.join(str(err).split())})") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ConfigError(f"{path}: lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if len(table) == 0:
        raise ConfigError(f"{path}: has no rows")
    check_finite(path, table, finite)
    return table.set_index(index_col) if index_col else table


def check_finite(path, table, columns):
    """Each listed column holds numbers, none NaN or infinite."""
    for column in columns:
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            value = table[column].iloc[bad[0]]
            shown = value.item() if hasattr(value, "item") else value
            raise ConfigError(f"{path}: {column} in row {int(bad[0])} is {shown!r}, not a finite number (a truncated "
                              "or edited file?)")


def positive_total(path, values, what):
    """Weights must be finite, non-negative and not all zero (else a draw would silently take one row)."""
    total = math.fsum(float(v) for v in values)
    if not total > 0 or any(float(v) < 0 for v in values):
        raise ConfigError(f"{path}: {what} must be non-negative and sum to a positive number (sum {total:g})")
