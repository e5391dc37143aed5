"""The chart's Overview as a clinical summary: every block with real data, minimum necessary for peers,
a query count that does not grow with the client's history, outsiders get 404."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import AllergyReview, AppointmentStatus, Client
from crisis.models import RiskLevel
from referrals.models import ReferralStatus
from tests.conftest import login
from tests.factories import (
    AllergyFactory,
    AppointmentFactory,
    AssessmentResponseFactory,
    ClientContactFactory,
    DiagnosisCodeFactory,
    DiagnosisFactory,
    EncounterNoteFactory,
    MedicationFactory,
    PrescriberRecommendationFactory,
    active_plan,
)
from tests.factories.assessments import answers_totalling, instrument
from tests.factories.crisis import CrisisEpisodeFactory, SafetyPlanVersionFactory
from tests.factories.plans import ActionStepCompletionFactory
from tests.factories.referrals import sent_referral

pytestmark = pytest.mark.django_db


def _overview(user, client):
    return login(user).get(reverse("clients:detail", args=[client.pk]))


def _score(client, user, code, total, days_ago):
    return AssessmentResponseFactory(
        client=client,
        instrument=instrument(code),
        answers=answers_totalling(code, total),
        administered_by=user,
        administered_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def _fill_chart(client, counselor, peer, n: int) -> None:
    """``n`` of everything on ``client``'s record: scores, appointments, contacts, notes, diagnoses,
    medications, allergies, recommendations, referrals, plan goals and completions."""
    for i in range(n):
        _score(client, counselor, "phq9", 5 + i % 10, days_ago=200 - i)
        _score(client, counselor, "gad7", 3 + i % 8, days_ago=200 - i)
        AppointmentFactory(
            client=client,
            staff=counselor,
            status=AppointmentStatus.ATTENDED,
            starts_at=timezone.now() - dt.timedelta(days=100 + i),
        )
        AppointmentFactory(
            client=client, staff=counselor, starts_at=timezone.now() + dt.timedelta(days=3 + i)
        )
        ClientContactFactory(
            client=client, staff=peer, contacted_at=timezone.now() - dt.timedelta(days=5 + i)
        )
        EncounterNoteFactory(client=client, author=counselor)
        code = DiagnosisCodeFactory(code=f"Z{59 if i % 2 else 56}.{i:02d}", description=f"Social factor {i}")
        DiagnosisFactory(client=client, code=code, recorded_by=counselor)
        MedicationFactory(client=client, recorded_by=counselor)
        AllergyFactory(client=client, recorded_by=counselor)
        PrescriberRecommendationFactory(client=client, recorded_by=counselor)
        sent_referral(client=client, referred_by=counselor)
    plan = active_plan(client, counselor, goals=n, steps=1)
    for goal in plan.problems.get().goals.all():
        ActionStepCompletionFactory(step=goal.action_steps.get(), logged_by=peer)


@pytest.fixture
def full_chart(alice, counselor, peer):
    """Alice with two of everything, a MOUD, an open high-risk crisis episode and a safety plan."""
    _fill_chart(alice, counselor, peer, 2)
    MedicationFactory(client=alice, moud=True, recorded_by=counselor)
    PrescriberRecommendationFactory(
        client=alice, recorded_by=counselor, text="Increase to 24 mg if cravings persist."
    )
    DiagnosisFactory(
        client=alice,
        code=DiagnosisCodeFactory(code="F11.20"),
        description="Opioid dependence, uncomplicated",
        diagnosis_type="primary",
        recorded_by=counselor,
    )
    AllergyFactory(client=alice, substance="Sulfa drugs", reaction="Rash", recorded_by=counselor)
    Client.objects.filter(pk=alice.pk).update(allergy_review=AllergyReview.RECORDED)
    CrisisEpisodeFactory(client=alice, risk_level=RiskLevel.HIGH)
    SafetyPlanVersionFactory(client=alice, version=1)
    # The latest PHQ-9 answers item 9: the chart's suicide-risk flag.
    AssessmentResponseFactory(
        client=alice,
        instrument=instrument("phq9"),
        answers={**answers_totalling("phq9", 12), "q9": 2},
        administered_by=counselor,
        administered_at=timezone.now() - dt.timedelta(hours=2),
    )
    return alice


def test_the_counselor_sees_every_block_with_its_data(full_chart, counselor):
    """GIVEN Alice with diagnoses, medications (one MOUD), allergies, scores, a plan, appointments,
    contacts, referrals, an open crisis episode and a safety plan
    WHEN her counselor opens the Overview
    THEN every block shows its data and links to its tab."""
    response = _overview(counselor, full_chart)
    assert response.status_code == 200
    html = response.content.decode()
    blocks = {b["key"]: b for b in response.context["summary_blocks"]}
    assert set(blocks) >= {
        "crisis",
        "diagnoses",
        "medications",
        "allergies",
        "scores",
        "plan",
        "next-appointment",
        "last-contact",
        "referrals",
    }
    # Diagnoses, primary first.
    assert "F11.20" in html and "Opioid dependence, uncomplicated" in html
    assert blocks["diagnoses"]["data"]["diagnoses"][0].code.code == "F11.20"
    # Medications: the MOUD first and highlighted; the prescriber's latest recommendations.
    assert blocks["medications"]["data"]["medications"][0].is_moud
    assert "MOUD" in html and "Buprenorphine/naloxone 8 mg/2 mg film" in html
    assert "Increase to 24 mg if cravings persist." in html
    # Allergies.
    assert "Sulfa drugs" in html
    # Latest score per instrument with its band and the change since the one before.
    scores = {row["instrument"].code: row for row in blocks["scores"]["data"]["scores"]}
    assert set(scores) == {"phq9", "gad7"}
    assert scores["phq9"]["response"].total == 14
    assert scores["phq9"]["band_label"] == "Moderate"
    assert scores["phq9"]["delta"] == 14 - 6
    assert "bi-arrow-up" in html
    # Risk flags: the chart alerts (PHQ-9 item 9, the open crisis episode).
    assert "Risk flags" in html
    assert "Suicide risk flag: PHQ-9 item 9 answered 2" in html
    assert "Open crisis episode since" in html and "High" in html
    assert "Safety plan on file (version 1" in html
    # Plan goals with adherence.
    assert "I want to stay sober so I can get my kids back by summer." in html
    assert "1/2 this week" in html
    # Next appointment, last contact, open referrals.
    assert blocks["next-appointment"]["data"]["appointment"] is not None
    assert blocks["last-contact"]["data"]["last_contact_at"] is not None
    assert blocks["last-contact"]["data"]["last_note_at"] is not None
    assert len(blocks["referrals"]["data"]["referrals"]) == 2
    assert "Open referrals" in html
    # Links to the tabs.
    assert blocks["plan"]["url"] == reverse("plans:client-plan", args=[full_chart.pk])
    assert blocks["scores"]["url"] == reverse("clients:assessments", args=[full_chart.pk])
    assert blocks["referrals"]["url"] == reverse("referrals:client-tab", args=[full_chart.pk])
    assert blocks["diagnoses"]["url"] and blocks["medications"]["url"] and blocks["allergies"]["url"]
    # Demographics and supportive people are still there, lower down.
    assert "How to reach them" in html and "Supportive people" in html


def test_the_peer_sees_only_what_minimum_necessary_allows(full_chart, peer, counselor):
    """GIVEN the same chart, and an appointment the peer accompanies later than the counselor's
    WHEN the peer specialist opens the Overview
    THEN no diagnosis, medication, allergy, score, risk detail or referral is on the page; goals, the
    next appointment they accompany, the last contact and the safety plan are."""
    accompanied = AppointmentFactory(
        client=full_chart, staff=peer, kind="peer", starts_at=timezone.now() + dt.timedelta(days=30)
    )
    response = _overview(peer, full_chart)
    assert response.status_code == 200
    html = response.content.decode()
    keys = {b["key"] for b in response.context["summary_blocks"]}
    assert keys.isdisjoint({"diagnoses", "medications", "allergies", "scores", "referrals"})
    for forbidden in (
        "F11.20",
        "Opioid dependence",
        "Buprenorphine",
        "MOUD",
        "Sertraline",
        "Sulfa drugs",
        "Increase to 24 mg",
        "PHQ-9",
        "GAD-7",
        "Risk flags",
        "Open crisis episode",
        "Active diagnoses",
        "Latest scores",
    ):
        assert forbidden not in html, forbidden
    assert "I want to stay sober so I can get my kids back by summer." in html
    assert "Safety plan on file (version 1" in html
    blocks = {b["key"]: b for b in response.context["summary_blocks"]}
    assert blocks["next-appointment"]["data"]["appointment"] == accompanied
    assert blocks["last-contact"]["data"]["last_contact_at"] is not None
    assert "last_note_at" not in blocks["last-contact"]["data"]
    # A measure on a goal is a score: the peer does not get it.
    assert blocks["plan"]["data"]["show_measures"] is False


def test_allergies_say_not_asked_apart_from_no_known_allergies(alice, counselor):
    html = _overview(counselor, alice).content.decode()
    assert "Allergies not asked yet" in html
    Client.objects.filter(pk=alice.pk).update(allergy_review=AllergyReview.NO_KNOWN_ALLERGIES)
    html = _overview(counselor, alice).content.decode()
    assert "No known allergies" in html
    assert "Allergies not asked yet" not in html


def test_an_empty_chart_says_so_in_every_block(alice, counselor):
    html = _overview(counselor, alice).content.decode()
    for empty in (
        "No active diagnoses recorded.",
        "No current medications recorded.",
        "No assessments yet.",
        "No active treatment plan.",
        "No appointment booked.",
        "No contact recorded yet.",
        "No open referrals.",
        "No open crisis episode.",
        "No safety plan yet.",
    ):
        assert empty in html, empty


def test_closed_referrals_and_past_appointments_are_not_open_or_next(alice, counselor):
    sent_referral(client=alice, referred_by=counselor, status=ReferralStatus.COMPLETED)
    AppointmentFactory(client=alice, staff=counselor, starts_at=timezone.now() - dt.timedelta(days=1))
    blocks = {b["key"]: b for b in _overview(counselor, alice).context["summary_blocks"]}
    assert blocks["referrals"]["data"]["referrals"] == []
    assert blocks["next-appointment"]["data"]["appointment"] is None


def test_an_outsider_gets_404(full_chart, outsider):
    assert _overview(outsider, full_chart).status_code == 404


def _count(user, client) -> int:
    http = login(user)
    url = reverse("clients:detail", args=[client.pk])
    http.get(url)  # warm caches (permissions, content types)
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("viewer", ["counselor", "peer", "supervisor"])
def test_the_overview_query_count_is_the_same_for_2_and_50_of_everything(
    viewer, team, counselor, peer, supervisor, request
):
    """GIVEN one client with 2 of everything and another with 50 of everything
    WHEN the viewer opens each Overview
    THEN both cost the same number of queries."""
    from tests.factories import ClientFactory, assign

    few, many = ClientFactory(primary_team=team), ClientFactory(primary_team=team)
    for client in (few, many):
        assign(client, counselor, "primary_counselor")
        assign(client, peer, "peer")
        CrisisEpisodeFactory(client=client)
        SafetyPlanVersionFactory(client=client, version=1)
    _fill_chart(few, counselor, peer, 2)
    _fill_chart(many, counselor, peer, 50)
    user = request.getfixturevalue(viewer)
    assert _count(user, few) == _count(user, many)


def test_a_block_the_role_may_not_see_is_never_asked_for_its_data(alice, counselor, monkeypatch):
    """The registry asks ``visible(user)`` first: a hidden block's provider (and its queries) never runs;
    a provider answering None leaves its block out."""
    from clients import summary

    asked = []
    monkeypatch.setattr(summary, "_BLOCKS", dict(summary._BLOCKS))
    summary.register_summary_block(
        summary.SummaryBlock(
            "hidden", "Hidden", "x.html", lambda u, c: asked.append(1), visible=lambda u: False
        )
    )
    summary.register_summary_block(summary.SummaryBlock("nothing", "Nothing", "x.html", lambda u, c: None))
    keys = {b["key"] for b in summary.summary_blocks_for(counselor, alice, tabs=[])}
    assert asked == []
    assert "hidden" not in keys and "nothing" not in keys
