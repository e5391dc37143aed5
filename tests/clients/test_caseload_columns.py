"""The caseload's clinical columns: risk flag, next appointment, days since last contact, latest PHQ-9;
sorted in the database, hidden from the roles that may not see them, and a flat query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients import selectors
from clients.assessments.selectors import CSSRS_RISK_LOOKBACK_DAYS
from clients.models import AppointmentStatus
from tests.conftest import login
from tests.factories import (
    AppointmentFactory,
    AssessmentResponseFactory,
    ClientContactFactory,
    ClientFactory,
    assign,
)
from tests.factories.assessments import answers_totalling, instrument

pytestmark = pytest.mark.django_db

CASELOAD_MAX_QUERIES = 15
MODERATE_CSSRS = {"q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0}


def _client(team, counselor, peer, last_name):
    client = ClientFactory(primary_team=team, legal_last_name=last_name)
    assign(client, counselor, "primary_counselor")
    assign(client, peer, "peer")
    return client


def _phq9(client, by, *, total=0, item9=0, days_ago=1):
    answers = answers_totalling("phq9", total - item9)
    answers["q9"] = item9
    return AssessmentResponseFactory(
        client=client,
        instrument=instrument("phq9"),
        answers=answers,
        administered_by=by,
        administered_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def _cssrs(client, by, *, days_ago):
    return AssessmentResponseFactory(
        client=client,
        instrument=instrument("cssrs_screener"),
        answers=MODERATE_CSSRS,
        administered_by=by,
        administered_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def _names(user, sort) -> list[str]:
    response = login(user).get(reverse("clients:list"), {"sort": sort})
    assert response.status_code == 200
    return [c.legal_last_name for c in response.context["clients"]]


@pytest.fixture
def three(team, counselor, peer):
    """Adams: PHQ-9 18 with item 9 answered, next appointment in 5 days, reached 2 days ago.
    Baker: PHQ-9 6, next appointment tomorrow, attended an appointment 10 days ago.
    Cruz: nothing measured, booked or contacted."""
    adams = _client(team, counselor, peer, "Adams")
    baker = _client(team, counselor, peer, "Baker")
    cruz = _client(team, counselor, peer, "Cruz")
    _phq9(adams, counselor, total=18, item9=1)
    _phq9(baker, counselor, total=6)
    now = timezone.now()
    AppointmentFactory(client=adams, staff=counselor, starts_at=now + dt.timedelta(days=5))
    AppointmentFactory(client=baker, staff=counselor, starts_at=now + dt.timedelta(days=1))
    ClientContactFactory(client=adams, staff=peer, contacted_at=now - dt.timedelta(days=2))
    AppointmentFactory(
        client=baker,
        staff=counselor,
        status=AppointmentStatus.ATTENDED,
        starts_at=now - dt.timedelta(days=10),
    )
    return adams, baker, cruz


def test_the_counselor_sees_the_clinical_columns(three, counselor):
    response = login(counselor).get(reverse("clients:list"))
    html = response.content.decode()
    for header in ("Suicide risk", "Next appointment", "Days since contact", "Latest PHQ-9"):
        assert header in html
    rows = {c.legal_last_name: c for c in response.context["clients"]}
    assert rows["Adams"].risk_flag is True
    assert rows["Baker"].risk_flag is False
    assert rows["Adams"].phq9_total == 18 and rows["Adams"].phq9_band_label == "Moderately severe"
    assert rows["Baker"].phq9_band_label == "Mild"
    assert rows["Adams"].days_since_contact == 2
    assert rows["Baker"].days_since_contact == 10
    assert rows["Cruz"].days_since_contact is None
    assert "No contact yet" in html and "None booked" in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("risk", ["Adams", "Baker", "Cruz"]),
        ("-risk", ["Baker", "Cruz", "Adams"]),
        ("next", ["Baker", "Adams", "Cruz"]),
        ("-next", ["Adams", "Baker", "Cruz"]),
        ("contact", ["Adams", "Baker", "Cruz"]),
        ("-contact", ["Cruz", "Baker", "Adams"]),
        ("phq9", ["Baker", "Adams", "Cruz"]),
        ("-phq9", ["Adams", "Baker", "Cruz"]),
    ],
)
def test_each_column_sorts_in_the_database(three, counselor, sort, expected):
    assert _names(counselor, sort) == expected


def test_the_risk_flag_follows_the_latest_phq9_and_a_recent_cssrs(team, counselor, peer):
    """GIVEN Dale whose item-9 PHQ-9 was followed by one without it, Ellis with a moderate C-SSRS 10 days
    ago, Flynn with one 45 days ago
    THEN only Ellis carries the caseload's risk flag (latest PHQ-9 item 9, or C-SSRS moderate/high in
    the last 30 days)."""
    dale = _client(team, counselor, peer, "Dale")
    _phq9(dale, counselor, total=12, item9=2, days_ago=20)
    _phq9(dale, counselor, total=8, item9=0, days_ago=3)
    _cssrs(_client(team, counselor, peer, "Ellis"), counselor, days_ago=10)
    _cssrs(_client(team, counselor, peer, "Flynn"), counselor, days_ago=CSSRS_RISK_LOOKBACK_DAYS + 15)
    rows = {c.legal_last_name: c.risk_flag for c in selectors.caseload_for_user(counselor)}
    assert rows == {"Dale": False, "Ellis": True, "Flynn": False}


def test_the_peer_sees_no_scores_or_risk_and_only_appointments_they_accompany(three, peer, counselor):
    """GIVEN the three clients, and Cruz's peer appointment in 3 days with the peer
    WHEN the peer opens the caseload, even asking to sort by PHQ-9 or risk
    THEN no PHQ-9 or risk column is shown, the sort falls back to name, and the next appointment is
    only the one they accompany."""
    cruz = three[2]
    AppointmentFactory(client=cruz, staff=peer, kind="peer", starts_at=timezone.now() + dt.timedelta(days=3))
    for sort in ("phq9", "-phq9", "risk", "-risk"):
        response = login(peer).get(reverse("clients:list"), {"sort": sort})
        html = response.content.decode()
        assert response.context["sort"] == "name"
        assert "Latest PHQ-9" not in html and "Suicide risk" not in html
        assert "Moderately severe" not in html
    rows = {c.legal_last_name: c for c in response.context["clients"]}
    assert not hasattr(rows["Adams"], "phq9_total") and not hasattr(rows["Adams"], "risk_flag")
    assert rows["Adams"].next_appointment_at is None
    assert rows["Cruz"].next_appointment_at is not None
    # Adams's reached contact counts (the peer's own contact log); Baker's counselling session does not.
    assert rows["Adams"].days_since_contact == 2
    assert rows["Baker"].days_since_contact is None


def test_an_outsider_does_not_see_the_clients(three, outsider):
    response = login(outsider).get(reverse("clients:list"), {"sort": "risk"})
    assert response.status_code == 200
    assert list(response.context["clients"]) == []


def _count(http, sort) -> int:
    url = reverse("clients:list")
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url, {"sort": sort, "page": 2})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_clients(n, team, counselor, peer):
    for i in range(n):
        client = _client(team, counselor, peer, f"Client{i:03d}")
        _phq9(client, counselor, total=i % 20 + 1, item9=i % 2)
        AppointmentFactory(
            client=client, staff=counselor, starts_at=timezone.now() + dt.timedelta(days=i + 1)
        )
        ClientContactFactory(client=client, staff=peer)


@pytest.mark.parametrize("viewer", ["counselor", "peer"])
def test_every_sort_costs_the_same_queries_for_2_and_50_clients(viewer, team, counselor, peer, request):
    """GIVEN 2, then 50 clients with scores, appointments and contacts
    WHEN the viewer sorts the caseload by each column (second page)
    THEN the query count is the same both times and small."""
    http = login(request.getfixturevalue(viewer))
    sorts = sorted(selectors.caseload_sorts_for(request.getfixturevalue(viewer)))
    _add_clients(2, team, counselor, peer)
    with_2 = {sort: _count(http, sort) for sort in sorts}
    _add_clients(48, team, counselor, peer)
    with_50 = {sort: _count(http, sort) for sort in sorts}
    assert with_50 == with_2
    assert max(with_2.values()) <= CASELOAD_MAX_QUERIES


def test_the_counselor_may_sort_by_everything_and_the_peer_not_by_scores_or_risk(counselor, peer):
    assert {"risk", "-risk", "phq9", "-phq9", "next", "contact"} <= selectors.caseload_sorts_for(counselor)
    peer_sorts = selectors.caseload_sorts_for(peer)
    assert {"next", "-next", "contact", "-contact"} <= peer_sorts
    assert peer_sorts.isdisjoint({"risk", "-risk", "phq9", "-phq9"})
