"""Messages to an organisation about the client (a referral partner's address), not to the client.

The client's preferences do not apply to them; the source's per-message check does. Outreach knows
no domain app, so these tests register a check of their own, as referrals does from ``ready()``.
"""

import datetime as dt

import pytest
from django.utils import timezone

from clients.models import ClientStatus
from outreach import sources
from outreach.dispatch import send_one
from outreach.models import Channel, MessageStatus, MessageTemplate, OutboxEntry, SkipReason, SourceKind
from outreach.services import message_schedule, messages_cancel_for_source
from outreach.shipped_templates import PARTNER_TEMPLATE_KEY
from tests.factories import AppointmentFactory

PARTNER_LINK = "https://careteam.example.org/referrals/partner/abc/"
PARTNER_CONTEXT = {
    "link_days": 14,
    "referring_program": "Harbor Outpatient",
    "service_name": "Eastside Food Pantry",
    "organization_name": "Eastside Community Center",
    "referred_by": "Casey Morgan",
    "resent": False,
}


@pytest.fixture
def stale_reasons(monkeypatch):
    """A per-message check for partner emails, as a domain app registers one: the test says what
    it answers by putting message ids in the dict."""
    reasons: dict[int, str] = {}
    monkeypatch.setitem(sources._MESSAGE_CHECKS, SourceKind.REFERRAL_PARTNER, lambda m: reasons.get(m.pk))
    return reasons


@pytest.fixture(autouse=True)
def partner_link(monkeypatch):
    """The send-time-only link, as referrals registers it from ``ready()``: made when the email goes,
    never stored."""
    monkeypatch.setitem(
        sources._PRIVATE_CONTEXT,
        SourceKind.REFERRAL_PARTNER,
        (("link_url",), lambda m: {"link_url": PARTNER_LINK}),
    )


def _to_partner(client, **kwargs):
    return message_schedule(
        client=client,
        template_key=PARTNER_TEMPLATE_KEY,
        due_at=kwargs.pop("due_at", timezone.now()),
        source_kind=SourceKind.REFERRAL_PARTNER,
        idempotency_key=kwargs.pop("key", "partner-1"),
        to_address="referrals@eastside.example.org",
        to_name="Eastside Community Center",
        context=PARTNER_CONTEXT,
        **kwargs,
    )


def _send(message):
    result = send_one(message.pk)
    message.refresh_from_db()
    return result


def test_a_message_to_an_organisation_is_an_email_not_moved_by_the_clients_quiet_hours(textable):
    textable.quiet_hours_start, textable.quiet_hours_end = dt.time(0, 0), dt.time(23, 59)
    textable.save()
    message = _to_partner(textable, channel=Channel.SMS)
    assert message.channel == Channel.EMAIL
    assert message.send_at == message.due_at and message.status_detail == ""
    assert message.to_organization


def test_the_clients_opt_outs_consent_quiet_hours_and_discharge_do_not_stop_it(textable, stale_reasons):
    now = timezone.now()
    textable.email, textable.email_opted_out_at = "", now
    textable.nonessential_opted_out_at = now
    textable.consents.update(revoked_on=timezone.localdate(), revoked_reason="Asked for no more texts.")
    textable.quiet_hours_start, textable.quiet_hours_end = dt.time(0, 0), dt.time(23, 59)
    textable.status, textable.discharged_on = ClientStatus.DISCHARGED, timezone.localdate()
    textable.save()
    message = _to_partner(textable)

    assert _send(message).outcome == "sent"
    entry = OutboxEntry.objects.get()
    assert entry.to == "referrals@eastside.example.org"
    assert entry.subject == "New referral to Eastside Food Pantry"
    assert PARTNER_LINK in entry.body
    assert PARTNER_LINK not in message.body and "[sent, not stored]" in message.body  # the row keeps no link


def test_the_sources_message_check_skips_it_with_the_reason(textable, stale_reasons):
    message = _to_partner(textable)
    stale_reasons[message.pk] = "The partner link was withdrawn."

    assert _send(message).outcome == "skipped"
    assert message.status == MessageStatus.SKIPPED
    assert message.status_reason == SkipReason.SOURCE_CANCELLED
    assert message.status_detail == "The partner link was withdrawn."
    assert not OutboxEntry.objects.exists()


def test_it_is_written_in_the_programs_language_and_cannot_name_the_client(textable, stale_reasons):
    """GIVEN a Spanish-speaking client and an admin who put ``{{ client_name }}`` in the wording,
    THEN the organisation gets the program's language and no name."""
    textable.preferred_language = "es"
    textable.save()
    template = MessageTemplate.objects.get(key=PARTNER_TEMPLATE_KEY, language="en", channel=Channel.EMAIL)
    template.body += "\nClient: {{ client_name }}."
    template.save()

    _send(_to_partner(textable))

    entry = OutboxEntry.objects.get()
    assert entry.body.startswith("Harbor Outpatient has referred a person")
    assert "Client: ." in entry.body and textable.preferred_name not in entry.body


def test_the_shipped_partner_wording_exists_in_english_and_spanish(db):
    rows = MessageTemplate.objects.filter(key=PARTNER_TEMPLATE_KEY, channel=Channel.EMAIL)
    assert set(rows.values_list("language", flat=True)) == {"en", "es"}


def test_cancelling_one_kind_of_a_sources_messages_leaves_the_others(textable):
    appointment = AppointmentFactory(client=textable)
    reminder = message_schedule(
        client=textable,
        template_key="appointment-reminder",
        due_at=timezone.now() + dt.timedelta(hours=1),
        source_kind=SourceKind.APPOINTMENT,
        idempotency_key="reminder-1",
        source=appointment,
    )
    partner = _to_partner(textable, source=appointment)

    assert (
        messages_cancel_for_source(source=appointment, acting_user=None, source_kind=SourceKind.APPOINTMENT)
        == 1
    )
    reminder.refresh_from_db()
    partner.refresh_from_db()
    assert (reminder.status, partner.status) == (MessageStatus.CANCELLED, MessageStatus.PENDING)
