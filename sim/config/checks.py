"""Cross-field rules of a validated config: what one key's value requires of others, checked before any work."""

from dataclasses import fields

import numba

from sim.config.experiment_groups import SUBGROUPS
from sim.errors import ConfigError
from sim.model.columns import HISTORY
from sim.model.network import read_graph_file


def check_threads(threads):
    if threads > numba.config.NUMBA_NUM_THREADS:
        raise ConfigError(f"threads = {threads}: this process allows at most {numba.config.NUMBA_NUM_THREADS} Numba "
                          f"threads (NUMBA_NUM_THREADS, by default the number of cores)")


MORTALITY_KEYS = ("general_mortality_per_year", "mortality_rate_ratio", "suicide_after_discharge_per_year",
                  "suicide_long_term_per_year")


def check_mortality(care):
    """Mortality is on with all its keys or off with none, and the suicide rate after discharge does not rise
    from one window to the next: the Numba engine's exact early rejection bounds every later day's chance of
    death by today's (a rising rate would let it skip deaths the Mesa engine records)."""
    given = [k for k in MORTALITY_KEYS if getattr(care, k) is not None]
    if given and len(given) < len(MORTALITY_KEYS):
        missing = next(k for k in MORTALITY_KEYS if getattr(care, k) is None)
        raise ConfigError(f"care.{missing} = null: mortality needs every one of care.{', care.'.join(MORTALITY_KEYS)}")
    rates = care.suicide_after_discharge_per_year
    if rates is not None and any(later > earlier for earlier, later in zip(rates, rates[1:], strict=False)):
        raise ConfigError(f"care.suicide_after_discharge_per_year = {list(rates)}: each window's rate must not exceed "
                          f"the one before (days 0-7, 8-30, 31-91, 92-365): the risk after a discharge falls with time")


def check_psa_draws(psa):
    """Parameter draws need parameters, and parameters need at least two draws (one draw is one parameter set:
    no spread to judge a verdict or a probability of cost-effectiveness by)."""
    drawn = bool(psa.parameters or psa.posterior)
    if psa.draws > 1 and not drawn:
        raise ConfigError(f"psa.draws = {psa.draws}: there are no psa.parameters or psa.posterior to draw "
                          "(psa=default draws them)")
    if drawn and psa.draws < 2:
        raise ConfigError(f"psa.draws = {psa.draws}: drawing psa.parameters or psa.posterior needs at least 2 draws "
                          "(psa=none runs the configured values)")


def check_lookback(prefix, criteria):
    """A look-back count reads the ring of the latest HISTORY admissions, so it can only tell up to that many."""
    if criteria.lookback_days and criteria.min_prior_admissions > HISTORY:
        raise ConfigError(f"{prefix}.min_prior_admissions = {criteria.min_prior_admissions}: with "
                          f"{prefix}.lookback_days set, at most {HISTORY} (the admission days each patient keeps)")


def check_trial(cfg):
    trial = cfg.trial
    if trial.kind == "none":
        return
    for f in fields(trial):
        if getattr(trial, f.name) is None:
            raise ConfigError(f"trial.{f.name} = null: a randomised trial needs it")
    if trial.recruitment_days + trial.follow_up_days > cfg.horizon_days:
        raise ConfigError(f"trial.recruitment_days + trial.follow_up_days = "
                          f"{trial.recruitment_days + trial.follow_up_days}: must fit in horizon_days = "
                          f"{cfg.horizon_days}")
    if cfg.program.entry == "crisis":
        raise ConfigError(f"program = {cfg.program.name}: a trial randomises at discharge or the end of crisis-team "
                          f"care, so it cannot emulate a programme entered at a crisis (program.entry = crisis)")
    if cfg.program.workers_per_1000 <= 0:
        raise ConfigError(f"program = {cfg.program.name}: a trial needs a programme with peer workers "
                          f"(program.workers_per_1000 > 0)")


def check_network(net, n):
    needed = {"small_world": ("mean_degree", "rewiring"), "scale_free": ("mean_degree",),
              "community": ("mean_degree", "blocks", "within_share"), "file": ("path",)}[net.kind]
    for key in needed:
        if getattr(net, key) is None:
            raise ConfigError(f"network.{key} = null: network.kind = {net.kind} needs a value")
    if net.kind == "file":
        read_graph_file(net.path, n)
        return
    if net.mean_degree % 2:
        raise ConfigError(f"network.mean_degree = {net.mean_degree}: must be even")
    if net.mean_degree >= n:
        raise ConfigError(f"network.mean_degree = {net.mean_degree}: must be below population.n = {n}")
    if net.kind == "community" and n // net.blocks <= net.mean_degree:
        raise ConfigError(f"network.blocks = {net.blocks}: blocks of {n // net.blocks} patients are too small "
                          f"for network.mean_degree = {net.mean_degree}")  # raises ConfigError naming the file and line


def check_records(records):
    """Equity weights, when given, need one weight per group of the attribute they weigh."""
    weights = records.equity_weights
    groups = SUBGROUPS[records.by]
    if weights is not None and len(weights) != len(groups):
        raise ConfigError(f"records.equity_weights = {list(weights)}: needs one weight per group of records.by = "
                          f"{records.by} ({', '.join(groups)})")
