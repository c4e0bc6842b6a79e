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


def cholesky(a):
    """Lower-triangular L with L L' = a (a list of lists), element by element in a fixed order (LAPACK's
    blocked kernels add in an order chosen by CPU)."""
    d = len(a)
    low = [[0.0] * d for _ in range(d)]
    for i in range(d):
        for j in range(i + 1):
            s = a[i][j] - math.fsum(low[i][k] * low[j][k] for k in range(j))
            if i == j:
                if s <= 0.0:
                    raise np.linalg.LinAlgError("matrix not positive definite")
                low[i][i] = math.sqrt(s)
            else:
                low[i][j] = s / low[j][j]
    return low


def solve_lower(low, b):
    """x with L x = b (forward substitution)."""
    x = []
    for i, row in enumerate(low):
        x.append((b[i] - math.fsum(row[k] * x[k] for k in range(i))) / row[i])
    return x


def solve_upper_transposed(low, b):
    """x with L' x = b (back substitution on the transpose of a lower-triangular L)."""
    d = len(low)
    x = [0.0] * d
    for i in reversed(range(d)):
        x[i] = (b[i] - math.fsum(low[k][i] * x[k] for k in range(i + 1, d))) / low[i][i]
    return x


def solve_cholesky(low, b):
    """x with (L L') x = b."""
    return solve_upper_transposed(low, solve_lower(low, b))


def gram(x):
    """X'X of an n x k array, each entry correctly rounded (a list of lists)."""
    x = np.asarray(x, dtype=float)
    k = x.shape[1]
    g = [[0.0] * k for _ in range(k)]
    for i in range(k):
        for j in range(i + 1):
            g[i][j] = g[j][i] = dot(x[:, i], x[:, j])
    return g


def matvec(x, v):
    """X v of an n x k array, each element correctly rounded."""
    products = np.asarray(x, dtype=float) * np.asarray(v, dtype=float)
    return np.array([math.fsum(row) for row in products.tolist()])
