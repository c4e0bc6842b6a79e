"""pyabc's multivariate normal perturbation kernel, in arithmetic whose order is fixed.

pyabc's `MultivariateNormalTransition` fits and samples through BLAS and LAPACK (covariance, SVD,
Cholesky), whose kernels OpenBLAS picks by CPU, so the same calibration proposes other particles on other
machines. This kernel does the same thing (weighted covariance times Silverman's bandwidth squared; a
proposal is a particle drawn by weight plus a normal perturbation; the density is the weighted mixture)
with sums in `math.fsum`, a Cholesky factor computed element by element, and element-wise NumPy only.
"""

import itertools
import math

import numpy as np
import pandas as pd
from pyabc import Parameter
from pyabc.transition import Transition
from pyabc.transition.exceptions import NotEnoughParticles

from sim.analysis.exact import cholesky

JITTER = 1e-12  # relative: added to the diagonal when a covariance is singular (a parameter that stopped moving)


def weighted_covariance(x, w):
    """NumPy's `cov(x, aweights=w, rowvar=False)` for weights summing to 1 (the correction 1 / (1 - sum w^2)),
    with exact sums."""
    d = x.shape[1]
    mean = [math.fsum(w * x[:, k]) for k in range(d)]
    scale = 1.0 / (1.0 - math.fsum(w * w))
    return [[scale * math.fsum(w * (x[:, i] - mean[i]) * (x[:, j] - mean[j])) for j in range(d)] for i in range(d)]


def silverman(n_effective, d):
    return (4.0 / n_effective / (d + 2)) ** (1.0 / (d + 4))


class ExactNormalTransition(Transition):
    """Multivariate normal kernel density over the weighted particles (bandwidth: Silverman's rule)."""

    def fit(self, X, w):
        if len(X) == 0:
            raise NotEnoughParticles("Fitting not possible.")
        self._names = list(X.columns)
        self._x = X.to_numpy(dtype=float)
        self._w = np.asarray(w, dtype=float)
        self._cumulative = np.array(list(itertools.accumulate(float(x) for x in self._w)))  # in order
        d = self._x.shape[1]
        factor = silverman(1.0 / math.fsum(self._w * self._w), d) ** 2
        if len(self._w) == 1:  # pyabc's choice for a single particle: its absolute values on the diagonal
            sample = [[abs(self._x[0, i]) if i == j else 0.0 for j in range(d)] for i in range(d)]
        else:
            sample = weighted_covariance(self._x, self._w)
        cov = [[factor * c for c in row] for row in sample]
        try:
            self._low = cholesky(cov)
        except np.linalg.LinAlgError:
            largest = max(abs(cov[i][i]) for i in range(d)) or 1.0
            self._low = cholesky([[c + (JITTER * largest if i == j else 0.0) for j, c in enumerate(row)]
                                  for i, row in enumerate(cov)])
        log_det = 2.0 * math.fsum(math.log(self._low[i][i]) for i in range(d))
        self._log_norm = -0.5 * (d * math.log(2.0 * math.pi) + log_det)

    def rvs_single(self):
        u = np.random.random() * self._cumulative[-1]
        index = min(int(np.searchsorted(self._cumulative, u, side="right")), len(self._w) - 1)
        z = np.random.standard_normal(len(self._names))
        centre = self._x[index]
        return Parameter({name: float(centre[i] + math.fsum(self._low[i][k] * z[k] for k in range(i + 1)))
                          for i, name in enumerate(self._names)})

    def pdf(self, x):
        if isinstance(x, pd.DataFrame):
            return np.array([self._density(row) for row in x[self._names].to_numpy(dtype=float)])
        return self._density([float(x[name]) for name in self._names])

    def _density(self, point):
        """sum_j w_j N(point; x_j, cov): forward substitution across all particles at once, element-wise."""
        d = len(self._names)
        solved = []
        for i in range(d):
            rest = point[i] - self._x[:, i]
            for k in range(i):
                rest = rest - self._low[i][k] * solved[k]
            solved.append(rest / self._low[i][i])
        squared = np.zeros(len(self._w))
        for column in solved:
            squared = squared + column * column
        return math.fsum(self._w * np.exp(self._log_norm - 0.5 * squared))
