"""API: /needs/, /consents/, /disclosures/, /contacts/ — scoped, audited, 400s with field messages."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent
from clients.models import ClientContact, Consent, Need
from tests.concurrency import etag_of
from tests.conftest import api_login
from tests.factories import ClientContactFactory, ConsentFactory, DisclosureFactory, NeedFactory

pytestmark = pytest.mark.django_db


def rows(response):
    return response.json()["results"]


def test_needs_list_create_update_and_set_status(alice, counselor):
    api = api_login(counselor)
    created = api.post(
        "/api/v1/needs/",
        {"client": alice.pk, "category": "housing", "description": "Shelter", "urgency": "urgent"},
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert [n["id"] for n in rows(api.get("/api/v1/needs/", {"client": alice.pk}))] == [pk]
    assert AuditEvent.objects.filter(action=AuditAction.LIST, client=alice, detail__page="api-needs").exists()
    etag = etag_of(api, f"/api/v1/needs/{pk}/")
    patched = api.patch(f"/api/v1/needs/{pk}/", {"description": "Shelter bed tonight"}, HTTP_IF_MATCH=etag)
    assert patched.status_code == 200
    bad = api.post(f"/api/v1/needs/{pk}/set-status/", {"status": "declined"})
    assert bad.status_code == 400 and "note" in bad.json()
    done = api.post(f"/api/v1/needs/{pk}/set-status/", {"status": "met", "note": "Bed at Harbor House"})
    assert done.status_code == 200 and done.json()["status"] == "met"
    need = Need.objects.get(pk=pk)
    assert need.description == "Shelter bed tonight" and need.closed_note == "Bed at Harbor House"
    blank = api.post("/api/v1/needs/", {"client": alice.pk, "category": "food", "description": " "})
    assert blank.status_code == 400 and "description" in blank.json()


def test_a_peer_sees_needs_but_not_consents_or_disclosures(alice, peer, counselor):
    NeedFactory(client=alice)
    consent = ConsentFactory(client=alice)
    DisclosureFactory(client=alice, consent=consent)
    api = api_login(peer)
    assert len(rows(api.get("/api/v1/needs/"))) == 1
    assert api.get("/api/v1/consents/").status_code == 404
    assert api.get(f"/api/v1/consents/{consent.pk}/").status_code == 404
    assert api.post(f"/api/v1/consents/{consent.pk}/revoke/", {"reason": "x"}).status_code == 404
    assert api.get("/api/v1/disclosures/").status_code == 404


def test_the_outsider_sees_nothing_and_creates_nothing(alice, outsider):
    need = NeedFactory(client=alice)
    consent = ConsentFactory(client=alice)
    ClientContactFactory(client=alice)
    DisclosureFactory(client=alice)
    api = api_login(outsider)
    for url in ("/api/v1/needs/", "/api/v1/consents/", "/api/v1/disclosures/", "/api/v1/contacts/"):
        assert rows(api.get(url)) == [], url
    assert api.get(f"/api/v1/needs/{need.pk}/").status_code == 404
    assert api.post(f"/api/v1/needs/{need.pk}/set-status/", {"status": "met"}).status_code == 404
    assert api.get(f"/api/v1/consents/{consent.pk}/").status_code == 404
    assert api.post(f"/api/v1/consents/{consent.pk}/revoke/", {"reason": "x"}).status_code == 404
    made = api.post("/api/v1/contacts/", {"client": alice.pk, "mode": "phone", "purpose": "check_in"})
    assert made.status_code == 400 and "client" in made.json()
    assert ClientContact.objects.count() == 1


def test_consents_create_and_revoke(alice, counselor, org):
    api = api_login(counselor)
    body = {
        "client": alice.pk,
        "kind": "part2",
        "recipient_organization": org.pk,
        "purpose": "Housing referral",
        "categories": ["sud", "demographics"],
        "signed_on": timezone.localdate().isoformat(),
        "signature_method": "electronic",
        "expires_on": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
    }
    created = api.post("/api/v1/consents/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["recipient"] == "Harbor Housing Partners" and created.json()["is_active"]
    pk = created.json()["id"]
    missing = api.post("/api/v1/consents/", {**body, "expires_on": None}, format="json")
    assert missing.status_code == 400 and "expires_on" in missing.json()
    assert api.post(f"/api/v1/consents/{pk}/revoke/", {}).status_code == 400
    revoked = api.post(f"/api/v1/consents/{pk}/revoke/", {"reason": "Client asked"})
    assert revoked.status_code == 200 and revoked.json()["revoked_on"] == timezone.localdate().isoformat()
    again = api.post(f"/api/v1/consents/{pk}/revoke/", {"reason": "Client asked"})
    assert again.status_code == 400 and "already revoked" in str(again.json())
    assert Consent.objects.get(pk=pk).revoked_reason == "Client asked"


def test_disclosures_are_read_only(alice, counselor):
    d = DisclosureFactory(client=alice)
    api = api_login(counselor)
    assert [r["id"] for r in rows(api.get("/api/v1/disclosures/", {"client": alice.pk}))] == [d.pk]
    assert api.post("/api/v1/disclosures/", {"client": alice.pk}).status_code in (403, 405)
    assert api.get(f"/api/v1/disclosures/{d.pk}/").json()["recipient"] == "Dr. Rivera, primary care"


def test_contacts_list_and_create(alice, counselor):
    api = api_login(counselor)
    made = api.post(
        "/api/v1/contacts/",
        {"client": alice.pk, "mode": "phone", "purpose": "crisis_follow_up", "reached": True},
    )
    assert made.status_code == 201, made.json()
    assert ClientContact.objects.get().staff == counselor
    future = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    bad = api.post("/api/v1/contacts/", {"client": alice.pk, "mode": "phone", "contacted_at": future})
    assert bad.status_code == 400 and "contacted_at" in bad.json()
    assert len(rows(api.get("/api/v1/contacts/", {"client": alice.pk}))) == 1


def _count(api, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_api_lists_cost_the_same_queries_for_2_or_20_rows(alice, counselor, org):
    api = api_login(counselor)

    def add(n):
        for _ in range(n):
            NeedFactory(client=alice, identified_by=counselor)
            c = ConsentFactory(
                client=alice, recipient_organization=org, recipient_name="", recorded_by=counselor
            )
            DisclosureFactory(client=alice, consent=c, recipient_organization=org, disclosed_by=counselor)
            ClientContactFactory(client=alice, staff=counselor)

    urls = ["/api/v1/needs/", "/api/v1/consents/", "/api/v1/disclosures/", "/api/v1/contacts/"]
    add(2)
    [_count(api, u) for u in urls]  # warm the per-request caches (permissions)
    few = [_count(api, u) for u in urls]
    add(18)
    many = [_count(api, u) for u in urls]
    assert few == many
