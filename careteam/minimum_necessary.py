"""Minimum necessary: the one rule saying which sections of a client's record each role may see.

Published basis: HIPAA's minimum-necessary standard, 45 CFR 164.502(b) and 164.514(d)(2) — a covered
entity identifies the persons in its workforce who need access to protected health information, the
categories of information each needs, and limits their access to those categories; and for a
substance-use program 42 CFR 2.13(a) (disclosures limited to the information necessary for the
purpose) and 2.33(b) (a lawful holder uses only what the purpose needs).

The categories here are the sections of the record. Everyone on the care team sees every section,
except peer specialists (``careteam.access.minimum_necessary_view``), who support recovery and do not
treat: they never see the birth date (age is enough to pick the right person), diagnoses,
medications, allergies, level of care, assessment scores, session-note text, the clinical text of
plan problems, the plan's clinical sections (relapse triggers, early warning signs and the lapse
plan, interventions, review notes), consents, crisis episodes with their risk details, or
appointments they do not accompany (a list of attended counselling sessions is treatment history).
They keep goals in the client's words, action steps, the plan's strengths, coping strategies and
sober supports, the safety plan, the appointments they accompany (``Appointment.staff`` is them) and
the contact details they need to reach the client (DESIGN.md, "Access").

Every page, print, CSV and API serializer reads this module: views through ``section_can_see``,
templates through the ``can_see`` context processor (``{% if can_see.dob %}``), serializers through
``careteam.api_base.SectionFieldsMixin`` (which drops each hidden section's fields).
"""

from __future__ import annotations

from enum import StrEnum

from .access import minimum_necessary_view
from .models import User


class Section(StrEnum):
    """A section of the client's record, as a role sees it or not."""

    BIRTH_DATE = "dob"  # with the sex and gender fields beside it on the chart
    DIAGNOSES = "diagnoses"
    MEDICATIONS = "medications"
    ALLERGIES = "allergies"
    LEVEL_OF_CARE = "level_of_care"  # ASAM level and discharge reason
    SCORES = "scores"  # assessment totals, bands, answers
    NOTE_TEXT = "note_text"  # session notes and their addenda
    PLAN_PROBLEM_TEXT = "plan_problem_text"  # a plan problem's description (diagnosis-like text)
    PLAN_CLINICAL = "plan_clinical"  # triggers, warning signs, lapse plan, interventions, review notes
    CONSENTS = "consents"  # consents and the disclosures made under them
    RISK_DETAILS = "risk_details"  # crisis episodes: concerns, risk level and screen, disposition
    OTHER_APPOINTMENTS = "other_appointments"  # appointments the user does not accompany
    # Kept by every role on the care team.
    GOALS = "goals"  # goals in the client's words and their targets
    ACTION_STEPS = "action_steps"
    SAFETY_PLAN = "safety_plan"
    ACCOMPANIED_APPOINTMENTS = "accompanied_appointments"
    CONTACT_DETAILS = "contact_details"  # phone, email, address: to reach the client


# Sections a peer specialist does not see (45 CFR 164.514(d)(2)(i): the categories each class of
# workforce member needs).
PEER_HIDDEN: frozenset[Section] = frozenset(
    {
        Section.BIRTH_DATE,
        Section.DIAGNOSES,
        Section.MEDICATIONS,
        Section.ALLERGIES,
        Section.LEVEL_OF_CARE,
        Section.SCORES,
        Section.NOTE_TEXT,
        Section.PLAN_PROBLEM_TEXT,
        Section.PLAN_CLINICAL,
        Section.CONSENTS,
        Section.RISK_DETAILS,
        Section.OTHER_APPOINTMENTS,
    }
)
EVERY_SECTION: frozenset[Section] = frozenset(Section)


def sections_visible_to(user: User) -> frozenset[Section]:
    """The sections of a client's record ``user``'s role may see (a role check, no query)."""
    if minimum_necessary_view(user):
        return EVERY_SECTION - PEER_HIDDEN
    return EVERY_SECTION


def section_can_see(user: User, section: Section) -> bool:
    """Whether ``user``'s role may see this section of a client's record."""
    return section in sections_visible_to(user)


def section_flags_for(user: User) -> dict[str, bool]:
    """``{section value: yes/no}`` for templates: ``{% if can_see.dob %}``."""
    visible = sections_visible_to(user)
    return {section.value: section in visible for section in Section}
