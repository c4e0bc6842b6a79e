"""Files written whole or not at all: a temporary name, then an atomic rename; JSON without NaN."""

import json
import math
import os


def json_safe(x):
    """NaN and infinity (which JSON has no token for) as null, at any depth."""
    if isinstance(x, dict):
        return {k: json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_safe(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def write_atomic(path, write):
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_json(path, data):
    write_atomic(path, lambda p: p.write_text(json.dumps(json_safe(data), indent=2, allow_nan=False) + "\n"))


def plain(value):
    """A NumPy scalar as the Python number it holds (JSON takes only the latter)."""
    return value.item() if hasattr(value, "item") else value
