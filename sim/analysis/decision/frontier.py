"""The incremental analysis of mutually exclusive options: strong and extended dominance, and the ICERs
along the efficiency frontier.

The options are ordered by cost (the more effective first at equal cost). An option is strongly dominated
when a cheaper or equally costly option is at least as effective. Along the rest, each ICER is taken
against the next cheaper option still standing; an option whose ICER is higher than the next one's lies
above the chord joining its neighbours, so a mix of them gives more for less: it is extendedly dominated.
Removing every such option and recomputing is repeated until the ICERs rise (Drummond et al., Methods for
the Economic Evaluation of Health Care Programmes, 4th ed., 2015; the same steps as dampack's
`calculate_icers`, checked against its published examples in tests/test_frontier.py).
"""

from dataclasses import dataclass

FRONTIER = "on the frontier"
DOMINATED = "strongly dominated"
EXTENDED = "extendedly dominated"
STATUS_CODES = {FRONTIER: "ND", EXTENDED: "ED", DOMINATED: "D"}  # dampack's codes


@dataclass(frozen=True)
class Option:
    """One option's mean cost and effect, and where the incremental analysis puts it."""
    name: str
    cost: float
    effect: float
    status: str = FRONTIER
    dominated_by: str | None = None  # the option (strong) or pair of options (extended) that beats it
    incremental_cost: float | None = None  # against the next cheaper option on the frontier
    incremental_effect: float | None = None
    icer: float | None = None


def _icers(frontier):
    """Each frontier option's increments and ICER against the one before it (the first has none)."""
    out = [frontier[0]]
    for before, option in zip(frontier, frontier[1:], strict=False):
        d_cost, d_effect = option.cost - before.cost, option.effect - before.effect
        out.append(Option(option.name, option.cost, option.effect, FRONTIER, None, d_cost, d_effect,
                          d_cost / d_effect))
    return out


def incremental_analysis(names, costs, effects):
    """Every option, frontier first (by cost), then the extendedly and strongly dominated (each by cost)."""
    if not (len(names) == len(costs) == len(effects)) or not names:
        raise ValueError("names, costs and effects must be non-empty and of one length")
    if len(set(names)) != len(names):
        raise ValueError(f"option names must be distinct: {list(names)}")
    ordered = sorted((Option(n, float(c), float(e)) for n, c, e in zip(names, costs, effects, strict=True)),
                     key=lambda o: (o.cost, -o.effect))
    standing, dominated = [], []
    for option in ordered:
        better = next((o for o in ordered[:ordered.index(option)] if o.effect >= option.effect), None)
        if better is None:
            standing.append(option)
        else:
            dominated.append(Option(option.name, option.cost, option.effect, DOMINATED, better.name))
    extended = []
    while True:
        frontier = _icers(standing)
        kinks = [i for i in range(1, len(frontier) - 1) if frontier[i].icer > frontier[i + 1].icer]
        if not kinks:
            break
        for i in kinks:
            o = frontier[i]
            extended.append(Option(o.name, o.cost, o.effect, EXTENDED,
                                   f"{frontier[i - 1].name} and {frontier[i + 1].name}"))
        standing = [o for i, o in enumerate(standing) if i not in kinks]
    by_cost = sorted(extended, key=lambda o: (o.cost, -o.effect)) + dominated
    return frontier + by_cost


def optimal(options, threshold):
    """The option a decision-maker paying `threshold` per unit of effect picks: the costliest frontier
    option whose ICER is at most the threshold (the first frontier option if none is)."""
    frontier = [o for o in options if o.status == FRONTIER]
    best = frontier[0]
    for option in frontier[1:]:
        if option.icer <= threshold:
            best = option
    return best
