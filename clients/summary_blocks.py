"""The client record's own blocks on the chart's clinical summary (registered from ClientsConfig).

Each provider costs a fixed number of queries (see ``clients.summary``); each block's ``visible`` is
the minimum-necessary rule for its section, so a peer specialist's summary never asks for diagnoses,
medications, allergies or scores.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import selectors
from .allergies.selectors import active_allergies, allergies_can_see
from .assessments import scoring
from .assessments.selectors import describe_change, scores_can_see
from .diagnoses.selectors import active_diagnoses, diagnoses_can_see
from .encounters.selectors import appointments_can_read, notes_can_read
from .medications.selectors import current_medications, medications_can_see, recent_recommendations
from .models import AllergyReview
from .summary import SummaryBlock, register_summary_block

RECOMMENDATIONS_SHOWN = 3


def diagnoses_summary(user, client) -> dict:
    """Active diagnoses, primary first (one query)."""
    return {"diagnoses": list(active_diagnoses(client))}


def medications_summary(user, client) -> dict:
    """Current medications with MOUD first, and the latest prescriber recommendations (two queries)."""
    medications = list(current_medications(client))
    return {
        "medications": medications,
        "moud": [m for m in medications if m.is_moud],
        "recommendations": recent_recommendations(client, limit=RECOMMENDATIONS_SHOWN),
    }


def allergies_summary(user, client) -> dict:
    """Active allergies, and whether anyone asked: "not asked" is not "no known allergies" (one query)."""
    return {
        "allergies": list(active_allergies(client)),
        "review": client.allergy_review,
        "not_asked": client.allergy_review == AllergyReview.NOT_ASKED,
        "no_known": client.allergy_review == AllergyReview.NO_KNOWN_ALLERGIES,
    }


def scores_summary(user, client) -> dict:
    """The latest score per instrument with its band and the change since the one before (one query)."""
    rows = []
    for response in selectors.latest_scores_for_client(client):
        rule = response.instrument.scoring_rule
        delta = (
            None
            if response.total is None or response.previous_total is None
            else response.total - response.previous_total
        )
        rows.append(
            {
                "response": response,
                "instrument": response.instrument,
                "band_label": scoring.band_label(rule, response.band) if response.band else "",
                "change": describe_change(delta, rule in scoring.HIGHER_IS_BETTER),
                "delta": delta,
            }
        )
    return {"scores": rows}


def next_appointment_summary(user, client) -> dict:
    """The next scheduled appointment the user may see (peers: one they accompany). One query."""
    return {"appointment": selectors.next_appointment_for_client(user, client)}


def last_contact_summary(user, client) -> dict:
    """When staff last spoke with the client, and (for note readers) the last session note. One query."""
    return selectors.last_contact_for_client(user, client, with_notes=notes_can_read(user))


def register() -> None:
    register_summary_block(
        SummaryBlock(
            "diagnoses",
            _("Active diagnoses"),
            "clients/summary/_diagnoses.html",
            diagnoses_summary,
            order=20,
            visible=diagnoses_can_see,
            tab="diagnoses",
        )
    )
    register_summary_block(
        SummaryBlock(
            "medications",
            _("Current medications"),
            "clients/summary/_medications.html",
            medications_summary,
            order=22,
            visible=medications_can_see,
            tab="medications",
        )
    )
    register_summary_block(
        SummaryBlock(
            "allergies",
            _("Allergies"),
            "clients/summary/_allergies.html",
            allergies_summary,
            order=24,
            visible=allergies_can_see,
            tab="medications",
        )
    )
    register_summary_block(
        SummaryBlock(
            "scores",
            _("Latest scores"),
            "clients/summary/_scores.html",
            scores_summary,
            order=30,
            visible=scores_can_see,
            tab="assessments",
        )
    )
    register_summary_block(
        SummaryBlock(
            "next-appointment",
            _("Next appointment"),
            "clients/summary/_next_appointment.html",
            next_appointment_summary,
            order=50,
            visible=appointments_can_read,
            tab="encounters",
        )
    )
    register_summary_block(
        SummaryBlock(
            "last-contact",
            _("Last contact"),
            "clients/summary/_last_contact.html",
            last_contact_summary,
            order=52,
            tab="contacts",
        )
    )
