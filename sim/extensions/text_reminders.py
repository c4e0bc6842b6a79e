"""Worked example of an extension: automated text reminders after discharge.

Each day, every patient in the community within `window_days` of discharge
gets a reminder that closes `engagement_gain` of the gap between their
engagement and 1 (engagement is the chance of attending follow-up), at
`cost_per_message` each. Vectorised over the state arrays, so it runs the
same after a Numba day and after a Mesa day.
"""

from dataclasses import dataclass

import numpy as np

from sim.errors import ConfigError
from sim.model.columns import COMMUNITY


@dataclass(frozen=True)
class Reminders:
    window_days: int  # days after discharge
    engagement_gain: float  # fraction of the gap to 1, per reminder
    cost_per_message: float  # currency (of the setting's costs)


def parameters(params):
    try:
        typed = Reminders(int(params["window_days"]), float(params["engagement_gain"]),
                          float(params["cost_per_message"]))
    except (KeyError, TypeError, ValueError) as err:
        raise ConfigError(f"extension.params: needs window_days, engagement_gain, cost_per_message ({err})") from None
    if typed.window_days < 1 or not 0.0 <= typed.engagement_gain <= 1.0 or not typed.cost_per_message >= 0:
        raise ConfigError(f"extension.params = {params}: window_days >= 1, engagement_gain in [0, 1], "
                          f"cost_per_message >= 0")
    return typed


def end_of_day(model, params, day):
    """Send today's reminders; return what they cost."""
    p = model.patients
    since = day - p.last_discharge_day
    reached = (p.state == COMMUNITY) & (since >= 1) & (since <= params.window_days)
    hope, engagement = (today[reached] for today in model.resources_today())
    model.set_resources(reached, hope=hope, engagement=engagement + params.engagement_gain * (1.0 - engagement))
    return float(np.count_nonzero(reached)) * params.cost_per_message
