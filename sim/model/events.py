"""The daily event table: one row per day, one int64 column per kind of event.

Readmissions are written on the row of the discharge (or, for readmission to
acute care, the end of the acute episode) they follow, so the
per-discharge readmission rate for a window is a ratio of sums over the
discharge days whose whole window lies inside the counted period.
"""

ADMISSIONS = 0
DISCHARGES = 1
READMISSIONS_7 = 2  # on the discharge's row: readmitted within 7 days of it
READMISSIONS_14 = 3
READMISSIONS_30 = 4
READMISSIONS_90 = 5
READMISSIONS_365 = 6
DIVERSIONS = 7  # crises with no free bed
BED_DAYS = 8
FOLLOWUPS = 9  # clinician follow-up contacts
PEER_CONTACTS = 10
ENROLMENTS = 11  # patients taken on by a peer worker
ENROLLED = 12  # patients with a peer worker at the start of the day
DROPOUTS = 13  # patients who stopped engaging with their peer worker
RESPITE_STAYS = 14  # crises taken in by peer-run respite instead of a ward
RESPITE_DAYS = 15
WORKER_DAYS = 16  # peer-worker posts filled (worker-days employed)
WORKER_ABSENT_DAYS = 17  # of which absent (sickness or own relapse)
QUITS = 18
HIRES = 19
BURNOUT_MILLI = 20  # summed burnout of employed workers, x1000, rounded down
CRISIS_DAYS = 21  # patient-days under the crisis team (diverted crises)
READMITTED_30 = 22  # on the admission's own row: admissions within 30 days of the previous discharge
TRIAL_RECRUITS = 23  # participants recruited into an emulated trial
ACUTE_EPISODES = 24  # acute episodes begun: ward admissions, crisis-team episodes and respite stays
EPISODE_ENDS = 25  # acute episodes ended (of any kind)
ACUTE_READMISSIONS_30 = 26  # on the episode end's row: a new acute episode within 30 days of it
ACUTE_READMISSIONS_90 = 27
ACUTE_READMISSIONS_365 = 28
DEATHS = 29  # patients who died (at the start of the day)
HOPE_ABOVE_HALF_MICRO = 30  # sum over the living of round(1e6 (hope - 0.5)) at the start of the day (counted days)

COLUMNS = (
    "admissions", "discharges",
    "readmissions_7", "readmissions_14", "readmissions_30", "readmissions_90", "readmissions_365",
    "diversions", "bed_days", "followups", "peer_contacts", "enrolments", "enrolled",
    "dropouts", "respite_stays", "respite_days", "worker_days", "worker_absent_days", "quits", "hires",
    "burnout_milli", "crisis_days", "readmitted_30", "trial_recruits", "acute_episodes", "episode_ends",
    "acute_readmissions_30", "acute_readmissions_90", "acute_readmissions_365", "deaths", "hope_above_half_micro",
)
# (window in days, column); 7 and 14 days give the timing of 30-day readmissions (CIHI 2011)
READMISSION_WINDOWS = (
    (7, READMISSIONS_7), (14, READMISSIONS_14), (30, READMISSIONS_30), (90, READMISSIONS_90),
    (365, READMISSIONS_365),
)
ACUTE_READMISSION_WINDOWS = ((30, ACUTE_READMISSIONS_30), (90, ACUTE_READMISSIONS_90), (365, ACUTE_READMISSIONS_365))

# Columns about the peer workforce rather than patients: a staffed programme that reaches
# nobody changes only these.
WORKFORCE_COLUMNS = (WORKER_DAYS, WORKER_ABSENT_DAYS, QUITS, HIRES, BURNOUT_MILLI)
PATIENT_COLUMNS = tuple(c for c in range(len(COLUMNS)) if c not in WORKFORCE_COLUMNS)
