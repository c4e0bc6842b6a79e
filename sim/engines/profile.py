"""Cycles per phase of the Numba day (`python -m sim.bench --phases`): where a patient-day's time goes.

`simulate_days` takes a `clock`: None in every run, for which Numba compiles `lap` as no code at all (the
kernel is the one that runs without profiling); or an int64 array with one slot per phase, into which each
`lap` adds the CPU's cycle counter (`llvm.readcyclecounter`) since the previous one. Profiling changes no
result: it only reads the counter.
"""

from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic, overload

PHASES = ("start of day", "relapse draws", "active patients", "crises", "hope of the day",
          "hope and engagement changed", "peer workers")


def lap(clock, phase, since):
    """Add the cycles since `since` to `clock[phase]` and return the counter now (compiled; 0 in Python)."""
    return 0


@overload(lap, inline="always")
def _lap(clock, phase, since):
    if isinstance(clock, (types.NoneType, types.Omitted)):
        return lambda clock, phase, since: since

    def impl(clock, phase, since):
        now = _cycles()
        if phase >= 0:
            clock[phase] += now - since
        return now

    return impl


@intrinsic
def _cycles(typingctx):
    """The CPU's cycle counter (the time-stamp counter on x86)."""

    def codegen(context, builder, signature, args):
        function = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.IntType(64), []),
                                                  "llvm.readcyclecounter")
        return builder.call(function, [])

    return types.int64(), codegen
