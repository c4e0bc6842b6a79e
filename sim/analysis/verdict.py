"""The plain verdict on the primary readmission outcome and the cost difference.

- lowers readmissions: the whole 95% CI of the paired readmission difference is below 0;
- costs more without benefit: otherwise, if the whole 95% CI of the paired cost difference is above 0;
- no detectable effect: otherwise.
"""

LOWERS = "lowers readmissions"
NO_EFFECT = "no detectable effect"
COSTS_MORE = "costs more without benefit"


def verdict(effects, primary, cost="cost_total"):
    if effects[primary]["ci_high"] < 0:
        return LOWERS
    if effects[cost]["ci_low"] > 0:
        return COSTS_MORE
    return NO_EFFECT
