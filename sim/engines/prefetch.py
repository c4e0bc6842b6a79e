"""A software prefetch for Numba kernels: ask the CPU to start loading `array[index]` now.

Why: the sparse phases visit a few patients a day (the active ones, the
crises, those whose hope changed) scattered over the arrays, and each visit
reads a dozen columns: a dozen cache misses, mostly one after another.
Issuing the loads for a patient a few places ahead lets them overlap. It is a
hint only: it changes no value, so results stay identical. In Python (the Mesa
engine) it does nothing.
"""

from llvmlite import ir
from numba import njit
from numba.core import cgutils, types
from numba.extending import intrinsic, overload

AHEAD = 8  # a sparse list's loop prefetches the columns of the patient this many places ahead


def prefetch(array, index):
    """Start loading array[index] into the cache (compiled); nothing in Python."""


@overload(prefetch, inline="always")
def _prefetch(array, index):
    def impl(array, index):
        _llvm_prefetch(array, index)

    return impl


@intrinsic
def _llvm_prefetch(typingctx, array, index):
    """llvm.prefetch of one element for reading, into all cache levels."""

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        pointer = cgutils.get_item_pointer(context, builder, array_type, view, [args[1]], wraparound=False)
        byte_pointer = ir.IntType(8).as_pointer()
        # LLVM names the intrinsic by its pointer type: "ptr" (opaque pointers) or "i8*" (older llvmlite)
        name = "llvm.prefetch.p0" if str(byte_pointer) == "ptr" else "llvm.prefetch.p0i8"
        i32 = ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]), name)
        # arguments: address, 0 = read, 3 = keep in all cache levels, 1 = data cache
        builder.call(function, [builder.bitcast(pointer, byte_pointer), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen


@njit(_nrt=False)
def prefetch_visit(p, i):
    """The columns phase 2 reads for every active patient."""
    prefetch(p.state, i)
    prefetch(p.days_left, i)
    prefetch(p.peer_worker, i)
    prefetch(p.last_discharge_day, i)
    prefetch(p.last_followup_day, i)


@njit(_nrt=False)
def prefetch_crisis(p, i):
    """The columns a crisis reads."""
    prefetch(p.diagnosis, i)
    prefetch(p.age_group, i)
    prefetch(p.forensic, i)
    prefetch(p.prior_admissions, i)
    prefetch(p.admissions, i)
    prefetch(p.index_discharge_day, i)
    prefetch(p.index_readmission_gap, i)
    prefetch(p.trial_day, i)
    prefetch(p.last_discharge_day, i)
    prefetch(p.last_episode_end_day, i)


@njit(_nrt=False)
def prefetch_settle(p, base, fixed, bound, i):
    """The columns settling hope and engagement reads."""
    prefetch(p.hope, i)
    prefetch(p.engagement, i)
    prefetch(p.baseline_hope, i)
    prefetch(p.baseline_engagement, i)
    prefetch(p.resources_day, i)
    prefetch(base, i)
    prefetch(fixed, i)
    prefetch(bound, i)
