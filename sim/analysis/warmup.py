"""How long the model takes to forget its starting state: weekly series, Welch's method and MSER-5.

A run starts from an artificial state (nobody recently discharged, no worker
burnt out, hope at baseline), so its first weeks are biased; the burn-in
(`burn_in_days`) is discarded to remove that bias. Bed occupancy cannot show
how long that takes (the beds are full from the first weeks), so this module
watches series that do move: weekly admissions, the post-discharge cohort,
peer-worker burnout and mean hope. Two rules read where each settles:

- Welch's method (Welch 1983; Law, *Simulation Modeling and Analysis*, ch. 9):
  average the series over replications, smooth it with a centred moving
  average of half-width w, and read where the smoothed curve flattens. Read by
  eye in the textbook; here, the first week after which the smoothed curve
  stays within a band around its level over the run's second half, the band
  set by the size of the transient and the spread between replications (the
  figure shows the curves, for the eye).
- MSER-5 (White 1997; White, Cobb & Spratt 2000): batch the series in means
  of 5 observations and truncate the d batches that minimise the marginal
  standard error of the mean of the rest, d searched over the first half.

Every sum goes through `sim.analysis.exact`, so a reported week is the same on any CPU.
"""

import math

import numpy as np

from sim.analysis import exact
from sim.model.columns import COMMUNITY, NEVER
from sim.model.events import COLUMNS

SERIES = ("admissions", "post_discharge_cohort", "peer_worker_burnout", "mean_hope")
DESCRIPTIONS = {
    "admissions": "acute admissions in the week",
    "post_discharge_cohort": "patients in the community within the cohort window of their last discharge, at week end",
    "peer_worker_burnout": "mean burnout of employed peer workers over the week (0-1)",
    "mean_hope": "mean hope of all patients at week end (0-1)",
}
BATCH = 5  # MSER-5: observations per batch (White, Cobb & Spratt 2000)
BAND_SES = 4.0  # Welch band, in standard errors: over ~50 weeks checked, 3 flags about one stationary run in ten


def _column(name):
    """The events-table column of `name`, or None if the model no longer records it."""
    return COLUMNS.index(name) if name in COLUMNS else None


def week_observation(model, first_day, since_column="last_discharge_day", cohort_days=365):
    """The four series for the week of days [first_day, model.day), read after the model has run them.

    Reads columns by name, so a model that adds or reorders events keeps working; a series whose column
    is gone is NaN. The cohort counts patients in the community whose `since_column` day is at most
    `cohort_days` before the next day to run (readmission windows count the same way: gap <= window)."""
    rows = model.events[first_day:model.day]
    admissions, worker_days, burnout = (_column(c) for c in ("admissions", "worker_days", "burnout_milli"))
    p = model.patients
    since = getattr(p, since_column)
    gap = model.day - since.astype(np.int64)
    in_cohort = (p.state == COMMUNITY) & (since != NEVER) & (gap >= 0) & (gap <= cohort_days)
    employed = int(rows[:, worker_days].sum()) if worker_days is not None else 0  # int64: exact
    return {
        "admissions": float(rows[:, admissions].sum()) if admissions is not None else math.nan,
        "post_discharge_cohort": float(np.count_nonzero(in_cohort)),
        "peer_worker_burnout": (int(rows[:, burnout].sum()) / 1000 / employed
                                if employed and burnout is not None else math.nan),
        "mean_hope": exact.mean(model.resources_today()[0]),
    }


def replication_mean(per_replication):
    """Week-by-week mean over replications of one series (rows: replications), ignoring NaN weeks;
    NaN where no replication has a value (usual care has no workers to burn out)."""
    matrix = np.asarray(per_replication, dtype=float)
    out = []
    for column in matrix.T:
        finite = column[np.isfinite(column)]
        out.append(exact.mean(finite) if finite.size else math.nan)
    return out


def welch_smooth(series, window):
    """Welch's moving average (Law, ch. 9): centred on week i with half-width `window`, shrunk to 2i-1 weeks
    near the start; defined for the first m - window weeks only. NaN weeks are left out of a window."""
    x = np.asarray(series, dtype=float)
    m = x.size
    if not 1 <= window <= (m - 1) // 2:
        raise ValueError(f"Welch window {window}: must be at least 1 and at most (weeks - 1) / 2 = {(m - 1) // 2}")
    out = []
    for i in range(m - window):
        half = min(i, window)
        part = x[i - half:i + half + 1]
        part = part[np.isfinite(part)]
        out.append(exact.mean(part) if part.size else math.nan)
    return out


def _rows(replications):
    """The replications as a 2-D float array (one row each); a single series is one replication."""
    x = np.asarray(replications, dtype=float)
    return x[None, :] if x.ndim == 1 else x


def _finite_mean(values):
    values = values[np.isfinite(values)]
    return exact.mean(values) if values.size else math.nan


def _standard_error(x, window, half, level_of):
    """The standard error of the smoothed mean curve's distance from the level, over the checked weeks.

    From the replications, which are independent: each one's smoothed curve minus its own level, spread
    between replications week by week, pooled (root mean square) over the checked weeks with whole
    windows, so that a few replications still give a steady estimate. It allows for noise, for weeks
    correlated within a run and for populations whose levels differ; not for a trend all replications
    share, which is what is looked for. 0 with one replication."""
    if x.shape[0] < 2:
        return 0.0
    own = np.array([np.asarray(welch_smooth(row, window))[window:half - window] - level_of(row) for row in x])
    variances = []
    for column in own.T:
        column = column[np.isfinite(column)]
        if column.size > 1:
            variances.append(exact.variance(column) / column.size)
    return math.sqrt(exact.mean(variances)) if variances else 0.0


def welch_truncation(replications, window, tolerance):
    """(weeks to discard, settled?, level) by Welch's method on the replications' mean, with a reading rule.

    The level is the mean over the run's second half; the weeks checked are those whose smoothing window
    lies wholly in the first half, so the curve and the level share no data. The smoothed mean curve has
    settled from the first checked week after which it stays within a band around the level: `tolerance`
    of its largest excursion from the level (a settling time, as in control engineering: 2% of the
    transient, whatever the units) or, if wider, 4 standard errors (`_standard_error`; widened for the
    shorter windows of the first weeks). Settled means some checked weeks stay in the band to the end;
    otherwise the curve is still moving at half-time and the run is too short to tell."""
    x = _rows(replications)
    mean = np.asarray(replication_mean(x))
    if not np.isfinite(mean).any():
        return None, False, math.nan
    half = mean.size // 2
    if not 1 <= window <= (half - 1) // 2:
        raise ValueError(f"Welch window {window}: must be 1 to (weeks // 2 - 1) // 2 = {(half - 1) // 2}")
    checked = half - window

    def level_of(row):
        return _finite_mean(row[half:])

    level = level_of(mean)
    smooth = np.asarray(welch_smooth(mean, window))[:checked]
    finite = smooth[np.isfinite(smooth)]
    transient = float(np.max(np.abs(finite - level))) if finite.size else 0.0  # a max: exact
    se = _standard_error(x, window, half, level_of)
    last_out = -1
    for i, value in enumerate(smooth):
        short = math.sqrt((2 * window + 1) / (2 * min(i, window) + 1))  # the first weeks average fewer weeks
        if not math.isfinite(value) or abs(value - level) > max(tolerance * transient, BAND_SES * se * short):
            last_out = i
    weeks = last_out + 1
    return weeks, weeks < checked, level


def batch_means(series, batch=BATCH):
    """Means of consecutive batches of `batch` observations (a partial last batch is dropped)."""
    x = np.asarray(series, dtype=float)
    k = x.size // batch
    return [exact.mean(x[j * batch:(j + 1) * batch]) for j in range(k)]


def mser(series, batch=BATCH):
    """MSER(d) for d = 0 .. k-2 batches truncated: the sum of squared deviations of the remaining k - d batch
    means from their mean, over (k - d) squared (White 1997)."""
    z = np.asarray(batch_means(series, batch))
    out = []
    for d in range(max(z.size - 1, 0)):
        rest = z[d:]
        deviations = rest - exact.mean(rest)
        out.append(exact.total(deviations * deviations) / rest.size ** 2)
    return out


def mser_truncation(series, batch=BATCH):
    """(observations to discard, settled?) by MSER-`batch`: the d in 0 .. k/2 (k batches) minimising MSER(d),
    the earliest if tied; past k/2 the statistic rests on too few batches (White, Cobb & Spratt 2000).
    Settled means the minimum lies inside that range, not on its edge, where it could still be falling."""
    x = np.asarray(series, dtype=float)
    k = x.size // batch
    if k < 3:
        raise ValueError(f"MSER-{batch} needs at least {3 * batch} observations; got {x.size}")
    candidates = mser(x, batch)[:k // 2 + 1]
    d = min(range(len(candidates)), key=lambda j: (candidates[j], j))
    return d * batch, d < k // 2


def warmup(replications, window, tolerance, batch=BATCH):
    """Welch's and MSER's truncation of one weekly series (rows: replications; MSER reads their mean), in
    weeks and days; the series' warm-up is the longer of the two. An unsettled rule's weeks are a lower
    bound: the curve still moves there. None throughout for a series with no values (usual care's
    burnout); one with some empty weeks gets Welch only and counts as unsettled."""
    x = _rows(replications)
    mean = np.asarray(replication_mean(x))
    result = dict.fromkeys(("level", "welch_weeks", "welch_days", "welch_settled", "mser5_weeks", "mser5_days",
                            "mser5_settled", "warmup_weeks", "warmup_days", "settled"))
    if not np.isfinite(mean).any():
        return result
    welch_weeks, welch_settled, level = welch_truncation(x, window, tolerance)
    result.update(level=level, welch_weeks=welch_weeks, welch_days=7 * welch_weeks, welch_settled=welch_settled)
    complete = bool(np.isfinite(mean).all())
    mser_weeks, mser_settled = mser_truncation(mean, batch) if complete else (0, False)
    if complete:
        result.update(mser5_weeks=mser_weeks, mser5_days=7 * mser_weeks, mser5_settled=mser_settled)
    weeks = max(welch_weeks, mser_weeks)
    result.update(warmup_weeks=weeks, warmup_days=7 * weeks, settled=bool(welch_settled and mser_settled))
    return result


def verdict(results, burn_in_days):
    """The longest warm-up over arms and series, and whether `burn_in_days` covers it (and every series
    settled within the run: an unsettled one means the run was too short to tell)."""
    found = [(r["warmup_days"], arm, name) for arm, by_series in results.items()
             for name, r in by_series.items() if r["warmup_days"] is not None]
    unsettled = [f"{arm}/{name}" for arm, by_series in results.items() for name, r in by_series.items()
                 if r["settled"] is False]
    days, arm, name = max(found) if found else (0, None, None)
    return {"longest_warmup_days": days, "longest_arm": arm, "longest_series": name, "unsettled": unsettled,
            "burn_in_days": burn_in_days, "burn_in_covers": bool(days <= burn_in_days and not unsettled)}
