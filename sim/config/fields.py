"""Schema fields: a parameter's type with its unit, range and description, read by validation and the docs."""

from dataclasses import MISSING, field


def param(unit, lo=None, hi=None, *, choices=None, length=None, doc="", off=MISSING):
    """A schema field whose value comes from `conf/`. A mechanism added after results were committed gives
    `off`, the value that switches it off, so older manifests (without the key) re-run unchanged."""
    meta = {"unit": unit, "lo": lo, "hi": hi, "choices": choices, "length": length, "doc": doc}
    return field(default=off, metadata=meta, kw_only=off is not MISSING)  # a default may precede fields without


def free_form(factory, doc):
    """A list or mapping field checked by its own code (PSA draws, an extension's parameters), not by range."""
    meta = {"unit": "-", "lo": None, "hi": None, "choices": None, "length": None, "doc": doc, "free_form": True}
    return field(default_factory=factory, metadata=meta)
