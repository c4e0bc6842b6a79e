"""Hope and engagement, shared by both engines: what neighbours read of each other, network spillover,
and the day's changes settled as of the next day."""

from numba.extending import register_jitable

from sim.model.columns import NO_WORKER
from sim.model.rules import drifted, engagement_tomorrow, hope_tomorrow, pulled_hope


@register_jitable(inline="always")  # a call passing arrays would cost reference counting per patient-day
def neighbour_hope(indptr, indices, hope, baseline_hope, resources_day, death_day, decay, day, i, group_sum,
                   group_size):
    """Mean hope today of i's living neighbours (those who die today still count: start-of-day values) and, in
    mutual-help groups, of its fellow members (own hope if isolated), summed in CSR order. Read only on the
    days the relapse draw needs the exact hazard."""
    total = 0.0
    count = 0
    for j in range(indptr[i], indptr[i + 1]):
        k = indices[j]
        if death_day[k] >= day:
            total += drifted(hope[k], baseline_hope[k], decay, day - resources_day[k])
            count += 1
    own = drifted(hope[i], baseline_hope[i], decay, day - resources_day[i])
    if group_size > 1:
        total += group_sum - own
        count += group_size - 1
    if count == 0:
        return own
    return total / count


@register_jitable(_nrt=False)
def settle_resources(r, hope, engagement, baseline_hope, baseline_engagement, resources_day, i, day, weight,
                     followed_up, crisis):
    """End of the day for a patient whose hope or engagement it changed (a peer contact, a follow-up, a
    crisis): both are set as of tomorrow, so everyone read start-of-day values all day."""
    days = day + 1 - resources_day[i]
    h = drifted(hope[i], baseline_hope[i], r.daily.hope_decay, days)
    e = drifted(engagement[i], baseline_engagement[i], r.daily.engagement_decay, days)
    hope[i] = hope_tomorrow(r, h, weight, crisis)
    engagement[i] = engagement_tomorrow(r, e, weight, followed_up)
    resources_day[i] = day + 1


@register_jitable
def spillover_targets(p, w, net, r, day, pulled):
    """Network spillover (`network_spillover` > 0): everyone's hope for the end of today, pulled toward the
    neighbours' (and fellow group members') mean, into `pulled`. Read from start-of-day values, after
    `begin_day` and before anyone's day, so the order of patients changes nothing."""
    decay = r.daily.hope_decay
    for i in range(p.hope.size):
        k = p.peer_worker[i]
        group = r.group_ties and k != NO_WORKER
        neighbours = neighbour_hope(net.indptr, net.indices, p.hope, p.baseline_hope, p.resources_day, p.death_day,
                                    decay, day, i, w.group_hope[k] if group else 0.0, w.group_size[k] if group else 0)
        own = drifted(p.hope[i], p.baseline_hope[i], decay, day - p.resources_day[i])
        pulled[i] = pulled_hope(own, neighbours, r.network_spillover)


@register_jitable
def spill(p, r, day, pulled):
    """End of the day, before `settle_resources`: everyone's hope becomes its pulled value as of today
    (engagement re-set to today's value), so tomorrow it drifts on from there."""
    for i in range(p.hope.size):
        p.engagement[i] = drifted(p.engagement[i], p.baseline_engagement[i], r.daily.engagement_decay,
                                  day - p.resources_day[i])
        p.hope[i] = pulled[i]
        p.resources_day[i] = day
