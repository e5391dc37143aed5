"""The client API: who may call what, minimum necessary, validation, tokens, query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from careteam.models import AuditAction, AuditEvent, CareTeamAssignment
from clients import services
from clients.api import ClientSerializer
from clients.models import Client
from clients.services import CLIENT_EDITABLE_FIELDS
from tests.concurrency import etag_of, stored_etag
from tests.conftest import PERSONAS, api_login, login
from tests.factories import ClientFactory, assign

LIST_URL = "/api/v1/clients/"

OK = 200
NEW = 201  # created
SEES = "sees"  # the list answers with Alice in it
HIDE = "hide"  # the list answers without her
ANON = "anon"  # anonymous: 401 or 403, never data


# fmt: off
API_MATRIX = {
    # endpoint  counselor peer case_mgr crisis supervisor other_sup outsider admin adm_role anon
    "list":     (SEES, SEES, HIDE, HIDE, SEES, HIDE, HIDE, SEES, SEES, ANON),
    "retrieve": (OK,   OK,   404,  404,  OK,   404,  404,  OK,   OK,   ANON),
    "create":   (NEW,  403,  NEW,  NEW,  NEW,  NEW,  NEW,  NEW,  NEW,  ANON),
    "PUT":      (OK,   403,  404,  404,  OK,   404,  404,  OK,   OK,   ANON),
    "PATCH":    (OK,   403,  404,  404,  OK,   404,  404,  OK,   OK,   ANON),
}
# fmt: on


def _matrix_cases(matrix: dict) -> list:
    return [
        pytest.param(endpoint, persona, expected, id=f"{endpoint}-{persona}")
        for endpoint, row in matrix.items()
        for persona, expected in zip(PERSONAS, row, strict=True)
    ]


def detail_url(client: Client) -> str:
    return f"{LIST_URL}{client.pk}/"


def put_payload(client: Client, **changes) -> dict:
    """Every editable field of ``client`` as the API shows it, with ``changes`` applied."""
    shown = ClientSerializer(client).data
    return {**{f: shown[f] for f in services.CLIENT_EDITABLE_FIELDS}, **changes}


def new_client_payload(team, **changes) -> dict:
    return {
        "legal_first_name": "Bea",
        "legal_last_name": "Nakamura",
        "date_of_birth": "1990-06-01",
        "phone": "+12025550188",
        "preferred_channel": "phone",
        "primary_team": team.pk,
        **changes,
    }


def _state(alice: Client) -> tuple:
    record = Client.objects.get(pk=alice.pk)
    return (record.updated_at, record.preferred_name, Client.objects.count())


@pytest.fixture
def persona(request, db):
    """The user a parametrized test acts as (None for anonymous)."""

    def get(name: str):
        return None if name == "anonymous" else request.getfixturevalue(name)

    return get


@pytest.mark.parametrize(("endpoint", "who", "expected"), _matrix_cases(API_MATRIX))
def test_the_permission_matrix_of_the_client_api(endpoint, who, expected, alice, team, other_team, persona):
    """GIVEN Alice with her counselor and peer, and every persona
    WHEN the persona calls one of the client endpoints
    THEN they get what the matrix says; a refused call changes nothing, and a client
    they may not see answers 404, never 403."""
    user = persona(who)
    api = APIClient() if user is None else api_login(user)
    own_team = other_team if who in ("outsider", "other_supervisor") else team
    before = _state(alice)

    match endpoint:
        case "list":
            response = api.get(LIST_URL)
        case "retrieve":
            response = api.get(detail_url(alice))
        case "create":
            response = api.post(LIST_URL, new_client_payload(own_team), format="json")
        case "PUT":
            response = api.put(
                detail_url(alice),
                put_payload(alice, preferred_name="Allie"),
                format="json",
                HTTP_IF_MATCH=stored_etag(alice, CLIENT_EDITABLE_FIELDS),
            )
        case "PATCH":
            response = api.patch(
                detail_url(alice),
                {"preferred_name": "Allie"},
                format="json",
                HTTP_IF_MATCH=stored_etag(alice, CLIENT_EDITABLE_FIELDS),
            )

    if expected == ANON:
        assert response.status_code in (401, 403)
        assert "Rivera" not in response.content.decode()
    elif expected in (SEES, HIDE):
        assert response.status_code == 200
        listed = [row["id"] for row in response.json()["results"]]
        assert (alice.pk in listed) is (expected == SEES)
    else:
        assert response.status_code == expected, response.content[:2000]
    if expected in (ANON, 403, 404):
        assert _state(alice) == before
        assert "Rivera" not in response.content.decode()
    if endpoint in ("PUT", "PATCH") and expected == OK:
        assert response.json()["preferred_name"] == "Allie"
        assert Client.objects.get(pk=alice.pk).preferred_name == "Allie"
    if endpoint == "create" and expected == NEW:
        assert Client.objects.count() == before[2] + 1


def test_a_missing_client_and_a_hidden_client_answer_the_same_404(alice, outsider):
    api = api_login(outsider)
    hidden = api.get(detail_url(alice))
    missing = api.get(f"{LIST_URL}{alice.pk + 10_000}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.parametrize("value", ["1.5", "0", "1e30", "-1.7976931348623155e+308", "99999999999999999999"])
def test_a_team_filter_that_is_no_row_id_is_a_400(alice, counselor, value):
    """Found by the API fuzzer: a decimal this large reached the foreign-key lookup and overflowed (500)."""
    response = api_login(counselor).get(LIST_URL, {"primary_team": value})

    assert response.status_code == 400
    assert "primary_team" in response.json()


def test_the_api_offers_no_delete(alice, admin_user):
    response = api_login(admin_user).delete(detail_url(alice))
    assert response.status_code == 405
    assert Client.objects.filter(pk=alice.pk).exists()


def test_the_api_search_stays_inside_the_care_team(alice, counselor, outsider, other_team):
    stranger = ClientFactory(legal_first_name="Mark", legal_last_name="Rivera", primary_team=other_team)
    assign(stranger, outsider, "primary_counselor")

    rows = api_login(counselor).get(LIST_URL, {"q": "Rivera"}).json()["results"]

    assert [row["id"] for row in rows] == [alice.pk]


# --- Minimum necessary -------------------------------------------------------------------------

CLINICAL_KEYS = {"date_of_birth", "sex_at_birth", "gender_identity", "asam_edition", "asam_level"}
CLINICAL_KEYS |= {"discharge_reason", "discharged_on", "admitted_on", "referred_on"}


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


CLINICAL_VALUES = {"1984-03-09", "intersex", "trans_man", "2.1", "moved"}


def _leaf_values(data) -> set:
    if isinstance(data, dict):
        return set().union(*(_leaf_values(v) for v in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(_leaf_values(v) for v in data)) if data else set()
    return {data}


@pytest.mark.parametrize("endpoint", ["list", "retrieve"])
def test_a_peer_specialists_api_answers_contain_nothing_clinical(endpoint, alice_with_clinical_details, peer):
    """GIVEN Alice's record with date of birth, sex, gender, level of care and discharge reason
    WHEN her peer specialist reads it through the API
    THEN no clinical key is in the JSON and no clinical value either (HIPAA minimum necessary)."""
    api = api_login(peer)
    if endpoint == "list":
        body = api.get(LIST_URL).json()
        (row,) = body["results"]
    else:
        body = row = api.get(detail_url(alice_with_clinical_details)).json()

    assert row["legal_last_name"] == "Rivera"
    assert row["age"] == alice_with_clinical_details.age
    assert not CLINICAL_KEYS & set(row)
    assert not CLINICAL_VALUES & _leaf_values(body)


def test_a_counselors_api_answer_has_the_clinical_fields(alice_with_clinical_details, counselor):
    row = api_login(counselor).get(detail_url(alice_with_clinical_details)).json()
    assert row["date_of_birth"] == "1984-03-09"
    assert row["sex_at_birth"] == "intersex"
    assert row["gender_identity"] == "trans_man"
    assert (row["asam_edition"], row["asam_level"]) == ("3", "2.1")
    assert row["discharge_reason"] == "moved"
    assert {m["staff_username"] for m in row["care_team"]} == {"counselor", "peer"}


# --- Create and update -------------------------------------------------------------------------


def test_creating_a_client_through_the_api_puts_the_creator_on_the_care_team(counselor, team):
    """GIVEN a counselor WHEN they create a client through the API
    THEN 201 with a record number, and they are the new client's primary counselor with access."""
    api = api_login(counselor)

    response = api.post(LIST_URL, new_client_payload(team), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(r"CT-\d{7}", body["record_number"])
    assert body["record_number"] == f"CT-{body['id']:07d}"
    assert [(m["staff_username"], m["role"]) for m in body["care_team"]] == [
        ("counselor", "primary_counselor")
    ]
    client = Client.objects.get(pk=body["id"])
    assert client.created_by == counselor
    assert CareTeamAssignment.objects.active().filter(client=client, staff=counselor).count() == 1
    assert AuditEvent.objects.filter(client_id=client.pk, action=AuditAction.CREATE).exists()
    assert api.get(f"{LIST_URL}{client.pk}/").status_code == 200


def test_creating_a_client_on_a_team_the_user_is_not_on_is_refused(counselor, other_team):
    response = api_login(counselor).post(LIST_URL, new_client_payload(other_team), format="json")
    assert response.status_code == 400
    assert "primary_team" in response.json()
    assert not Client.objects.exists()


def test_creating_a_client_runs_the_records_own_rules(counselor, team):
    payload = new_client_payload(team, preferred_channel="sms")
    response = api_login(counselor).post(LIST_URL, payload, format="json")
    assert response.status_code == 400
    assert "texting consent" in " ".join(response.json()["preferred_channel"])
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "not a phone"}, "phone"),
        ({"date_of_birth": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "date_of_birth"),
        ({"status": "discharged", "discharged_on": None}, "discharged_on"),
        ({"asam_edition": "4", "asam_level": "0.5"}, "asam_level"),
    ],
)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_invalid_update_answers_400_with_field_messages_and_changes_nothing(
    method, changes, field, alice, counselor
):
    """GIVEN Alice's counselor WHEN they send an invalid phone, a future birth date or another
    broken rule THEN 400 names the field, and neither the record nor the audit trail changes."""
    before = _state(alice)
    audit_rows = AuditEvent.objects.filter(client_id=alice.pk, action=AuditAction.CHANGE).count()
    payload = put_payload(alice, **changes) if method == "put" else changes

    response = getattr(api_login(counselor), method)(detail_url(alice), payload, format="json")

    assert response.status_code == 400, response.content
    messages = response.json()[field]
    assert messages
    assert all(isinstance(m, str) and m for m in messages)
    assert _state(alice) == before
    assert AuditEvent.objects.filter(client_id=alice.pk, action=AuditAction.CHANGE).count() == audit_rows


def test_a_future_date_of_birth_says_so(alice, counselor):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api_login(counselor).patch(detail_url(alice), {"date_of_birth": tomorrow}, format="json")
    assert response.json()["date_of_birth"] == ["This date is in the future."]


def test_an_update_is_audited_with_the_changed_field_names(alice, counselor):
    api = api_login(counselor)
    etag = etag_of(api, detail_url(alice))
    response = api.patch(detail_url(alice), {"pronouns": "xe/xem"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    event = AuditEvent.objects.filter(client_id=alice.pk, action=AuditAction.CHANGE).latest("id")
    assert event.changed_fields == ["pronouns"]
    assert event.user_id == counselor.pk


def test_reading_through_the_api_is_audited(alice, counselor):
    api = api_login(counselor)
    last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    api.get(LIST_URL)
    api.get(detail_url(alice))

    rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id"))
    assert [(r.action, r.client_id, r.user_id) for r in rows] == [
        (AuditAction.LIST, alice.pk, counselor.pk),
        (AuditAction.VIEW, alice.pk, counselor.pk),
    ]
    assert rows[0].detail == {"page": "api"}


# --- Token login, schema and docs --------------------------------------------------------------


def test_a_token_from_username_and_password_opens_the_api(alice, counselor):
    """GIVEN the counselor's username and password WHEN exchanged at /api/v1/auth/token/
    THEN the token alone (Authorization: Token <key>) reads their caseload."""
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "counselor", "password": "careteam-demo"}, format="json"
    )
    assert response.status_code == 200
    key = response.json()["token"]

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = api.get(LIST_URL)

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [alice.pk]
    assert AuditEvent.objects.filter(
        user_id=counselor.pk, action=AuditAction.LOGIN, detail__via="api-token"
    ).exists()


def test_a_wrong_password_gets_no_token(counselor):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "counselor", "password": "wrong-password"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_a_made_up_token_is_refused(alice):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = api.get(LIST_URL)
    assert response.status_code in (401, 403)
    assert "Rivera" not in response.content.decode()


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_the_schema_and_docs_answer_a_logged_in_user(url, counselor):
    response = login(counselor).get(url)
    assert response.status_code == 200


def test_the_schema_describes_the_client_endpoints(counselor):
    response = login(counselor).get("/api/schema/")
    assert b"/api/v1/clients/" in response.content


# --- Query counts ------------------------------------------------------------------------------

API_LIST_MAX_QUERIES = 15


def _count_queries(user, url: str) -> tuple[int, dict]:
    """Queries of one API call, made as a real request would be: the user is loaded afresh."""
    http = login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()


def _add_clients(n: int, team, counselor, peer) -> None:
    """``n`` more clients on ``team``, each with a counselor and a peer on the care team."""
    for _ in range(n):
        client = ClientFactory(primary_team=team)
        assign(client, counselor, "primary_counselor")
        assign(client, peer, "peer")


@pytest.mark.parametrize("viewer", ["counselor", "peer", "supervisor"])
def test_the_client_list_api_issues_the_same_number_of_queries_for_2_and_50_clients(
    viewer, team, counselor, peer, supervisor, request
):
    """GIVEN 2, then 50 clients the caller may see, each with two people on the care team
    WHEN the caller lists clients through the API
    THEN the number of queries is the same both times, and small."""
    user = request.getfixturevalue(viewer)
    _add_clients(2, team, counselor, peer)
    with_2, body = _count_queries(user, LIST_URL)
    assert body["count"] == 2

    _add_clients(48, team, counselor, peer)
    with_50, body = _count_queries(user, LIST_URL)

    assert body["count"] == 50
    assert len(body["results"]) == 50
    assert with_50 == with_2
    assert with_2 <= API_LIST_MAX_QUERIES


def test_retrieving_a_client_does_not_grow_with_the_care_team(alice, counselor, case_manager, crisis_worker):
    few, _ = _count_queries(counselor, detail_url(alice))
    assign(alice, case_manager, "case_manager")
    assign(alice, crisis_worker, "crisis")
    many, body = _count_queries(counselor, detail_url(alice))
    assert len(body["care_team"]) == 4
    assert many == few
