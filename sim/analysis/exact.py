"""Sums, means, variances and dot products whose value is the same on every machine.

A reported or committed number must re-run to the same bits on any CPU, BLAS
build and thread count. NumPy's `@` and `np.dot` call BLAS kernels chosen for
the CPU, and the order in which they add (so the last bit of the result)
differs between kernels; NumPy's own sums add in blocks whose order is an
implementation detail. `math.fsum` is correctly rounded: its result is the
exact sum rounded once, whatever the order. Every reduction that feeds a
reported number goes through this module (element-wise arithmetic is exact
per element in IEEE 754 and needs no care).
"""

import math

import numpy as np


def _floats(values):
    return np.asarray(values, dtype=float).ravel().tolist()


def total(values):
    """The correctly rounded sum."""
    return math.fsum(_floats(values))


def mean(values):
    """The correctly rounded sum divided by the count (NaN for no values)."""
    x = _floats(values)
    return math.fsum(x) / len(x) if x else math.nan


def share(flags):
    """The share of true values: an exact count over the count (NaN for no values)."""
    flags = np.asarray(flags, dtype=bool)
    return int(np.count_nonzero(flags)) / flags.size if flags.size else math.nan


def variance(values, ddof=1):
    """Two-pass sample variance, each pass correctly rounded (NaN with too few values)."""
    x = np.asarray(values, dtype=float).ravel()
    if x.size <= ddof:
        return math.nan
    deviations = x - mean(x)
    return math.fsum((deviations * deviations).tolist()) / (x.size - ddof)


def std(values, ddof=1):
    return math.sqrt(variance(values, ddof))


def dot(x, y):
    """The correctly rounded sum of the element-wise products (each product rounded once, as IEEE gives it)."""
    return math.fsum((np.asarray(x, dtype=float) * np.asarray(y, dtype=float)).tolist())


def column_means(matrix):
    """Mean of each column of a 2-D array, each correctly rounded."""
    matrix = np.asarray(matrix, dtype=float)
    return [mean(matrix[:, j]) for j in range(matrix.shape[1])]
