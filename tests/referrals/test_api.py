"""The referrals API: scoped list, draft create, retrieve with events, and the transition action."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careteam.models import AuditEvent
from clients.models import Disclosure
from referrals.models import Referral, ReferralStatus
from tests.conftest import api_login
from tests.factories import ClientFactory, assign
from tests.factories.referrals import ReferralFactory

S = ReferralStatus


def test_the_outsider_gets_404_and_an_empty_list(draft, outsider):
    api = api_login(outsider)
    assert api.get(f"/api/v1/referrals/{draft.pk}/").status_code == 404
    assert (
        api.post(f"/api/v1/referrals/{draft.pk}/transition/", {"to": "requested"}, format="json").status_code
        == 404
    )
    assert api.get("/api/v1/referrals/").json()["count"] == 0
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_create_a_draft_and_send_it_through_transition(alice, cm, need, pantry):
    api = api_login(cm)
    response = api.post(
        "/api/v1/referrals/",
        {
            "client": alice.pk,
            "need": need.pk,
            "service": pantry.pk,
            "reason": "Food",
            "shared_categories": ["demographics"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["status"] == "draft"
    sent = api.post(f"/api/v1/referrals/{pk}/transition/", {"to": "requested"}, format="json")
    assert sent.status_code == 200
    assert sent.json()["status"] == "requested"
    assert [e["to_status"] for e in sent.json()["events"] if e["kind"] == "status"] == ["draft", "requested"]
    assert Disclosure.objects.filter(source_id=str(pk)).exists()


def test_an_illegal_transition_is_a_400_with_the_field_message(draft, cm):
    draft.status = S.REQUESTED
    draft.save()
    response = api_login(cm).post(
        f"/api/v1/referrals/{draft.pk}/transition/", {"to": "completed"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"to": ["A referral that is requested cannot become completed."]}


def test_sending_without_consent_is_a_400_naming_the_missing_consent(draft, cm):
    draft.shared_categories = ["sud"]
    draft.save()
    response = api_login(cm).post(
        f"/api/v1/referrals/{draft.pk}/transition/", {"to": "requested"}, format="json"
    )
    assert response.status_code == 400
    assert "no Part 2 consent" in response.json()["consent"][0]


def test_closing_needs_an_outcome(draft, cm):
    draft.status = S.ACCEPTED
    draft.save()
    api = api_login(cm)
    response = api.post(f"/api/v1/referrals/{draft.pk}/transition/", {"to": "failed"}, format="json")
    assert response.status_code == 400 and "outcome" in response.json()
    response = api.post(
        f"/api/v1/referrals/{draft.pk}/transition/", {"to": "failed", "outcome": "no_contact"}, format="json"
    )
    assert response.status_code == 200 and response.json()["outcome"] == "no_contact"


def test_retrieve_is_audited(draft, cm):
    assert api_login(cm).get(f"/api/v1/referrals/{draft.pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="view", object_type="referrals.referral", object_id=str(draft.pk)
    ).exists()


def test_the_list_query_count_stays_flat(case_manager, team):
    api = api_login(case_manager)

    def add(n):
        for _ in range(n):
            client = ClientFactory(primary_team=team)
            assign(client, case_manager, "case_manager")
            ReferralFactory(client=client, referred_by=case_manager)

    add(2)
    api.get("/api/v1/referrals/")  # warm the content-type and permission caches
    with CaptureQueriesContext(connection) as two:
        assert api.get("/api/v1/referrals/").json()["count"] == 2
    add(18)
    with CaptureQueriesContext(connection) as twenty:
        assert api.get("/api/v1/referrals/").json()["count"] == 20
    assert len(twenty) == len(two)


@pytest.mark.parametrize("persona", ["peer"])
def test_peers_get_no_referrals(persona, draft, request):
    assert api_login(request.getfixturevalue(persona)).get("/api/v1/referrals/").status_code == 403
    assert Referral.objects.count() == 1
