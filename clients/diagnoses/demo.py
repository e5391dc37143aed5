"""Demo problem lists: three co-occurring cases a counselor would recognise, through the real services.

- **Opioid use disorder on buprenorphine, with depression**: a Harbor client with a PHQ-9 history whose
  care team includes the demo peer, so signing in as ``peer`` shows that neither the diagnoses nor the
  medication reach the peer's view. Buprenorphine/naloxone is prescribed by an outside addiction-
  medicine physician, who has left a recommendation for the team; no known allergies.
- **Alcohol use disorder on naltrexone, with generalised anxiety**: another Harbor client with GAD-7
  scores; a penicillin allergy; the psychiatrist's advice to avoid benzodiazepines.
- **A teenager whose PTSD screen is positive**: opened here (the demo's intake planner seats adults
  only), with a parent involved in care, a positive PC-PTSD-5 and a provisional PTSD diagnosis
  awaiting a full assessment; allergies not asked yet, as at many first visits.

Everything goes through the services a person would use (validation, audit rows). Runs last among the
demo seeders and draws nothing from ``rng``, so the people and histories seeded before it do not move.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from careteam.models import CareTeamAssignment, CaseRole, Team, User
from clients.allergies.services import allergy_create, allergy_record_none_known
from clients.assessments.services import assessment_administer
from clients.medications.services import medication_create, recommendation_create
from clients.models import (
    AllergyCategory,
    AllergySeverity,
    AssessmentResponse,
    Client,
    ClientStatus,
    ContactChannel,
    DiagnosisCode,
    DiagnosisType,
    Instrument,
    MedicationRoute,
    MoudType,
)
from clients.services import client_create, supportive_person_create

from .services import diagnosis_record

HARBOR = "Harbor Outpatient"


def _record(
    client: Client, by: User, code: str, kind: str, *, onset: dt.date | None, comment: str = ""
) -> None:
    diagnosis_record(
        client=client,
        acting_user=by,
        data={
            "code": DiagnosisCode.objects.get(code=code),
            "diagnosis_type": kind,
            "onset_date": onset,
            "comment": comment,
        },
    )


def _care_team(client_ids: list[int]) -> dict[int, set[tuple[str, str]]]:
    team: dict[int, set[tuple[str, str]]] = {pk: set() for pk in client_ids}
    for client_id, username, role in (
        CareTeamAssignment.objects.active()
        .filter(client_id__in=client_ids)
        .values_list("client_id", "staff__username", "role")
    ):
        team[client_id].add((username, role))
    return team


def _latest_totals(code: str, client_ids: list[int]) -> dict[int, int]:
    latest: dict[int, int] = {}
    for client_id, total in (
        AssessmentResponse.objects.filter(client_id__in=client_ids, instrument__code=code)
        .order_by("administered_at", "id")
        .values_list("client_id", "total")
    ):
        latest[client_id] = total
    return latest


def _pick(candidates: list[Client], *, prefer) -> Client | None:
    """The first candidate ``prefer`` likes, else the first; in the demo's opening order (repeatable)."""
    return next((c for c in candidates if prefer(c)), candidates[0] if candidates else None)


def _oud_on_buprenorphine(client: Client, counselor: User) -> None:
    onset = client.admitted_on
    _record(client, counselor, "F11.20", DiagnosisType.PRIMARY, onset=onset)
    _record(
        client,
        counselor,
        "F32.1",
        DiagnosisType.SECONDARY,
        onset=onset,
        comment="Low mood for most of the last year; PHQ-9 followed monthly.",
    )
    buprenorphine = medication_create(
        client=client,
        acting_user=counselor,
        data={
            "name": "Buprenorphine/naloxone 8 mg/2 mg sublingual film",
            "dose": "16 mg",
            "route": MedicationRoute.SUBLINGUAL,
            "frequency": "once a day",
            "moud_type": MoudType.BUPRENORPHINE_NALOXONE,
            "prescriber_name": "Dr. Aisha Okafor",
            "prescriber_organization": "Harborview Addiction Medicine",
            "prescriber_phone": "+16175550142",
            "start_date": onset,
        },
    )
    medication_create(
        client=client,
        acting_user=counselor,
        data={
            "name": "Sertraline 50 mg tablet",
            "dose": "50 mg",
            "route": MedicationRoute.ORAL,
            "frequency": "once a day, in the morning",
            "prescriber_name": "Dr. Lena Park",
            "prescriber_organization": "Harborview Addiction Medicine",
            "start_date": min(onset + dt.timedelta(days=21), timezone.localdate()) if onset else None,
        },
    )
    recommendation_create(
        client=client,
        acting_user=counselor,
        data={
            "medication": buprenorphine,
            "recommended_on": timezone.localdate() - dt.timedelta(days=9),
            "text": (
                "Stable on 16 mg. Keep weekly counselling; tell me if cravings rise around the move "
                "next month, a short dose increase is an option. Urine drug screen at each visit."
            ),
        },
    )
    allergy_record_none_known(client=client, acting_user=counselor)


def _aud_with_anxiety(client: Client, counselor: User) -> None:
    onset = client.admitted_on
    _record(client, counselor, "F10.20", DiagnosisType.PRIMARY, onset=onset)
    _record(client, counselor, "F41.1", DiagnosisType.SECONDARY, onset=onset)
    naltrexone = medication_create(
        client=client,
        acting_user=counselor,
        data={
            "name": "Naltrexone 50 mg tablet",
            "dose": "50 mg",
            "route": MedicationRoute.ORAL,
            "frequency": "once a day",
            "moud_type": MoudType.NALTREXONE_ORAL,
            "prescriber_name": "Dr. Miguel Santos",
            "prescriber_organization": "Riverside Family Medicine",
            "prescriber_phone": "+16175550178",
            "start_date": onset,
        },
    )
    recommendation_create(
        client=client,
        acting_user=counselor,
        data={
            "medication": naltrexone,
            "recommended_on": timezone.localdate() - dt.timedelta(days=20),
            "prescriber_name": "Dr. Lena Park (psychiatry consult)",
            "text": (
                "Please avoid benzodiazepines for the anxiety given the alcohol use. Buspirone is "
                "started at the next visit if the GAD-7 stays above 10; liver tests in 3 months."
            ),
        },
    )
    allergy_create(
        client=client,
        acting_user=counselor,
        data={
            "substance": "Penicillin",
            "category": AllergyCategory.MEDICATION,
            "reaction": "Hives and itching",
            "severity": AllergySeverity.MODERATE,
        },
    )


def _teen_with_ptsd_screen(team: Team, counselor: User) -> Client:
    today = timezone.localdate()
    teen = client_create(
        acting_user=counselor,
        data={
            "legal_first_name": "Jaylen",
            "legal_last_name": "Ortiz",
            "pronouns": "he/him",
            "date_of_birth": today.replace(year=today.year - 16) - dt.timedelta(days=75),
            "phone": "+16175550199",
            "preferred_channel": ContactChannel.PHONE,
            "time_zone": "America/New_York",
            "status": ClientStatus.ACTIVE,
            "referred_on": today - dt.timedelta(days=16),
            "admitted_on": today - dt.timedelta(days=9),
            "primary_team": team,
        },
    )
    supportive_person_create(
        client=teen,
        acting_user=counselor,
        data={
            "name": "Marisol Ortiz",
            "relationship": "Mother",
            "phone": "+16175550198",
            "may_be_contacted": True,
            "involved_in_care": True,
        },
    )
    instrument = Instrument.objects.get(code="pc_ptsd5")
    # The lifetime-exposure gate answered yes, then four of the five symptom items: positive (>= 3).
    answers = {item["key"]: item["options"][-1]["value"] for item in instrument.items}
    answers[instrument.items[-1]["key"]] = instrument.items[-1]["options"][0]["value"]
    assessment_administer(
        client=teen,
        instrument=instrument,
        answers=answers,
        acting_user=counselor,
        administered_at=timezone.now() - dt.timedelta(days=9, hours=2),
    )
    _record(
        teen,
        counselor,
        "F43.10",
        DiagnosisType.PROVISIONAL,
        onset=None,
        comment="PC-PTSD-5 positive at intake; full trauma assessment booked before confirming.",
    )
    return teen


def seed(*, rng: random.Random, clients: list[Client], staff: dict[str, User]) -> int:
    """The three cases above. Returns how many clients got a problem list."""
    harbor = [c for c in clients if c.primary_team.name == HARBOR and c.status == ClientStatus.ACTIVE]
    ids = [c.pk for c in harbor]
    team = _care_team(ids)
    phq9, gad7 = _latest_totals("phq9", ids), _latest_totals("gad7", ids)
    counselor = staff["counselor"]
    casey = [c for c in harbor if ("counselor", CaseRole.PRIMARY_COUNSELOR) in team[c.pk]]
    seeded = 0
    oud = _pick(casey, prefer=lambda c: phq9.get(c.pk, 0) >= 10 and ("peer", CaseRole.PEER) in team[c.pk])
    if oud is not None:
        _oud_on_buprenorphine(oud, counselor)
        seeded += 1
    aud = _pick([c for c in casey if c != oud], prefer=lambda c: gad7.get(c.pk, 0) >= 10 and c.pk not in phq9)
    if aud is not None:
        _aud_with_anxiety(aud, counselor)
        seeded += 1
    _teen_with_ptsd_screen(oud.primary_team if oud else Team.objects.get(name=HARBOR), counselor)
    return seeded + 1
