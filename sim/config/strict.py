"""The base of the schemas of files a user writes or a command reads back (study files, calibration and
validation settings, a decision study's recorded settings): pydantic models that refuse unknown keys (naming
the nearest valid one), wrong types, NaN and infinity, so each such file is checked as thoroughly as the
run's config, in one line, before any work."""

import difflib
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import ConfigError


class Strict(BaseModel):
    """No unknown keys, no coercion (a string is not a number, a bool is not an integer), finite numbers only."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


Text = Annotated[str, Field(min_length=1)]
Count = Annotated[int, Field(ge=1)]
Seed = Annotated[int, Field(ge=0, le=2**63 - 1)]
Share = Annotated[float, Field(ge=0, le=1)]


def _where(data, loc, missing=False):
    """The key's path in the file: pydantic's location without its own steps (a union's tag, a dict's
    `[key]`)."""
    parts, node = [], data
    for i, part in enumerate(loc):
        present = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node))
        if present:
            parts.append(part)
            node = node[part]
        elif missing and i == len(loc) - 1:
            parts.append(part)  # a required key the file lacks
    return ".".join(str(part) for part in parts)


def _nearest(model, loc):
    """The nearest key the schema allows where an unknown key was given ('' if none is near)."""
    node = model
    for part in loc[:-1]:
        field = node.model_fields.get(part) if isinstance(part, str) else None
        annotation = getattr(field, "annotation", None)
        candidates = [a for a in (annotation, *getattr(annotation, "__args__", ())) if isinstance(a, type)]
        node = next((a for a in candidates if issubclass(a, BaseModel)), None)
        if node is None:
            return ""
    close = difflib.get_close_matches(str(loc[-1]), list(node.model_fields), n=1, cutoff=0.6)
    allowed = ", ".join(node.model_fields)
    return f"; did you mean {close[0]}? (allowed: {allowed})" if close else f" (allowed: {allowed})"


def one_line(error, model, data, where):
    """The first problem of a ValidationError as one line: the file, the key's path, what was wrong."""
    errors = error.errors(include_url=False)
    # a misspelt key shows as a required key missing and an unknown one: name the misspelling
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(part for part in first["loc"] if not (isinstance(part, str) and part.startswith("function-")))
    key = _where(data, loc, first["type"] == "missing")
    if first["type"] == "extra_forbidden":
        return f"{where}: {key}: unknown key{_nearest(model, loc)}"
    if first["type"] == "missing":
        return f"{where}: {key}: required"
    given = first.get("input")
    shown = "" if isinstance(given, dict) else f" = {given!r}"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "string_pattern_mismatch":
        message = "not of the form key=value" if "=" in first["ctx"]["pattern"] else "not a valid name here"
    return f"{where}: {key}{shown}: {message}" if key else f"{where}: {message}"


def checked(model, data, where):
    """`data` as `model`, or ConfigError naming `where` (a file) and the first bad key."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ConfigError(one_line(err, model, data, where)) from None
