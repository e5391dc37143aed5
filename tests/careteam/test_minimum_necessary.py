"""Minimum necessary, walked: the peer specialist opens every page and endpoint and never meets a
field their role may not see (``careteam/minimum_necessary.py``; HIPAA 45 CFR 164.502(b), 164.514(d)).

Alice's record is filled with distinctive markers in every forbidden section (birth date, plan-problem
text, relapse triggers, interventions, note text, scores, consent, crisis risk, a counselling session
the peer does not accompany). The walk fills every URL pattern's arguments with Alice's objects, GETs
it (plain and as htmx), GETs every API list (with and without ``?client=``) and every detail of every
row, and the CSV downloads; any response carrying a marker fails the test with the list of exposures.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from careteam import minimum_necessary as mn
from careteam.minimum_necessary import Section
from clients.models import AppointmentKind, AppointmentStatus
from tests.conftest import api_login, login
from tests.factories import (
    ActionStepFactory,
    AppointmentFactory,
    AssessmentResponseFactory,
    ConsentFactory,
    EncounterNoteFactory,
    GoalFactory,
    NeedFactory,
    NoteAddendumFactory,
    PeerAssignmentFactory,
    ProblemFactory,
    SupportivePersonFactory,
    TreatmentPlanFactory,
)
from tests.factories.assessments import answers_totalling, instrument
from tests.factories.crisis import CrisisEpisodeFactory, SafetyPlanVersionFactory
from tests.factories.diagnoses import DiagnosisFactory
from tests.factories.medications import AllergyFactory, MedicationFactory, PrescriberRecommendationFactory
from tests.factories.plans import InterventionFactory
from tests.factories.referrals import sent_referral

DOB = dt.date(1980, 8, 8)

# Every way the site writes a date, for the birth date.
DOB_MARKERS = ("Aug 8, 1980", "Aug. 8, 1980", "August 8, 1980", "08/08/1980", "8/8/1980", "1980-08-08")

FORBIDDEN = {
    **{marker: Section.BIRTH_DATE for marker in DOB_MARKERS},
    "Zyxproblem": Section.PLAN_PROBLEM_TEXT,
    "Zyxtrigger": Section.PLAN_CLINICAL,
    "Zyxlapseplan": Section.PLAN_CLINICAL,
    "Zyxintervention": Section.PLAN_CLINICAL,
    "Zyxreviewnote": Section.PLAN_CLINICAL,
    "Zyxnotedata": Section.NOTE_TEXT,
    "Zyxnoteassessment": Section.NOTE_TEXT,
    "Zyxaddendum": Section.NOTE_TEXT,
    "Moderately severe": Section.SCORES,
    "Zyxconsentee": Section.CONSENTS,
    "Zyxconsentpurpose": Section.CONSENTS,
    "Psychosis": Section.RISK_DETAILS,
    "Zyxdisposition": Section.RISK_DETAILS,
    "Zyxcounselroom": Section.OTHER_APPOINTMENTS,
    "Zyxdiagnosis": Section.DIAGNOSES,
    "Zyxdxcomment": Section.DIAGNOSES,
    "Zyxmedication": Section.MEDICATIONS,
    "Zyxprescriber": Section.MEDICATIONS,
    "Zyxrecommendation": Section.MEDICATIONS,
    "Zyxallergen": Section.ALLERGIES,
    "Zyxreaction": Section.ALLERGIES,
}

# What the peer keeps (DESIGN.md "Access"): goals in the client's words, action steps, the safety plan,
# the appointments they accompany.
KEPT = {
    "Zyxgoalwords": "/clients/{pk}/plans/",
    "Zyxstepdesc": "/clients/{pk}/plans/",
    "Zyxwarningsign": "/crisis/clients/{pk}/",
    "Zyxpeermeet": "/clients/{pk}/encounters/",
}


@pytest.fixture
def rich(alice, counselor, peer, crisis_worker):
    """Alice with something in every section, the peer assigned to her."""
    alice.date_of_birth = DOB
    alice.save(update_fields=["date_of_birth"])
    PeerAssignmentFactory(client=alice, peer=peer)
    plan = TreatmentPlanFactory(
        client=alice,
        created_by=counselor,
        version=1,
        triggers="Zyxtrigger payday weekends",
        lapse_plan="Zyxlapseplan call sponsor",
    )
    problem = ProblemFactory(plan=plan, description="Zyxproblem opioid use disorder, on buprenorphine")
    goal = GoalFactory(problem=problem, client_words="Zyxgoalwords I want my kids back")
    step = ActionStepFactory(goal=goal, description="Zyxstepdesc walk to the meeting")
    intervention = InterventionFactory(
        goal=goal, responsible_staff=counselor, frequency="Zyxintervention weekly"
    )
    from plans.services import plan_activate

    plan = plan_activate(
        plan=plan, acting_user=counselor, client_agreement="signed", client_agreement_on=timezone.localdate()
    )
    note = EncounterNoteFactory(
        client=alice,
        author=counselor,
        signed=True,
        data="Zyxnotedata cravings after payday",
        assessment="Zyxnoteassessment",
    )
    addendum = NoteAddendumFactory(note=note, text="Zyxaddendum correction")
    phq9 = instrument("phq9")
    assessment = AssessmentResponseFactory(
        client=alice, instrument=phq9, answers=answers_totalling("phq9", 17), administered_by=counselor
    )
    from plans.services import plan_create_draft, plan_review_record

    # A second version whose changes touch the hidden sections (the versions page shows the diff).
    draft = plan_create_draft(client=alice, acting_user=counselor, change_reason="Review")
    draft.triggers = "Zyxtrigger payday, weekends and the old crowd"
    draft.save(update_fields=["triggers"])
    draft.problems.update(description="Zyxproblem opioid use disorder, in remission")
    draft_goal = GoalFactory(problem=draft.problems.get(), client_words="Zyxgoalwords a second goal")
    InterventionFactory(goal=draft_goal, responsible_staff=counselor, description="Zyxintervention monthly")

    plan_review_record(
        plan=plan,
        acting_user=counselor,
        reviewed_on=timezone.localdate(),
        note="Zyxreviewnote cravings discussed",
        goal_progress={goal.pk: ("some", "")},
    )
    consent = ConsentFactory(
        client=alice, recipient_name="Zyxconsentee clinic", purpose="Zyxconsentpurpose", recorded_by=counselor
    )
    episode = CrisisEpisodeFactory(
        client=alice,
        opened_by=crisis_worker,
        concerns=["psychosis"],
        risk_level="high",
        disposition="community",
        disposition_at=timezone.now(),
        disposition_note="Zyxdisposition sent home with sister",
    )
    SafetyPlanVersionFactory(client=alice, author=counselor, warning_signs=["Zyxwarningsign pacing"])
    session = AppointmentFactory(
        client=alice,
        staff=counselor,
        kind=AppointmentKind.INDIVIDUAL,
        starts_at=timezone.now() - dt.timedelta(days=3),
        status=AppointmentStatus.ATTENDED,
        location="Zyxcounselroom 4",
    )
    accompanied = AppointmentFactory(
        client=alice,
        staff=peer,
        kind=AppointmentKind.PEER,
        starts_at=timezone.now() + dt.timedelta(days=1),
        location="Zyxpeermeet coffee shop",
    )
    need = NeedFactory(client=alice, identified_by=counselor)
    person = SupportivePersonFactory(client=alice)
    referral = sent_referral(client=alice, need=need, referred_by=counselor)
    diagnosis = DiagnosisFactory(
        client=alice,
        description="Zyxdiagnosis opioid dependence",
        comment="Zyxdxcomment",
        recorded_by=counselor,
    )
    medication = MedicationFactory(
        client=alice,
        name="Zyxmedication buprenorphine/naloxone",
        moud_type="buprenorphine_naloxone",
        prescriber=None,
        prescriber_name="Zyxprescriber Okafor",
        recorded_by=counselor,
    )
    recommendation = PrescriberRecommendationFactory(
        client=alice, medication=medication, text="Zyxrecommendation keep 16 mg", recorded_by=counselor
    )
    allergy = AllergyFactory(
        client=alice, substance="Zyxallergen", reaction="Zyxreaction hives", recorded_by=counselor
    )
    return {
        "pk": alice.pk,
        "need_pk": need.pk,
        "person_pk": person.pk,
        "referral_pk": referral.pk,
        "plan_pk": plan.pk,
        "note_pk": note.pk,
        "addendum_pk": addendum.pk,
        "assessment_pk": assessment.pk,
        "consent_pk": consent.pk,
        "episode_pk": episode.pk,
        "appointment_pk": session.pk,
        "accompanied_pk": accompanied.pk,
        "problem_pk": problem.pk,
        "goal_pk": goal.pk,
        "step_pk": step.pk,
        "intervention_pk": intervention.pk,
        "diagnosis_pk": diagnosis.pk,
        "medication_pk": medication.pk,
        "recommendation_pk": recommendation.pk,
        "allergy_pk": allergy.pk,
        "code": "phq9",
    }


# URL argument per name; a few views name their argument for different objects (``item_pk``).
ITEM_PK = {
    "plans:problem-update": "problem_pk",
    "plans:goal-create": "problem_pk",
    "plans:goal-update": "goal_pk",
    "plans:step-create": "goal_pk",
    "plans:step-update": "step_pk",
    "plans:intervention-create": "goal_pk",
    "plans:intervention-update": "intervention_pk",
    "plans:item-remove": "problem_pk",
}
SKIPPED_PREFIXES = ("admin/", "accounts/", "api/")  # admin: staff only; accounts: sign-in; api: walked below
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _page_routes(patterns=None, prefix="", namespace=""):
    """Every HTML route as (view name, route string with ``<converter:name>`` placeholders)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}:{pattern.namespace}" if pattern.namespace and namespace else pattern.namespace
            yield from _page_routes(pattern.url_patterns, prefix + str(pattern.pattern), ns or namespace)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if route.startswith(SKIPPED_PREFIXES) or "^" in route:
                continue
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield name, route


def _fill(name: str, route: str, objects: dict) -> str | None:
    def value(match):
        arg = match.group("name")
        if arg == "item_pk":
            arg = ITEM_PK.get(name, "problem_pk")
        if arg == "kind":
            return "problems"
        if arg == "key":
            return "__drilldowns__"
        if arg == "token":
            return "not-a-token"
        if arg == "pk" and name.startswith(("referrals:directory", "workspace:task")):
            return "999999"  # not a client: a directory service, a task
        return str(objects.get(arg, 999999))

    return "/" + PARAM.sub(value, route)


def _drilldown_keys() -> list[str]:
    from dashboards import metrics

    return [d.key for spec in metrics.panels() for d in spec.drilldowns]


def _page_urls(objects: dict) -> list[str]:
    urls = []
    for name, route in _page_routes():
        url = _fill(name, route, objects)
        if "__drilldowns__" in url:
            for key in _drilldown_keys():
                drill = url.replace("__drilldowns__", key)
                urls += [drill, drill + "?format=csv"]
        else:
            urls.append(url)
    pk = objects["pk"]
    urls += ["/clients/?q=Rivera", "/crisis/open/?q=Rivera", f"/clients/{pk}/plans/?version=1"]
    return urls


def _api_urls(objects: dict) -> list[str]:
    from config.api import router

    urls = ["/api/v1/metrics/"]
    for prefix, viewset, _basename in router.registry:
        base = f"/api/v1/{prefix}/"
        urls += [base, f"{base}?client={objects['pk']}"]
        queryset = getattr(viewset, "queryset", None)
        serializer = getattr(viewset, "serializer_class", None)
        model = (
            queryset.model
            if queryset is not None
            else getattr(getattr(serializer, "Meta", None), "model", None)
        )
        if model is None:
            continue
        lookup = getattr(viewset, "lookup_field", "pk")
        for key in model._base_manager.values_list(lookup, flat=True)[:50]:
            urls.append(f"{base}{key}/")
            for action in viewset.get_extra_actions():
                if action.detail and "get" in action.mapping:
                    urls.append(f"{base}{key}/{action.url_path}/")
    return urls


def _exposures(http, urls: list[str], **headers) -> list[str]:
    found = {}
    for url in urls:
        response = http.get(url, **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        for marker, section in FORBIDDEN.items():
            if marker.lower() in text.lower():
                found[(url, marker)] = f"{url} [{response.status_code}] shows {section.value}: {marker!r}"
    return found


def test_the_peer_meets_no_forbidden_field_on_any_page_print_csv_or_endpoint(rich, peer):
    """GIVEN Alice's record with a marker in every section a peer may not see, and the peer on her case
    WHEN the peer GETs every page (plain and htmx), print, CSV and API list and detail
    THEN no response carries any marker."""
    pages = _page_urls(rich)
    assert len(pages) > 60  # the walk really walked
    http = login(peer)
    found = _exposures(http, pages)
    found |= _exposures(http, pages, HTTP_HX_REQUEST="true")
    found |= _exposures(api_login(peer), _api_urls(rich), HTTP_ACCEPT="application/json")

    assert not found, f"{len(found)} exposures:\n" + "\n".join(found.values())


def test_the_counselor_still_sees_every_section(rich, counselor):
    """The markers are real: the same walk as the primary counselor meets each of them (so the peer walk
    passing means the peer was kept out, not that nothing was rendered)."""
    http = login(counselor)
    urls = _page_urls(rich)
    seen = set()
    for url in urls:
        text = http.get(url).content.decode("utf-8", "replace").lower()
        seen |= {marker for marker in FORBIDDEN if marker.lower() in text}

    assert {"Aug 8, 1980", "Zyxproblem", "Zyxtrigger", "Zyxnotedata", "Zyxconsentee", "Psychosis"} <= seen
    assert {"Moderately severe", "Zyxcounselroom", "Zyxintervention", "Zyxaddendum", "Zyxreviewnote"} <= seen
    assert {"Zyxdiagnosis", "Zyxmedication", "Zyxprescriber", "Zyxrecommendation", "Zyxallergen"} <= seen


@pytest.mark.parametrize(("marker", "page"), list(KEPT.items()))
def test_the_peer_keeps_goals_steps_safety_plan_and_accompanied_appointments(rich, peer, marker, page):
    response = login(peer).get(page.format(pk=rich["pk"]))

    assert response.status_code == 200
    assert marker in response.content.decode()


def test_the_peer_reads_goals_and_steps_through_the_api_without_problem_text(rich, peer):
    api = api_login(peer)

    problems = api.get(f"/api/v1/plan-problems/?client={rich['pk']}").json()
    plans = api.get(f"/api/v1/plans/?client={rich['pk']}").json()

    text = str(problems) + str(plans)
    assert "Zyxgoalwords" in text
    assert "Zyxstepdesc" in text
    assert "Zyxproblem" not in text


def test_one_rule_names_the_sections_each_role_sees(peer, counselor, admin_user):
    assert not mn.section_can_see(peer, Section.BIRTH_DATE)
    assert not mn.section_can_see(peer, Section.NOTE_TEXT)
    assert mn.section_can_see(peer, Section.GOALS)
    assert mn.section_can_see(peer, Section.SAFETY_PLAN)
    assert mn.section_can_see(peer, Section.ACCOMPANIED_APPOINTMENTS)
    assert mn.sections_visible_to(counselor) == frozenset(Section)
    assert mn.sections_visible_to(admin_user) == frozenset(Section)
    assert mn.section_flags_for(peer)["dob"] is False
    assert mn.section_flags_for(counselor)["dob"] is True


def test_the_versions_page_diff_leaves_hidden_sections_out_for_the_peer(rich, peer, counselor):
    """GIVEN a new plan version that changed the relapse triggers, the problem text and added a goal with
    an intervention WHEN the counselor and the peer compare the versions THEN both see the new goal; only
    the counselor sees what changed in the triggers, the problem text and the intervention."""
    url = f"/clients/{rich['pk']}/plans/versions/"

    clinician = login(counselor).get(url).content.decode()
    peers = login(peer).get(url).content.decode()

    assert "Zyxgoalwords a second goal" in clinician and "Zyxgoalwords a second goal" in peers
    for marker in ("Zyxtrigger payday, weekends", "in remission", "Zyxintervention monthly"):
        assert marker in clinician
        assert marker not in peers
