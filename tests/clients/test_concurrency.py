"""No lost updates on the client record: two people edit Alice at once, on the page and through the API.

GIVEN the counselor opens Alice's edit page (or GETs her record) WHEN the supervisor saves a change
first THEN the counselor's save is refused, the supervisor's value stays, the counselor's entries are
kept and the refusal says what changed; saving again on purpose then succeeds.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from careteam.concurrency import SNAPSHOT_FIELD, TOKEN_FIELD
from careteam.models import AuditAction, AuditEvent
from clients.models import Client, SupportivePerson
from tests.concurrency import etag_of, open_form, opened
from tests.conftest import api_login, client_form_data, login
from tests.factories import SupportivePersonFactory

pytestmark = pytest.mark.django_db


def edit_url(client) -> str:
    return reverse("clients:update", args=[client.pk])


def api_url(client) -> str:
    return f"/api/v1/clients/{client.pk}/"


# --- the edit page -----------------------------------------------------------------------------------


def test_a_stale_save_of_the_client_form_is_refused_and_nothing_is_lost(alice, counselor, supervisor):
    casey, sam = login(counselor), login(supervisor)
    caseys_version = open_form(casey, edit_url(alice))

    # Sam opens the same record and saves a new preferred name first.
    sams = {**client_form_data(alice, preferred_name="Allie"), **open_form(sam, edit_url(alice))}
    assert sam.post(edit_url(alice), sams).status_code == 302

    # Casey, from the page opened before, changes the preferred name and the city.
    caseys = {**client_form_data(alice, preferred_name="Lissa", city="Springfield"), **caseys_version}
    refused = casey.post(edit_url(alice), caseys)

    assert refused.status_code == 400
    stored = Client.objects.get(pk=alice.pk)
    assert stored.preferred_name == "Allie" and stored.city != "Springfield"
    html = refused.content.decode()
    assert "Someone else changed this record since you opened it" in html
    assert 'value="Lissa"' in html and 'value="Springfield"' in html  # Casey's entries are kept
    conflict = refused.context["form"].concurrency_conflict
    assert [(c.label, c.started, c.now) for c in conflict] == [("Preferred name", "Ali", "Allie")]
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE, user=counselor).exists()

    # The page now carries the version Sam saved: Casey, having seen it, saves on purpose.
    carried = opened(refused)
    assert carried[TOKEN_FIELD] != caseys_version[TOKEN_FIELD]
    assert casey.post(edit_url(alice), {**caseys, **carried}).status_code == 302
    stored.refresh_from_db()
    assert stored.preferred_name == "Lissa" and stored.city == "Springfield"


def test_a_change_to_a_field_not_on_the_form_does_not_conflict(alice, counselor):
    casey = login(counselor)
    version = open_form(casey, edit_url(alice))
    # Meanwhile Alice texts STOP: outreach records the opt-out on her record, not a field of this form.
    Client.objects.filter(pk=alice.pk).update(sms_opted_out_at=timezone.now(), updated_at=timezone.now())

    response = casey.post(edit_url(alice), {**client_form_data(alice, city="Springfield"), **version})

    assert response.status_code == 302
    assert Client.objects.get(pk=alice.pk).city == "Springfield"


def test_a_save_that_names_no_version_is_refused_and_can_then_be_saved(alice, counselor):
    """A page opened before versions existed (or a hand-made POST) cannot say what it started from."""
    casey = login(counselor)
    posted = {k: v for k, v in client_form_data(alice, city="Springfield").items()}
    del posted[TOKEN_FIELD], posted[SNAPSHOT_FIELD]

    refused = casey.post(edit_url(alice), posted)

    assert refused.status_code == 400
    assert "did not say which version" in refused.content.decode()
    assert Client.objects.get(pk=alice.pk).city != "Springfield"
    assert casey.post(edit_url(alice), {**posted, **opened(refused)}).status_code == 302
    assert Client.objects.get(pk=alice.pk).city == "Springfield"


def person_form(person, **changes) -> dict:
    """Every field of the supportive-person form as the page sends it, with ``changes`` applied."""
    data = {"name": person.name, "relationship": person.relationship, "phone": str(person.phone), "notes": ""}
    data.update({k: "on" for k in ("may_be_contacted", "involved_in_care") if getattr(person, k)})
    return {**data, **changes}


def test_a_stale_save_of_a_supportive_person_is_refused(alice, counselor, supervisor):
    person = SupportivePersonFactory(client=alice, name="Sam Ortiz", relationship="friend")
    url = reverse("clients:supportive-person-update", args=[alice.pk, person.pk])
    casey, sam = login(counselor), login(supervisor)
    caseys_version = open_form(casey, url)
    sams = sam.post(url, {**person_form(person, relationship="sponsor"), **open_form(sam, url)})
    assert sams.status_code == 302

    refused = casey.post(url, {**person_form(person, relationship="brother"), **caseys_version})

    assert refused.status_code == 400
    assert SupportivePerson.objects.get(pk=person.pk).relationship == "sponsor"
    assert 'value="brother"' in refused.content.decode()
    assert [c.name for c in refused.context["form"].concurrency_conflict] == ["relationship"]


# --- the API -----------------------------------------------------------------------------------------


def test_the_api_hands_out_an_etag_and_refuses_an_update_from_a_stale_one(alice, counselor, supervisor):
    casey, sam = api_login(counselor), api_login(supervisor)
    read = casey.get(api_url(alice))
    etag = read["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")

    sams = sam.patch(
        api_url(alice), {"preferred_name": "Allie"}, format="json", HTTP_IF_MATCH=etag_of(sam, api_url(alice))
    )
    assert sams.status_code == 200

    stale = casey.patch(api_url(alice), {"city": "Springfield"}, format="json", HTTP_IF_MATCH=etag)

    assert stale.status_code == 412
    body = stale.json()
    assert body["changed"] == ["preferred_name"] and body["current"] == {"preferred_name": "Allie"}
    assert stale["ETag"] == body["etag"] == sams["ETag"]
    assert Client.objects.get(pk=alice.pk).city != "Springfield"

    fresh = casey.patch(api_url(alice), {"city": "Springfield"}, format="json", HTTP_IF_MATCH=stale["ETag"])
    assert fresh.status_code == 200 and fresh.json()["city"] == "Springfield"
    assert fresh["ETag"] != stale["ETag"] and fresh["ETag"] == casey.get(api_url(alice))["ETag"]


def test_an_api_update_without_if_match_is_428_and_changes_nothing(alice, counselor):
    api = api_login(counselor)
    whole = {**api.get(api_url(alice)).json(), "city": "Springfield"}
    for method, body in ((api.patch, {"city": "Springfield"}), (api.put, whole)):
        response = method(api_url(alice), body, format="json")
        assert response.status_code == 428
        assert "If-Match" in response.json()["detail"]
    assert Client.objects.get(pk=alice.pk).city != "Springfield"
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE, client=alice).exists()


def test_a_weak_or_unknown_etag_does_not_match_and_a_star_does(alice, counselor):
    api = api_login(counselor)
    strong = etag_of(api, api_url(alice))
    for sent in (f"W/{strong}", '"nope"'):
        response = api.patch(api_url(alice), {"city": "Springfield"}, format="json", HTTP_IF_MATCH=sent)
        assert response.status_code == 412
    assert (
        api.patch(api_url(alice), {"city": "Springfield"}, format="json", HTTP_IF_MATCH="*").status_code
        == 200
    )


def test_the_etag_ignores_changes_the_api_cannot_make(alice, counselor):
    api = api_login(counselor)
    etag = etag_of(api, api_url(alice))
    Client.objects.filter(pk=alice.pk).update(sms_opted_out_at=timezone.now(), updated_at=timezone.now())
    assert etag_of(api, api_url(alice)) == etag
    assert (
        api.patch(api_url(alice), {"city": "Springfield"}, format="json", HTTP_IF_MATCH=etag).status_code
        == 200
    )
