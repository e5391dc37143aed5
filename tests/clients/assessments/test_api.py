"""/api/v1/instruments/ and /api/v1/assessments/: scoped to visible clients; peers get no scores."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent, Task, TaskKind
from clients.models import AssessmentResponse
from tests.conftest import api_login
from tests.factories import AssessmentResponseFactory, ClientFactory, assign
from tests.factories.assessments import answers_totalling, instrument

LIST = "/api/v1/assessments/"


def test_instruments_are_listed_with_their_items_and_licence_state(counselor):
    response = api_login(counselor).get("/api/v1/instruments/")

    assert response.status_code == 200
    by_code = {i["code"]: i for i in response.json()["results"]}
    assert by_code["phq9"]["has_item_text"] is True and len(by_code["phq9"]["items"]) == 9
    assert (
        by_code["dast10"]["has_item_text"] is False
        and "load_instrument_text" in by_code["dast10"]["licence_note"]
    )
    assert api_login(counselor).get("/api/v1/instruments/gad7/").json()["cadence_days"] == 30


def test_a_counselor_records_a_score_through_the_api(alice, counselor):
    answers = answers_totalling("phq9", 16) | {"q9": 1}

    response = api_login(counselor).post(
        LIST, {"client": alice.pk, "instrument": "phq9", "answers": answers}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["total"], body["band"], body["band_label"]) == (17, "moderately_severe", "Moderately severe")
    assert body["flags"] == ["suicide_risk"] and body["administered_by"] == "counselor"
    assert Task.objects.filter(kind=TaskKind.RISK_SCREEN, client=alice).count() == 1


def test_licensed_instruments_are_scored_from_answers_alone_through_the_api(alice, counselor):
    answers = {f"q{i}": 1 for i in range(1, 11)}

    response = api_login(counselor).post(
        LIST, {"client": alice.pk, "instrument": "dast10", "answers": answers}, format="json"
    )

    assert response.status_code == 201
    assert (response.json()["total"], response.json()["band"]) == (9, "severe")


def test_bad_answers_are_a_400_with_a_message_per_item_and_nothing_is_saved(alice, counselor):
    answers = answers_totalling("gad7", 3) | {"q2": 9, "q8": 1}
    del answers["q7"]

    response = api_login(counselor).post(
        LIST, {"client": alice.pk, "instrument": "gad7", "answers": answers}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["answers"]) == {"q2", "q7", "q8"}
    assert not AssessmentResponse.objects.exists()


def test_a_score_without_answers_is_a_400_naming_the_field(alice, counselor):
    """Once a 500: the JSONField's default made ``answers`` optional and the view read a missing key."""
    response = api_login(counselor).post(LIST, {"client": alice.pk, "instrument": "phq2"}, format="json")

    assert response.status_code == 400
    assert "answers" in response.json()
    assert not AssessmentResponse.objects.exists()


def test_more_answers_than_any_instrument_has_items_is_a_400(alice, counselor):
    answers = {f"q{i}": 0 for i in range(1, 1000)}

    response = api_login(counselor).post(
        LIST, {"client": alice.pk, "instrument": "phq2", "answers": answers}, format="json"
    )

    assert response.status_code == 400 and "answers" in response.json()


@pytest.mark.parametrize("value", ["1.5", "-1.7976931348623155e+308", "99999999999999999999"])
def test_a_client_filter_that_is_no_row_id_is_a_400(alice, counselor, value):
    """Found by the API fuzzer: ``?client=-1.79e308`` overflowed the foreign-key lookup (500)."""
    response = api_login(counselor).get(LIST, {"client": value})

    assert response.status_code == 400
    assert "client" in response.json()


def test_the_client_filter_still_finds_the_clients_scores(alice, counselor):
    AssessmentResponseFactory(client=alice)

    response = api_login(counselor).get(LIST, {"client": alice.pk})

    assert response.status_code == 200 and response.json()["count"] == 1


def test_a_future_date_is_refused(alice, counselor):
    response = api_login(counselor).post(
        LIST,
        {
            "client": alice.pk,
            "instrument": "phq2",
            "answers": {"q1": 0, "q2": 0},
            "administered_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400 and "administered_at" in response.json()


def test_the_list_filters_by_client_and_instrument_and_is_audited(alice, counselor, team):
    bob = ClientFactory(primary_team=team)
    assign(bob, counselor)
    AssessmentResponseFactory(client=alice, administered_by=counselor)
    AssessmentResponseFactory(
        client=alice,
        instrument=instrument("gad7"),
        answers=answers_totalling("gad7", 4),
        administered_by=counselor,
    )
    AssessmentResponseFactory(client=bob, administered_by=counselor)
    api = api_login(counselor)

    assert api.get(LIST).json()["count"] == 3
    assert api.get(LIST, {"client": alice.pk}).json()["count"] == 2
    only = api.get(LIST, {"client": alice.pk, "instrument": "gad7"}).json()["results"]
    assert [r["instrument"] for r in only] == ["gad7"]
    assert AuditEvent.objects.filter(
        action=AuditAction.LIST, client=bob, detail__page="api-assessments"
    ).exists()


def test_retrieving_one_is_audited(alice, counselor):
    response = AssessmentResponseFactory(client=alice, administered_by=counselor)

    body = api_login(counselor).get(f"{LIST}{response.pk}/").json()

    assert body["id"] == response.pk
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="clients.assessmentresponse", object_id=str(response.pk)
    ).exists()


@pytest.mark.parametrize("persona", ["outsider", "other_supervisor"])
def test_others_never_see_a_score_and_cannot_add_one(alice, counselor, persona, request):
    response = AssessmentResponseFactory(client=alice, administered_by=counselor)
    api = api_login(request.getfixturevalue(persona))

    assert api.get(LIST).json()["count"] == 0
    assert api.get(f"{LIST}{response.pk}/").status_code == 404
    created = api.post(
        LIST, {"client": alice.pk, "instrument": "phq2", "answers": {"q1": 0, "q2": 0}}, format="json"
    )
    assert created.status_code == 400 and "client" in created.json()
    assert AssessmentResponse.objects.count() == 1


def test_a_peer_specialist_gets_no_scores_at_all(alice, peer, counselor):
    response = AssessmentResponseFactory(
        client=alice, answers=answers_totalling("phq9", 23), administered_by=counselor
    )
    api = api_login(peer)

    listed = api.get(LIST)
    one = api.get(f"{LIST}{response.pk}/")
    filtered = api.get(LIST, {"client": alice.pk})
    created = api.post(
        LIST, {"client": alice.pk, "instrument": "phq2", "answers": {"q1": 0, "q2": 0}}, format="json"
    )

    for r in (listed, one, filtered, created):
        assert r.status_code in (403, 404)
        assert "total" not in r.content.decode() and "23" not in r.content.decode()
    assert api.get("/api/v1/instruments/").status_code == 403
    client_json = api.get(f"/api/v1/clients/{alice.pk}/").content.decode()
    assert "phq" not in client_json.lower() and "assessment" not in client_json.lower()


def test_a_case_manager_may_read_scores_but_not_add_them(alice, case_manager, counselor):
    assign(alice, case_manager, "case_manager")
    AssessmentResponseFactory(client=alice, administered_by=counselor)
    api = api_login(case_manager)

    assert api.get(LIST).json()["count"] == 1
    created = api.post(
        LIST, {"client": alice.pk, "instrument": "phq2", "answers": {"q1": 0, "q2": 0}}, format="json"
    )
    assert created.status_code == 403


def test_the_list_query_count_stays_flat(alice, counselor, team):
    api = api_login(counselor)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    count_queries()  # warm the user's permission cache, as any earlier request would
    for _ in range(2):
        AssessmentResponseFactory(client=alice, administered_by=counselor)
    few = count_queries()
    for _ in range(20):
        c = ClientFactory(primary_team=team)
        assign(c, counselor)
        AssessmentResponseFactory(client=c, administered_by=counselor)
    many = count_queries()

    assert few == many <= 12
