"""Crisis follow-up checkpoints: the standards, their windows, and whether each one is met.

Standards (settings ``CARETEAM_CRISIS_CHECKPOINTS``): contact within 24 h and within 72 h of the
disposition, an outpatient appointment within 7 days; after an ED or inpatient disposition also a
follow-up visit within 7 and within 30 days of discharge (HEDIS FUH / FUA 7- and 30-day windows;
NCQA HEDIS MY2024 Vol. 2). Windows start at the disposition (or discharge) time; both edges count.

Met is computed, never ticked: a "contact" checkpoint is met by a reached ``ClientContact`` or an
attended ``Appointment`` of any kind in the window; a "visit" checkpoint only by an attended
appointment of an outpatient kind (``VISIT_KINDS``: every kind but "other", which records
non-clinical bookings; peer support counts, as in HEDIS FUA/FUM since MY2022). It is computed in
SQL (``with_met``) so lists stay at a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from clients.models import Appointment, AppointmentKind, AppointmentStatus, ClientContact

from .models import CheckpointMeets, FollowUpCheckpoint

VISIT_KINDS = [k for k in AppointmentKind.values if k != AppointmentKind.OTHER]


def standards() -> dict:
    return settings.CARETEAM_CRISIS_CHECKPOINTS


def windows_for(disposition: str, start: dt.datetime) -> list[dict]:
    """The checkpoints a disposition at ``start`` calls for: kind, label, meets and the window."""
    config = standards()
    specs = list(config["all"])
    if disposition in config.get("hospital_dispositions", ()):
        specs += config["after_hospital"]
    rows = []
    for spec in specs:
        end = start + dt.timedelta(hours=spec["hours"])
        lead = spec.get("remind_hours_before_end")
        remind_from = max(start, end - dt.timedelta(hours=lead)) if lead else start
        rows.append(
            {
                "kind": spec["kind"],
                "label": spec["label"],
                "meets": spec["meets"],
                "window_start": start,
                "window_end": end,
                "remind_from": remind_from,
            }
        )
    return rows


def _contacts_in_window():
    return ClientContact.objects.filter(
        client_id=OuterRef("client_id"),
        reached=True,
        contacted_at__gte=OuterRef("window_start"),
        contacted_at__lte=OuterRef("window_end"),
    ).order_by("contacted_at", "id")


def _appointments_in_window(kinds=None):
    qs = Appointment.objects.filter(
        client_id=OuterRef("client_id"),
        status=AppointmentStatus.ATTENDED,
        starts_at__gte=OuterRef("window_start"),
        starts_at__lte=OuterRef("window_end"),
    )
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("starts_at", "id")


def met_q() -> Q:
    """Checkpoints that are met: for SQL filters (unmet lists, the periodic job)."""
    contact_met = Q(meets=CheckpointMeets.CONTACT) & (
        Q(Exists(_contacts_in_window())) | Q(Exists(_appointments_in_window()))
    )
    visit_met = Q(meets=CheckpointMeets.VISIT) & Q(Exists(_appointments_in_window(VISIT_KINDS)))
    return contact_met | visit_met


def with_met(qs: QuerySet[FollowUpCheckpoint]) -> QuerySet[FollowUpCheckpoint]:
    """Annotate the first contact / appointment in each window, to say what met it (no extra queries)."""
    contacts = _contacts_in_window()
    any_appt = _appointments_in_window()
    visit = _appointments_in_window(VISIT_KINDS)
    return qs.annotate(
        first_contact_at=Subquery(contacts.values("contacted_at")[:1]),
        first_contact_mode=Subquery(contacts.values("mode")[:1]),
        first_appt_at=Subquery(any_appt.values("starts_at")[:1]),
        first_appt_kind=Subquery(any_appt.values("kind")[:1]),
        first_visit_at=Subquery(visit.values("starts_at")[:1]),
        first_visit_kind=Subquery(visit.values("kind")[:1]),
    )


@dataclass(frozen=True)
class CheckpointState:
    state: str  # "met", "due", "missed", "upcoming"
    met_at: dt.datetime | None = None
    met_by: str = ""

    @property
    def label(self) -> str:
        return {"met": "Met", "due": "Due", "missed": "Missed", "upcoming": "Not yet open"}[self.state]

    @property
    def badge(self) -> str:
        return {"met": "success", "due": "warning", "missed": "danger", "upcoming": "secondary"}[self.state]


def state_of(cp: FollowUpCheckpoint, now: dt.datetime | None = None) -> CheckpointState:
    """Met / due / missed for a checkpoint annotated by ``with_met``."""
    now = now or timezone.now()
    kinds = dict(AppointmentKind.choices)
    candidates = []
    if cp.meets == CheckpointMeets.VISIT:
        if cp.first_visit_at:
            candidates.append(
                (cp.first_visit_at, f"Attended appointment ({kinds.get(cp.first_visit_kind, '')})")
            )
    else:
        if cp.first_contact_at:
            from clients.models import ContactMode

            mode = dict(ContactMode.choices).get(cp.first_contact_mode, "")
            candidates.append((cp.first_contact_at, f"Contact ({mode.lower()})"))
        if cp.first_appt_at:
            candidates.append(
                (cp.first_appt_at, f"Attended appointment ({kinds.get(cp.first_appt_kind, '')})")
            )
    if candidates:
        at, by = min(candidates, key=lambda c: c[0])
        return CheckpointState("met", at, by)
    if now > cp.window_end:
        return CheckpointState("missed")
    if now < cp.window_start:
        return CheckpointState("upcoming")
    return CheckpointState("due")


def annotate_states(checkpoints, now: dt.datetime | None = None) -> list[FollowUpCheckpoint]:
    now = now or timezone.now()
    out = list(checkpoints)
    for cp in out:
        cp.status = state_of(cp, now)
    return out
