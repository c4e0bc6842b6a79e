"""A regression metamodel of net benefit on a few parameters: an additive generalised additive model.

EVPPI needs, for each parameter draw, the expected net benefit given only the parameters of interest. The
nonparametric regression method of Strong, Oakley & Brennan (Med Decis Making 2014;34:311-26) estimates it
as the fitted value of a smooth regression of each draw's net benefit on those parameters. The smooth is a
P-spline GAM (Eilers & Marx, Stat Sci 1996;11:89-121), pygam's default form: one cubic B-spline term per
parameter, 20 splines on equally spaced knots over the parameter's range (scikit-learn's
`SplineTransformer`), a second-order difference penalty on each term's coefficients, and an intercept. The
penalty weight is chosen as pygam's gridsearch chooses it, by generalised cross-validation with each
effective degree of freedom counted GAMMA times (Wood, Generalized Additive Models, 2006, p. 177-182), over
pygam's default grid (10^-3 to 10^3). (pygam itself caps SciPy below the version the model's PSA is pinned
to.) Terms are additive: an interaction between two parameters of a group is not captured, and where one
matters the estimate is biased.

The penalised least squares is solved in fixed-order arithmetic (`sim.analysis.exact`): a library solver
goes through LAPACK, whose kernels differ by CPU, and the EVPPI is a reported number. A ridge of
sqrt(machine epsilon), as pygam adds, keeps the system positive definite (each term's splines sum to one,
as does the intercept).
"""

import math
from dataclasses import dataclass

import numpy as np
from sklearn.preprocessing import SplineTransformer

from sim.analysis import exact

LAMBDAS = tuple(10.0 ** e for e in np.linspace(-3, 3, 11))  # pygam's gridsearch default
GAMMA = 1.4  # pygam's default
RIDGE = math.sqrt(np.finfo(float).eps)
SPLINES = 20  # per parameter; pygam's default
DEGREE = 3


@dataclass
class Fit:
    """One response's fit: coefficients, fitted values, residual variance and the chosen penalty weight."""
    coefficients: list
    fitted: np.ndarray
    sigma2: float
    lam: float
    low: list  # Cholesky factor of X'X + lam S: the coefficients' posterior precision is this / sigma2


def difference_penalty(k, order=2):
    """D'D of the order-th differences of k coefficients (integers: exact in any arithmetic)."""
    d = np.diff(np.eye(k, dtype=np.int64), n=order, axis=0)
    return d.T @ d


class Smoother:
    """The basis and penalty of an additive smooth of the given parameter columns (n draws x p)."""

    def __init__(self, parameters, splines=SPLINES):
        x = np.asarray(parameters, dtype=float)
        if x.ndim != 2 or x.shape[0] < 2:
            raise ValueError("parameters must be an n x p array with n >= 2 draws")
        varying = [j for j in range(x.shape[1]) if np.ptp(x[:, j]) > 0]  # a constant explains nothing
        blocks = [np.ones((x.shape[0], 1))]
        if varying:
            spline = SplineTransformer(n_knots=splines - DEGREE + 1, degree=DEGREE, knots="uniform")
            blocks.insert(0, spline.fit_transform(x[:, varying]))
        self.basis = np.hstack(blocks)
        k = self.basis.shape[1]
        penalty = np.zeros((k, k))
        for t in range(len(varying)):
            block = slice(t * splines, (t + 1) * splines)
            penalty[block, block] = difference_penalty(splines)
        self.penalty = penalty.tolist()
        self.gram = exact.gram(self.basis)
        self.n = x.shape[0]

    def _factor(self, lam):
        k = len(self.gram)
        return exact.cholesky([[self.gram[i][j] + lam * self.penalty[i][j] + (RIDGE if i == j else 0.0)
                                for j in range(k)] for i in range(k)])

    def _trace_hat(self, low):
        """tr(X (X'X + lam S)^-1 X') = tr((X'X + lam S)^-1 X'X), one solve per column."""
        return math.fsum(exact.solve_cholesky(low, [row[i] for row in self.gram])[i] for i in range(len(self.gram)))

    def fit(self, responses, lambdas=LAMBDAS):
        """Each response column's fit, its penalty weight chosen by GCV (n RSS / (n - GAMMA tr H)^2)."""
        y = np.asarray(responses, dtype=float)
        y = y.reshape(self.n, -1)
        factors = [(lam, self._factor(lam)) for lam in lambdas]
        traces = [self._trace_hat(low) for _, low in factors]
        fits = []
        for column in y.T:
            xty = [exact.dot(self.basis[:, i], column) for i in range(self.basis.shape[1])]
            best = None
            for (lam, low), trace in zip(factors, traces, strict=True):
                beta = exact.solve_cholesky(low, xty)
                fitted = exact.matvec(self.basis, beta)
                rss = exact.dot(column - fitted, column - fitted)
                gcv = self.n * rss / (self.n - GAMMA * trace) ** 2
                if best is None or gcv < best[0]:
                    best = (gcv, Fit(beta, fitted, rss / (self.n - trace), lam, low))
            fits.append(best[1])
        return fits

    def fitted_draws(self, fit, rng, count):
        """`count` draws of the fitted values from the coefficients' approximate posterior
        N(beta, sigma2 (X'X + lam S)^-1) (Wood's Bayesian view of a penalised fit)."""
        scale = math.sqrt(fit.sigma2)
        out = []
        for _ in range(count):
            z = rng.standard_normal(len(fit.coefficients)).tolist()
            shift = exact.solve_upper_transposed(fit.low, z)  # L' u = z gives u ~ N(0, (L L')^-1)
            beta = [b + scale * u for b, u in zip(fit.coefficients, shift, strict=True)]
            out.append(exact.matvec(self.basis, beta))
        return out
