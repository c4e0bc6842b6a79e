"""The daily event table: one row per day, one int64 column per kind of event.

Readmissions are written on the row of the discharge they follow, so the
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

COLUMNS = (
    "admissions", "discharges",
    "readmissions_7", "readmissions_14", "readmissions_30", "readmissions_90", "readmissions_365",
    "diversions", "bed_days", "followups", "peer_contacts", "enrolments", "enrolled",
)
# (window in days, column); 7 and 14 days give the timing of 30-day readmissions (CIHI 2011)
READMISSION_WINDOWS = (
    (7, READMISSIONS_7), (14, READMISSIONS_14), (30, READMISSIONS_30), (90, READMISSIONS_90),
    (365, READMISSIONS_365),
)
