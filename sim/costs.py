"""Costs by component, per patient-year, in the currency and price year of `conf/costs/`."""

from sim import events as ev


def arm_costs(totals, program, workforce, patient_years, prices, extension_costs=0.0):
    """Beds, diverted crises, respite, clinician follow-ups, and the peer programme: salaries of filled
    posts, supervision time, training of new hires and contact expenses, over the counted period."""
    worker_years = totals[ev.WORKER_DAYS] / 365.0
    supervision_hours = worker_years * 52.0 * workforce.supervision_hours_per_week
    parts = {
        "cost_bed_days": totals[ev.BED_DAYS] * prices.bed_day,
        "cost_diversions": totals[ev.DIVERSIONS] * prices.diverted_crisis,
        "cost_respite": totals[ev.RESPITE_DAYS] * prices.respite_day,
        "cost_followups": totals[ev.FOLLOWUPS] * prices.clinician_followup,
        "cost_peer_workers": worker_years * prices.peer_worker_per_year,
        "cost_supervision": supervision_hours * prices.clinician_hour,
        "cost_training": totals[ev.HIRES] * prices.training_per_hire,
        "cost_peer_contacts": totals[ev.PEER_CONTACTS] * program.cost_per_contact,
        "cost_extension": extension_costs,
    }
    per_patient_year = {k: float(v) / patient_years for k, v in parts.items()}
    per_patient_year["cost_total"] = sum(per_patient_year.values())
    return per_patient_year
