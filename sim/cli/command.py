"""How every command ends on a failure: one line, never a traceback (unless HYDRA_FULL_ERROR=1).

A bad flag, value or input file (ConfigError) names what was wrong and exits 2; an environment error (a
folder that cannot be written, a full disk: OSError) names the path and exits 1; an interrupt exits 130
(every result is written whole with its manifest last, so nothing it leaves looks complete).
"""

import argparse
import functools
import os
import sys
from pathlib import Path

from sim.errors import ConfigError

BAD_INPUT, ENVIRONMENT, INTERRUPTED = 2, 1, 130


def full_error():
    return os.environ.get("HYDRA_FULL_ERROR") == "1"


def environment_line(err):
    """An OSError as one line naming the path."""
    where = err.filename or ""
    return f"error: {where}: {err.strerror or err}" if where else f"error: {err}"


def command(prefix="error"):
    """Wrap a command's main so a ConfigError exits 2 and an OSError exits 1, each with one line."""

    def wrap(main):
        @functools.wraps(main)
        def run(*args, **kwargs):
            try:
                return main(*args, **kwargs)
            except ConfigError as err:
                if full_error():
                    raise
                print(f"{prefix}: {' '.join(str(err).split())}", file=sys.stderr)
                sys.exit(BAD_INPUT)
            except OSError as err:
                if full_error():
                    raise
                print(environment_line(err), file=sys.stderr)
                sys.exit(ENVIRONMENT)
            except KeyboardInterrupt:
                print("interrupted: no result was completed", file=sys.stderr)
                sys.exit(INTERRUPTED)

        return run

    return wrap


def check_writable(folder):
    """Refuse, before any work, an output folder that cannot be made or written: OSError naming it."""
    folder = Path(folder).absolute()
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise NotADirectoryError(20, f"cannot make this output folder: {existing} is a file", str(folder))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(13, f"cannot write this output folder: {existing} is read-only", str(folder))


class Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line (argparse prints its usage over several) and exit 2, and a flag is
    never guessed from its first letters (`--validat` is not `--validate`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def error(self, message):
        print(f"error: {message} (python -m {self.prog} --help)", file=sys.stderr)
        sys.exit(BAD_INPUT)


def whole(lo, hi=None):
    """A flag's whole number in [lo, hi]."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < lo or hi is not None and value > hi:
            raise argparse.ArgumentTypeError(f"{value} is outside [{lo}, {'∞' if hi is None else hi}]")
        return value

    return parse


def real(lo, hi):
    """A flag's finite number in [lo, hi]."""

    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not lo <= value <= hi:  # NaN fails too
            raise argparse.ArgumentTypeError(f"{text} is outside [{lo:g}, {hi:g}]")
        return value

    return parse


def wholes(lo, hi=None):
    """A flag's comma-separated whole numbers, each in [lo, hi]."""
    one = whole(lo, hi)
    return lambda text: [one(part) for part in text.split(",")]


numbers = wholes(0)  # rows or runs, e.g. 0,143,287
