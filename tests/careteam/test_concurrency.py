"""Optimistic concurrency, the kernel half: the version token, the snapshot, the refusal, the form
mixin and the API mixin's contract (``careteam/concurrency.py``, ``careteam/api_base.py``)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django import forms

from careteam import concurrency
from careteam.api_base import ConcurrencyControlMixin
from careteam.concurrency import (
    ConcurrencyFormMixin,
    Expected,
    StaleEditError,
    changed_fields,
    decode_snapshot,
    encode_snapshot,
    identity_of,
    require_unchanged,
    token_for,
    token_for_values,
    values_of,
)
from clients.forms import ClientForm, IntakeForm
from clients.models import Client, SupportivePerson
from clients.services import CLIENT_EDITABLE_FIELDS
from tests.factories import ClientFactory, SupportivePersonFactory

FIELDS = ("preferred_name", "city", "date_of_birth")


# --- the token ---------------------------------------------------------------------------------------


def test_the_token_depends_only_on_the_covered_fields_and_names_the_ones_that_changed(db):
    alice = ClientFactory(preferred_name="Ali", city="Springfield")
    opened = token_for(alice, FIELDS)
    assert token_for(Client.objects.get(pk=alice.pk), FIELDS) == opened  # as stored, read again

    Client.objects.filter(pk=alice.pk).update(pronouns="they/them", sms_opted_out_at=dt.datetime.now(dt.UTC))
    assert token_for(Client.objects.get(pk=alice.pk), FIELDS) == opened  # not covered: same version

    Client.objects.filter(pk=alice.pk).update(city="Shelbyville")
    now = Client.objects.get(pk=alice.pk)
    assert token_for(now, FIELDS) != opened
    assert changed_fields(opened, identity_of(now), values_of(now, FIELDS)) == ["city"]


def test_a_token_that_cannot_say_what_changed_says_so(db):
    alice = ClientFactory()
    values = values_of(alice, FIELDS)
    for token in ("", "not base64 !", token_for(alice, ("city",))):
        assert changed_fields(token, identity_of(alice), values) is None


def test_the_token_is_keyed_so_a_reader_cannot_test_guesses_of_hidden_fields(db, settings):
    """An ETag reaches readers who do not see every covered field (a peer's minimum-necessary view):
    with a plain hash they could try birth dates offline until one matched."""
    alice = ClientFactory()
    mine = token_for(alice, FIELDS)
    settings.SECRET_KEY = "another-deployment-" + "x" * 40
    assert token_for(alice, FIELDS) != mine


def test_values_are_canonical_whichever_way_they_were_read():
    new_york = zoneinfo.ZoneInfo("America/New_York")
    at = dt.datetime(2030, 1, 2, 9, 30, tzinfo=new_york)
    assert concurrency.canonical(at) == concurrency.canonical(at.astimezone(dt.UTC))
    assert concurrency.canonical({"b", "a"}) == ["a", "b"]
    assert concurrency.canonical((dt.date(2030, 1, 2), None)) == ["2030-01-02", None]


def test_a_record_not_saved_yet_has_its_defaults():
    assert values_of(None, ("wants_peer", "notes"), model=_prefs_model()) == {"wants_peer": True, "notes": ""}


def _prefs_model():
    from peers.models import PeerMatchPreferences

    return PeerMatchPreferences


# --- the snapshot ------------------------------------------------------------------------------------


def test_the_snapshot_is_trusted_only_with_the_token_it_was_issued_with(db):
    alice = ClientFactory(city="Springfield")
    identity, values = identity_of(alice), values_of(alice, FIELDS)
    token = token_for_values(identity, values)
    snapshot = encode_snapshot(identity, values)
    assert decode_snapshot(snapshot, token)["city"] == "Springfield"

    forged = encode_snapshot(identity, {**values, "city": "Forged"})
    assert decode_snapshot(forged, token) is None
    assert decode_snapshot("garbage", token) is None
    assert decode_snapshot(snapshot, "") is None


# --- the refusal -------------------------------------------------------------------------------------


def test_require_unchanged_passes_a_fresh_version_and_refuses_a_stale_one(db):
    alice = ClientFactory(city="Springfield")
    expected = Expected(token=token_for(alice, FIELDS), fields=FIELDS)
    require_unchanged(Client.objects.get(pk=alice.pk), expected)
    require_unchanged(alice, None)  # no version to check: a task, If-Match: *

    Client.objects.filter(pk=alice.pk).update(city="Shelbyville")
    now = Client.objects.get(pk=alice.pk)
    with pytest.raises(StaleEditError) as refused:
        require_unchanged(now, expected)

    assert refused.value.changed == ["city"]
    assert refused.value.current["city"] == "Shelbyville"
    assert refused.value.token == token_for(now, FIELDS)
    assert "Someone else changed this record" in refused.value.message


def test_an_edit_that_names_no_version_is_refused_as_unknown(db):
    alice = ClientFactory()
    with pytest.raises(StaleEditError) as refused:
        require_unchanged(alice, Expected(token="", fields=FIELDS))
    assert refused.value.changed is None
    assert "did not say which version" in refused.value.message


# --- the form mixin ----------------------------------------------------------------------------------


def test_an_edit_form_carries_its_version_and_a_new_record_form_carries_none(db, counselor):
    alice = ClientFactory(primary_team=counselor.teams.first())
    edit = ClientForm(instance=alice, user=counselor)
    assert edit.initial[concurrency.TOKEN_FIELD] == token_for(alice, CLIENT_EDITABLE_FIELDS)
    assert {f.name for f in edit.hidden_fields()} == {concurrency.TOKEN_FIELD, concurrency.SNAPSHOT_FIELD}
    assert 'id="' not in str(edit[concurrency.TOKEN_FIELD])  # two versioned forms may share a page

    intake = IntakeForm(user=counselor)
    assert intake.expected_version() is None and not intake.hidden_fields()


class _PersonForm(ConcurrencyFormMixin, forms.ModelForm):
    class Meta:
        model = SupportivePerson
        fields = ("name", "relationship", "may_be_contacted")


def test_a_refused_form_keeps_the_entries_carries_the_new_version_and_lists_the_changes(db):
    person = SupportivePersonFactory(name="Sam Ortiz", relationship="friend", may_be_contacted=False)
    opened = _PersonForm(instance=person)
    posted = {
        "name": "Sam Ortiz-Reyes",
        "relationship": "friend",
        concurrency.TOKEN_FIELD: opened.initial[concurrency.TOKEN_FIELD],
        concurrency.SNAPSHOT_FIELD: opened.initial[concurrency.SNAPSHOT_FIELD],
    }
    SupportivePerson.objects.filter(pk=person.pk).update(relationship="sponsor", may_be_contacted=True)
    now = SupportivePerson.objects.get(pk=person.pk)
    form = _PersonForm(posted, instance=now)
    assert form.is_valid()

    with pytest.raises(StaleEditError) as refused:  # the service reads the row as stored, under its lock
        require_unchanged(SupportivePerson.objects.get(pk=person.pk), form.expected_version())
    form.refuse_stale(refused.value)

    assert form["name"].value() == "Sam Ortiz-Reyes"  # what the user typed is kept
    assert form[concurrency.TOKEN_FIELD].value() == token_for(
        SupportivePerson.objects.get(pk=person.pk), _PersonForm._meta.fields
    )
    assert form.stale and "Someone else changed this record" in form.non_field_errors()[0]
    rows = {(c.label, c.started, c.now) for c in form.concurrency_conflict}
    assert rows == {("Relationship", "friend", "sponsor"), ("May be contacted", "No", "Yes")}
    # Saving again on purpose: the version carried now is the one stored.
    again = _PersonForm(form.data, instance=SupportivePerson.objects.get(pk=person.pk))
    require_unchanged(SupportivePerson.objects.get(pk=person.pk), again.expected_version())


# --- the API -----------------------------------------------------------------------------------------


def test_every_api_that_updates_client_data_checks_the_version():
    from config.api import router

    updating = [
        viewset
        for _, viewset, _ in router.registry
        if hasattr(viewset, "update") or hasattr(viewset, "partial_update")
    ]
    assert updating, "the router lists no viewset that updates: the check has gone blind"
    assert [v.__name__ for v in updating if not issubclass(v, ConcurrencyControlMixin)] == []


def test_the_schema_documents_if_match_the_etag_and_the_412_and_428_answers(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    patch = schema["paths"]["/api/v1/clients/{id}/"]["patch"]
    assert {"200", "412", "428"} <= set(patch["responses"])
    assert any(p["name"] == "If-Match" and p["required"] for p in patch["parameters"])
    assert "ETag" in schema["paths"]["/api/v1/clients/{id}/"]["get"]["responses"]["200"]["headers"]
