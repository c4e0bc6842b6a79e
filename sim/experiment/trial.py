"""An emulated randomised trial: each replication is one simulated trial, read off its care system.

Inside one simulated care system (shared beds, clinicians, network), people
are recruited at their index event and randomised (`conf/trial/`): control
participants get usual care, intervention participants are offered the
programme (intention to treat: uptake, fading and capacity apply). Each
replication is one simulated trial on a new seed. Per trial: each arm's
Table 2 row (n, readmitted, admissions and bed-days per participant as total,
mean and SD, the Kaplan-Meier median days to first readmission and the number
censored at the end of follow-up), the odds ratio with its 95% CI
(2x2 table, Woolf logit interval, Haldane's +0.5 when a cell is empty) and
Wald p-value, and mean differences in admissions and bed-days per participant
(Welch), and in time to first readmission as the restricted mean
readmission-free time over the follow-up (no one is censored earlier: the
horizon covers recruitment plus follow-up). Over trials: the mean rates, the median OR and the 2.5-97.5%
range of the OR estimates, and the power (share of trials with p < 0.05).
"""

import math

import numpy as np

from sim.analysis.outcomes import readmission_rates
from sim.analysis.trials import arm_row, mean_difference, odds_ratio
from sim.model.columns import CONTROL, INTERVENTION


def trial_outcomes(model):
    """One simulated trial's results, as one row of the results table."""
    p = model.patients
    arms = {name: p.trial_arm == code for name, code in (("intervention", INTERVENTION), ("control", CONTROL))}
    follow_up = model.cfg.trial.follow_up_days
    table2 = {name: arm_row(p.trial_admissions[mask], p.trial_bed_days[mask], p.trial_readmission_gap[mask],
                            follow_up) for name, mask in arms.items()}
    n = {name: arm["n"] for name, arm in table2.items()}
    readmitted = {name: arm["readmitted"] for name, arm in table2.items()}
    row = {"participants": n["intervention"] + n["control"], "n_intervention": n["intervention"],
           "n_control": n["control"]}
    for name, arm in table2.items():
        row.update({f"{name}_{key}": value for key, value in arm.items() if key != "n"})
    if n["intervention"] and n["control"]:
        row["odds_ratio"], row["or_ci_low"], row["or_ci_high"], row["p_value"] = odds_ratio(
            readmitted["intervention"], n["intervention"], readmitted["control"], n["control"])
    else:
        row["odds_ratio"] = row["or_ci_low"] = row["or_ci_high"] = row["p_value"] = math.nan
    gap = p.trial_readmission_gap
    free_days = np.where((gap >= 0) & (gap <= follow_up), gap, follow_up)  # everyone is followed to the end
    for outcome, column in (("admissions", p.trial_admissions), ("bed_days", p.trial_bed_days),
                            ("readmission_free_days", free_days)):
        diff, low, high = mean_difference(column[arms["intervention"]], column[arms["control"]])
        row[f"{outcome}_difference"], row[f"{outcome}_ci_low"], row[f"{outcome}_ci_high"] = diff, low, high
    # the service around the trial: per-discharge readmission over the counted period (the base rates)
    service = readmission_rates(model.events, model.cfg.burn_in_days, model.n_days)
    row.update({f"service_{key}": value for key, value in service.items()})
    return row
