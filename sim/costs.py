"""Costs by component, per patient-year, in the currency and price year of `conf/costs/`."""

from sim import events as ev


def arm_costs(totals, n_workers, horizon_days, patient_years, prices):
    """Bed-days, diverted crises, clinician follow-ups and peer-worker salaries over the counted period."""
    years = horizon_days / 365.0
    parts = {
        "cost_bed_days": totals[ev.BED_DAYS] * prices.bed_day,
        "cost_diversions": totals[ev.DIVERSIONS] * prices.diverted_crisis,
        "cost_followups": totals[ev.FOLLOWUPS] * prices.clinician_followup,
        "cost_peer_workers": n_workers * years * prices.peer_worker_per_year,
    }
    per_patient_year = {k: float(v) / patient_years for k, v in parts.items()}
    per_patient_year["cost_total"] = sum(per_patient_year.values())
    return per_patient_year
