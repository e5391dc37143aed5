"""The client pages: who may open what, minimum necessary, the care team, query counts, the caseload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent, CareTeamAssignment
from careteam.services import assignment_end
from clients import services
from clients.models import Client, SupportivePerson
from clients.services import SUPPORTIVE_PERSON_FIELDS
from tests.concurrency import stored_version
from tests.conftest import PERSONAS, client_form_data, login
from tests.factories import ClientFactory, SupportivePersonFactory, UserFactory, assign

# What a request should come to.
OK = 200
DONE = "done"  # a POST that did its work and redirected onwards
LOGIN = "login"  # anonymous: redirected to the login page
SEES = "sees"  # the caseload lists Alice
HIDE = "hide"  # the caseload answers, without Alice


# fmt: off
PAGE_MATRIX = {
    # page                    counselor peer case_mgr crisis supervisor other_sup outsider admin adm_role anon
    "caseload":               (SEES, SEES, HIDE, HIDE, SEES, HIDE, HIDE, SEES, SEES, LOGIN),
    "chart":                  (OK,   OK,   404,  404,  OK,   404,  404,  OK,   OK,   LOGIN),
    "update GET":             (OK,   403,  404,  404,  OK,   404,  404,  OK,   OK,   LOGIN),
    "update POST":            (DONE, 403,  404,  404,  DONE, 404,  404,  DONE, DONE, LOGIN),
    "care-team GET":          (OK,   OK,   404,  404,  OK,   404,  404,  OK,   OK,   LOGIN),
    "care-team POST":         (404,  404,  404,  404,  DONE, 404,  404,  DONE, DONE, LOGIN),
    "assignment-end POST":    (404,  404,  404,  404,  DONE, 404,  404,  DONE, DONE, LOGIN),
    "archive GET":            (403,  403,  404,  404,  OK,   404,  404,  OK,   OK,   LOGIN),
    "archive POST":           (403,  403,  404,  404,  DONE, 404,  404,  DONE, DONE, LOGIN),
    "supporter-create GET":   (OK,   403,  404,  404,  OK,   404,  404,  OK,   OK,   LOGIN),
    "supporter-create POST":  (DONE, 403,  404,  404,  DONE, 404,  404,  DONE, DONE, LOGIN),
    "supporter-update GET":   (OK,   403,  404,  404,  OK,   404,  404,  OK,   OK,   LOGIN),
    "supporter-update POST":  (DONE, 403,  404,  404,  DONE, 404,  404,  DONE, DONE, LOGIN),
}
# fmt: on


def _matrix_cases(matrix: dict) -> list:
    return [
        pytest.param(page, persona, expected, id=f"{page}-{persona}")
        for page, row in matrix.items()
        for persona, expected in zip(PERSONAS, row, strict=True)
    ]


def http_for(user) -> HttpClient:
    return HttpClient() if user is None else login(user)


@pytest.fixture
def dana(team):
    """A counselor on Alice's team who is not (yet) on her care team."""
    user = UserFactory(username="dana", first_name="Dana", last_name="Reyes", role="counselor")
    team.members.add(user)
    return user


@pytest.fixture
def supporter(alice):
    return SupportivePersonFactory(client=alice, name="Rosa Rivera", relationship="sister")


@pytest.fixture
def persona(request, db):
    """The user a parametrized test acts as (None for anonymous)."""

    def get(name: str):
        return None if name == "anonymous" else request.getfixturevalue(name)

    return get


def _state(alice: Client) -> tuple:
    """Everything a page of the matrix could change about Alice's record."""
    record = Client.objects.get(pk=alice.pk)
    return (
        record.updated_at,
        record.archived_at,
        record.preferred_name,
        tuple(CareTeamAssignment.objects.filter(client=alice).order_by("pk").values_list("pk", "ended_on")),
        tuple(
            SupportivePerson.objects.filter(client=alice)
            .order_by("pk")
            .values_list("pk", "name", "relationship", "archived_at")
        ),
    )


def _send(http: HttpClient, page: str, alice: Client, supporter: SupportivePerson, peer_assignment, dana):
    pk = alice.pk
    match page:
        case "caseload":
            return http.get(reverse("clients:list"))
        case "chart":
            return http.get(reverse("clients:detail", args=[pk]))
        case "update GET":
            return http.get(reverse("clients:update", args=[pk]))
        case "update POST":
            return http.post(
                reverse("clients:update", args=[pk]), client_form_data(alice, preferred_name="Allie")
            )
        case "care-team GET":
            return http.get(reverse("clients:care-team", args=[pk]))
        case "care-team POST":
            return http.post(
                reverse("clients:care-team", args=[pk]), {"staff": dana.pk, "role": "case_manager"}
            )
        case "assignment-end POST":
            url = reverse("clients:assignment-end", args=[pk, peer_assignment.pk])
            return http.post(url, {"reason": "caseload transfer"})
        case "archive GET":
            return http.get(reverse("clients:archive", args=[pk]))
        case "archive POST":
            return http.post(reverse("clients:archive", args=[pk]), {"reason": "Duplicate of CT-0000999"})
        case "supporter-create GET":
            return http.get(reverse("clients:supportive-person-create", args=[pk]))
        case "supporter-create POST":
            url = reverse("clients:supportive-person-create", args=[pk])
            return http.post(url, {"name": "Sam Ortiz", "relationship": "sponsor"})
        case "supporter-update GET":
            return http.get(reverse("clients:supportive-person-update", args=[pk, supporter.pk]))
        case "supporter-update POST":
            url = reverse("clients:supportive-person-update", args=[pk, supporter.pk])
            version = stored_version(supporter, SUPPORTIVE_PERSON_FIELDS)
            return http.post(url, {"name": supporter.name, "relationship": "aunt", **version})
    raise AssertionError(f"no such page in the matrix: {page}")


@pytest.mark.parametrize(("page", "who", "expected"), _matrix_cases(PAGE_MATRIX))
def test_the_permission_matrix_of_the_client_pages(page, who, expected, alice, supporter, dana, persona):
    """GIVEN Alice with her counselor and peer, and every persona
    WHEN the persona opens or posts to one of her pages
    THEN they get what the matrix says; a refused request changes nothing, and a client
    they may not see answers 404, never 403."""
    user = persona(who)
    peer_assignment = CareTeamAssignment.objects.get(client=alice, role="peer")
    before = _state(alice)

    response = _send(http_for(user), page, alice, supporter, peer_assignment, dana)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif expected in (SEES, HIDE):
        assert response.status_code == 200
        listed = [c.pk for c in response.context["clients"]]
        assert (alice.pk in listed) is (expected == SEES)
        assert (alice.display_name in response.content.decode()) is (expected == SEES)
    elif expected == DONE:
        assert response.status_code == 302, response.content[:2000]
        assert not response["Location"].startswith(reverse("login"))
        assert _state(alice) != before
    else:
        assert response.status_code == expected, response.content[:2000]
    if expected not in (DONE, OK, SEES, HIDE):
        assert _state(alice) == before


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("counselor", OK),
        ("peer", 403),
        ("case_manager", OK),
        ("crisis_worker", OK),
        ("supervisor", OK),
        ("outsider", OK),
        ("admin_role_user", OK),
        ("anonymous", LOGIN),
    ],
)
def test_the_intake_page_is_open_to_the_roles_that_may_open_records(who, expected, persona):
    response = http_for(persona(who)).get(reverse("clients:create"))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    else:
        assert response.status_code == expected


def test_a_missing_client_and_a_hidden_client_answer_the_same_404(alice, outsider):
    """GIVEN an outsider WHEN they open Alice's chart and a chart that does not exist THEN both are 404."""
    http = login(outsider)
    hidden = http.get(reverse("clients:detail", args=[alice.pk]))
    missing = http.get(reverse("clients:detail", args=[alice.pk + 10_000]))
    assert hidden.status_code == missing.status_code == 404
    assert alice.display_name not in hidden.content.decode()


def test_outsider_gets_404_on_every_chart_page_and_nothing_about_alice_leaks(alice, outsider):
    http = login(outsider)
    for name in ("clients:detail", "clients:update", "clients:care-team", "clients:archive"):
        response = http.get(reverse(name, args=[alice.pk]))
        assert response.status_code == 404, name
        assert alice.display_name not in response.content.decode()
        assert alice.legal_name not in response.content.decode()


def test_an_archived_client_answers_404_even_to_her_care_team(alice, counselor):
    services.client_archive(client=alice, acting_user=counselor, reason="Duplicate of CT-0000999")
    assert login(counselor).get(reverse("clients:detail", args=[alice.pk])).status_code == 404
    assert alice.pk not in [c.pk for c in login(counselor).get(reverse("clients:list")).context["clients"]]


# --- Minimum necessary -------------------------------------------------------------------------

# What a peer specialist must never see of Alice's record, as the pages would render it.
CLINICAL_TEXT = (
    "Date of birth",
    "March 9, 1984",
    "Mar 9, 1984",
    "1984-03-09",
    "Sex assigned at birth",
    "Intersex",
    "Gender identity",
    "Transgender man",
    "Level of care",
    "Intensive outpatient",
    "ASAM",
    "Moved away",
)


@pytest.fixture
def alice_with_clinical_details(alice, counselor):
    """Alice with every field a peer must not see filled in: discharged, with a level of care."""
    return services.client_update(
        client=alice,
        acting_user=counselor,
        data={
            "date_of_birth": dt.date(1984, 3, 9),
            "sex_at_birth": "intersex",
            "gender_identity": "trans_man",
            "asam_edition": "3",
            "asam_level": "2.1",
            "status": "discharged",
            "discharged_on": timezone.localdate(),
            "discharge_reason": "moved",
        },
    )


@pytest.mark.parametrize("page", ["clients:detail", "clients:care-team"])
def test_a_peer_specialists_chart_shows_nothing_clinical(page, alice_with_clinical_details, peer):
    """GIVEN Alice's record with date of birth, sex, gender, level of care and discharge reason
    WHEN her peer specialist opens her chart
    THEN none of those appear in the HTML (HIPAA minimum necessary)."""
    response = login(peer).get(reverse(page, args=[alice_with_clinical_details.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rivera" in html
    for text in CLINICAL_TEXT:
        assert text not in html, text


def test_a_peer_specialists_caseload_shows_an_age_not_a_date_of_birth(alice_with_clinical_details, peer):
    response = login(peer).get(reverse("clients:list"))
    html = response.content.decode()
    assert "Rivera" in html
    assert f"age {alice_with_clinical_details.age}" in html
    for text in ("March 9, 1984", "Mar 9, 1984", "1984-03-09"):
        assert text not in html


def test_a_counselors_chart_shows_the_clinical_details(alice_with_clinical_details, counselor):
    html = (
        login(counselor)
        .get(reverse("clients:detail", args=[alice_with_clinical_details.pk]))
        .content.decode()
    )
    for text in (
        "Date of birth",
        "March 9, 1984",
        "Intersex",
        "Transgender man",
        "Level of care",
        "2.1 Intensive outpatient",
        "Moved away",
    ):
        assert text in html, text


def test_a_peer_specialist_sees_no_edit_or_archive_links(alice, peer):
    html = login(peer).get(reverse("clients:detail", args=[alice.pk])).content.decode()
    assert reverse("clients:update", args=[alice.pk]) not in html
    assert reverse("clients:archive", args=[alice.pk]) not in html
    assert reverse("clients:supportive-person-create", args=[alice.pk]) not in html


# --- Care-team management from the chart -------------------------------------------------------


def test_a_supervisor_assigns_staff_from_the_chart(alice, supervisor, dana):
    """GIVEN Dana on Alice's team but not on her care team
    WHEN the supervisor adds Dana as case manager on the care-team tab
    THEN Dana is on the care team and can open Alice's chart at once."""
    assert login(dana).get(reverse("clients:detail", args=[alice.pk])).status_code == 404

    response = login(supervisor).post(
        reverse("clients:care-team", args=[alice.pk]), {"staff": dana.pk, "role": "case_manager"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("clients:care-team", args=[alice.pk])
    assert "Dana Reyes added to the care team." in response.content.decode()
    assert CareTeamAssignment.objects.active().filter(client=alice, staff=dana, role="case_manager").exists()
    assert login(dana).get(reverse("clients:detail", args=[alice.pk])).status_code == 200


def test_a_supervisor_ends_an_assignment_from_the_chart(alice, supervisor, peer):
    assignment = CareTeamAssignment.objects.get(client=alice, staff=peer)

    response = login(supervisor).post(
        reverse("clients:assignment-end", args=[alice.pk, assignment.pk]),
        {"reason": "caseload transfer"},
        follow=True,
    )

    assert response.status_code == 200
    assert "is no longer on the care team." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.ended_on == timezone.localdate()
    assert assignment.end_reason == "caseload transfer"
    assert login(peer).get(reverse("clients:detail", args=[alice.pk])).status_code == 404


def test_assigning_a_second_primary_counselor_is_refused_with_a_clear_message(alice, supervisor, dana):
    """GIVEN Alice already has Casey Morgan as primary counselor
    WHEN the supervisor assigns Dana as primary counselor too
    THEN the page says why, and nobody's assignment or access changes."""
    before = _state(alice)

    response = login(supervisor).post(
        reverse("clients:care-team", args=[alice.pk]), {"staff": dana.pk, "role": "primary_counselor"}
    )

    assert response.status_code == 400
    assert "Casey Morgan is the primary counselor. End that assignment first." in response.content.decode()
    assert _state(alice) == before
    assert login(dana).get(reverse("clients:detail", args=[alice.pk])).status_code == 404


def test_ending_an_assignment_without_a_reason_changes_nothing(alice, supervisor, peer):
    assignment = CareTeamAssignment.objects.get(client=alice, staff=peer)
    response = login(supervisor).post(
        reverse("clients:assignment-end", args=[alice.pk, assignment.pk]), {"reason": ""}, follow=True
    )
    assert "Say why the assignment is ending; nothing was changed." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.ended_on is None


def test_a_counselor_cannot_assign_or_end_care_team_roles(alice, counselor, peer, dana):
    """GIVEN Alice's own counselor, who may see her
    WHEN they post to the care-team forms
    THEN both answer 404 and nothing changes."""
    before = _state(alice)
    http = login(counselor)
    assignment = CareTeamAssignment.objects.get(client=alice, staff=peer)

    assign_response = http.post(
        reverse("clients:care-team", args=[alice.pk]), {"staff": dana.pk, "role": "case_manager"}
    )
    end_response = http.post(
        reverse("clients:assignment-end", args=[alice.pk, assignment.pk]), {"reason": "not my call"}
    )

    assert assign_response.status_code == 404
    assert end_response.status_code == 404
    assert _state(alice) == before


def test_only_those_who_manage_the_care_team_see_its_forms(alice, counselor, supervisor):
    url = reverse("clients:care-team", args=[alice.pk])
    counselor_html = login(counselor).get(url).content.decode()
    supervisor_html = login(supervisor).get(url).content.decode()
    assert "Add to care team" not in counselor_html
    assert "Reason for ending" not in counselor_html
    assert "Add to care team" in supervisor_html
    assert "Reason for ending" in supervisor_html


# --- Query counts ------------------------------------------------------------------------------

CASELOAD_MAX_QUERIES = 15
# Session, user, roles, client, care team, the VIEW audit row (4), permissions (2), supervision,
# and one query per chart-alert provider (assessments, needs, plans, crisis: clients.chart).
CHART_MAX_QUERIES = 20
# The Overview adds the clinical summary (clients.summary): one to three queries per block the role may
# see (crisis 2, diagnoses 1, medications 2, allergies 1, scores 1, plan 3, next appointment 1, last
# contact 1, referrals 1), whatever the client's history (tests/clients/test_summary.py).
OVERVIEW_MAX_QUERIES = CHART_MAX_QUERIES + 13


def _count_queries(http: HttpClient, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_clients(n: int, team, counselor, peer) -> None:
    """``n`` more clients on ``team``, each with a counselor and a peer on the care team."""
    for _ in range(n):
        client = ClientFactory(primary_team=team)
        assign(client, counselor, "primary_counselor")
        assign(client, peer, "peer")


@pytest.mark.parametrize("viewer", ["counselor", "peer", "supervisor"])
def test_the_caseload_issues_the_same_number_of_queries_for_2_and_50_clients(
    viewer, team, counselor, peer, supervisor, request
):
    """GIVEN 2, then 50 clients the viewer may see, each with two people on the care team
    WHEN the viewer opens the caseload
    THEN the number of queries is the same both times, and small (no per-row access check or care team)."""
    user = request.getfixturevalue(viewer)
    http = login(user)
    url = reverse("clients:list")
    _add_clients(2, team, counselor, peer)
    with_2 = _count_queries(http, url)

    _add_clients(48, team, counselor, peer)
    with_50 = _count_queries(http, url)

    assert with_50 == with_2
    assert with_2 <= CASELOAD_MAX_QUERIES
    assert len(http.get(url).context["clients"]) == 25


def test_the_caseload_shows_the_care_team_of_each_client(alice, counselor):
    html = login(counselor).get(reverse("clients:list")).content.decode()
    assert "Casey Morgan" in html
    assert "(peer specialist)" in html


@pytest.mark.parametrize("viewer", ["counselor", "supervisor"])
@pytest.mark.parametrize("page", ["clients:detail", "clients:care-team"])
def test_the_chart_query_count_does_not_grow_with_supportive_people_or_assignments(
    page, viewer, alice, team, case_manager, crisis_worker, dana, request
):
    """GIVEN Alice with 1 supportive person and 2 assignments, then 10 people and 7 assignments (2 ended)
    WHEN the viewer opens her chart
    THEN the number of queries is the same both times."""
    http = login(request.getfixturevalue(viewer))
    url = reverse(page, args=[alice.pk])
    SupportivePersonFactory(client=alice)
    few = _count_queries(http, url)

    SupportivePersonFactory.create_batch(9, client=alice)
    assign(alice, case_manager, "case_manager")
    assign(alice, crisis_worker, "crisis")
    assign(alice, dana, "other")
    for member in (crisis_worker, dana):
        assignment_end(
            assignment=CareTeamAssignment.objects.get(client=alice, staff=member), acting_user=None
        )
    assign(alice, dana, "case_manager")
    assign(alice, crisis_worker, "crisis")
    many = _count_queries(http, url)

    assert many == few
    assert few <= (OVERVIEW_MAX_QUERIES if page == "clients:detail" else CHART_MAX_QUERIES)


# --- Caseload search, sort and paging ----------------------------------------------------------


@pytest.fixture
def caseload(counselor, team, other_team, outsider):
    """Five clients of the counselor's, and one Okafor on another team they must never find.

    Record numbers are given, not derived from primary keys, so the searches below are exact.
    """
    rows = [
        ("Maria", "Okafor", "CT-0000012", "active"),
        ("Jon", "Okada", "CT-0000112", "referred"),
        ("Lee", "Zimmer", "CT-0001012", "active"),
        ("Ana", "Abbott", "CT-0000021", "inactive"),
        ("Ruth", "Bell", "CT-0000120", "active"),
    ]
    clients = {}
    for first, last, number, status in rows:
        client = ClientFactory(
            legal_first_name=first,
            legal_last_name=last,
            record_number=number,
            status=status,
            primary_team=team,
        )
        assign(client, counselor, "primary_counselor")
        clients[last] = client
    stranger = ClientFactory(
        legal_first_name="Mark", legal_last_name="Okafor", record_number="CT-0000099", primary_team=other_team
    )
    assign(stranger, outsider, "primary_counselor")
    return clients


def _listed(response) -> list[str]:
    assert response.status_code == 200
    return [c.legal_last_name for c in response.context["clients"]]


def test_the_caseload_searches_by_last_name(caseload, counselor):
    http = login(counselor)
    assert _listed(http.get(reverse("clients:list"), {"q": "Okafor"})) == ["Okafor"]
    assert _listed(http.get(reverse("clients:list"), {"q": "oka"})) == ["Okada", "Okafor"]


def test_the_caseload_search_never_finds_a_client_outside_the_care_team(caseload, counselor):
    response = login(counselor).get(reverse("clients:list"), {"q": "Okafor"})
    assert b"Mark Okafor" not in response.content
    assert b"CT-0000099" not in response.content


@pytest.mark.parametrize("query", ["CT-0000012", "ct-0000012", "CT0000012", "12", "0000012"])
def test_the_caseload_searches_by_record_number(query, caseload, counselor):
    response = login(counselor).get(reverse("clients:list"), {"q": query})
    assert _listed(response) == ["Okafor"]
    assert b"CT-0000012" in response.content


def test_the_caseload_filters_by_status(caseload, counselor):
    assert _listed(login(counselor).get(reverse("clients:list"), {"status": "referred"})) == ["Okada"]
    assert _listed(login(counselor).get(reverse("clients:list"), {"status": "inactive"})) == ["Abbott"]


def test_an_unknown_status_or_sort_falls_back_to_everything_by_name(caseload, counselor):
    response = login(counselor).get(reverse("clients:list"), {"status": "bogus", "sort": "password"})
    assert _listed(response) == ["Abbott", "Bell", "Okada", "Okafor", "Zimmer"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Abbott", "Bell", "Okada", "Okafor", "Zimmer"]),
        ("-name", ["Zimmer", "Okafor", "Okada", "Bell", "Abbott"]),
        ("record", ["Okafor", "Abbott", "Okada", "Bell", "Zimmer"]),
    ],
)
def test_the_caseload_sorts(sort, expected, caseload, counselor):
    response = login(counselor).get(reverse("clients:list"), {"sort": sort})
    assert _listed(response) == expected
    html = response.content.decode()
    positions = [html.index(caseload[last].record_number) for last in expected]
    assert positions == sorted(positions)


def test_the_caseload_pages_and_shows_page_2(caseload, counselor, settings):
    """GIVEN five clients and two per page WHEN the counselor opens page 2 THEN clients 3 and 4 show."""
    settings.CARETEAM_CASELOAD_PAGE_SIZE = 2

    response = login(counselor).get(reverse("clients:list"), {"page": 2, "sort": "name"})

    assert _listed(response) == ["Okada", "Okafor"]
    html = response.content.decode()
    assert "Showing 3\u20134 of 5" in html
    assert '<li class="page-item active" aria-current="page"><span class="page-link">2</span></li>' in html
    assert "sort=name&amp;page=3" in html
    assert "Abbott" not in html


def test_every_client_on_the_caseload_page_is_audited_as_listed(caseload, counselor, settings):
    """GIVEN two clients per page WHEN the counselor opens page 2 THEN one LIST audit row per client shown."""
    settings.CARETEAM_CASELOAD_PAGE_SIZE = 2
    last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    response = login(counselor).get(reverse("clients:list"), {"page": 2})

    shown = sorted(c.pk for c in response.context["clients"])
    rows = AuditEvent.objects.filter(id__gt=last_id, action=AuditAction.LIST)
    assert sorted(rows.values_list("client_id", flat=True)) == shown
    assert {(r.user_id, r.object_type, r.path, r.detail["page"]) for r in rows} == {
        (counselor.pk, "clients.client", reverse("clients:list"), "caseload")
    }


def test_an_empty_search_says_so(caseload, counselor):
    response = login(counselor).get(reverse("clients:list"), {"q": "Nobody"})
    assert _listed(response) == []
    assert b"No clients match that search." in response.content


def test_searching_as_you_type_returns_only_the_results_table(alice, counselor):
    """GIVEN the caseload page WHEN htmx asks for it (the user typing in the search box)
    THEN only the results are rendered, filtered, and the listed client is still audited."""
    http = login(counselor)

    response = http.get(reverse("clients:list"), {"q": "Riv"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'role="search"' not in html
    assert "Rivera" in html
    assert AuditEvent.objects.filter(action=AuditAction.LIST, client=alice, user=counselor).exists()
    no_match = http.get(reverse("clients:list"), {"q": "Zzz"}, HTTP_HX_REQUEST="true")
    assert "Rivera" not in no_match.content.decode()
