"""Send-time rules: each one stops or moves a message and records why."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from clients.models import AppointmentStatus, ClientStatus
from outreach.dispatch import send_one
from outreach.models import Channel, MessageStatus, OutboxEntry, SkipReason
from outreach.rules import in_quiet_hours, quiet_hours_end
from outreach.services import message_schedule
from tests.factories import AppointmentFactory, SupportivePersonFactory
from tests.factories.outreach import ScheduledMessageFactory

NY = ZoneInfo("America/New_York")


def _send(message):
    result = send_one(message.pk)
    message.refresh_from_db()
    return result


def test_a_message_to_a_client_who_may_be_texted_is_sent(textable):
    message = ScheduledMessageFactory(client=textable)
    assert _send(message).outcome == "sent"
    assert message.status == MessageStatus.SENT
    entry = OutboxEntry.objects.get()
    assert entry.to == "+12025550142" and entry.body == "Hello from your care team"


def test_a_client_who_texted_stop_gets_no_more_texts(textable):
    textable.sms_opted_out_at = timezone.now()
    textable.save()
    message = ScheduledMessageFactory(client=textable, essential=True)
    assert _send(message).outcome == "skipped"
    assert message.status == MessageStatus.SKIPPED
    assert message.status_reason == SkipReason.OPTED_OUT_CHANNEL
    assert not OutboxEntry.objects.exists()


def test_the_nonessential_opt_out_stops_reminders_but_not_essential_messages(textable):
    textable.nonessential_opted_out_at = timezone.now()
    textable.save()
    reminder = ScheduledMessageFactory(client=textable)
    essential = ScheduledMessageFactory(client=textable, essential=True)
    _send(reminder)
    _send(essential)
    assert reminder.status_reason == SkipReason.OPTED_OUT_NONESSENTIAL
    assert essential.status == MessageStatus.SENT


def test_an_email_opt_out_stops_email(textable):
    textable.email_opted_out_at = timezone.now()
    textable.save()
    message = ScheduledMessageFactory(client=textable, channel=Channel.EMAIL)
    _send(message)
    assert (message.status, message.status_reason) == (MessageStatus.SKIPPED, SkipReason.OPTED_OUT_CHANNEL)


def test_no_text_is_sent_without_a_text_messaging_consent(alice):
    message = ScheduledMessageFactory(client=alice)
    _send(message)
    assert message.status_reason == SkipReason.NO_TEXT_CONSENT
    assert "consent" in message.status_detail
    assert not OutboxEntry.objects.exists()


def test_no_text_is_sent_once_the_texting_consent_is_revoked(textable):
    textable.consents.update(revoked_on=timezone.localdate(), revoked_reason="Asked for no more texts.")
    message = ScheduledMessageFactory(client=textable)
    _send(message)
    assert message.status_reason == SkipReason.NO_TEXT_CONSENT


def test_a_revoked_text_consent_stops_texts(textable):
    textable.consents.update(revoked_on=timezone.localdate() - dt.timedelta(days=0))
    message = ScheduledMessageFactory(client=textable)
    _send(message)
    assert message.status_reason == SkipReason.NO_TEXT_CONSENT


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        (ClientStatus.DISCHARGED, "completed", SkipReason.CLIENT_DISCHARGED),
        (ClientStatus.DISCHARGED, "deceased", SkipReason.CLIENT_DECEASED),
    ],
)
def test_a_discharged_or_deceased_client_gets_nothing(textable, status, reason, expected):
    textable.status = status
    textable.discharge_reason = reason
    textable.discharged_on = timezone.localdate()
    textable.save()
    message = ScheduledMessageFactory(client=textable)
    _send(message)
    assert (message.status, message.status_reason) == (MessageStatus.SKIPPED, expected)
    assert not OutboxEntry.objects.exists()


def test_a_reminder_for_a_cancelled_appointment_is_skipped_with_the_reason(textable, counselor):
    appointment = AppointmentFactory(
        client=textable, staff=counselor, starts_at=timezone.now() + dt.timedelta(hours=3)
    )
    message = message_schedule(
        client=textable,
        template_key="appointment-reminder",
        due_at=timezone.now() - dt.timedelta(seconds=1),
        source_kind="appointment",
        idempotency_key="appt-test",
        channel=Channel.SMS,
        source=appointment,
        context={"starts_at": appointment.starts_at.isoformat(), "location": "Room 2"},
    )
    appointment.status = AppointmentStatus.CANCELLED_CLIENT
    appointment.save()
    _send(message)
    assert (message.status, message.status_reason) == (MessageStatus.SKIPPED, SkipReason.SOURCE_CANCELLED)
    assert message.status_detail == "Appointment cancelled by client."


def test_a_supportive_person_is_texted_only_if_they_may_be_contacted(textable):
    person = SupportivePersonFactory(client=textable, may_be_contacted=False)
    message = ScheduledMessageFactory(client=textable, supportive_person=person)
    _send(message)
    assert message.status_reason == SkipReason.NO_CONTACT_CONSENT
    person.may_be_contacted = True
    person.save()
    second = ScheduledMessageFactory(client=textable, supportive_person=person)
    _send(second)
    assert second.status == MessageStatus.SENT
    assert OutboxEntry.objects.get().to == person.phone.as_e164


def test_a_text_with_no_phone_number_is_skipped(textable):
    textable.phone = ""
    textable.save()
    message = ScheduledMessageFactory(client=textable)
    _send(message)
    assert message.status_reason == SkipReason.NO_ADDRESS


@time_machine.travel(dt.datetime(2025, 3, 4, 23, 30, tzinfo=NY), tick=False)
def test_quiet_hours_move_the_message_to_when_they_end_in_the_clients_zone(textable):
    textable.quiet_hours_start = dt.time(21, 0)
    textable.quiet_hours_end = dt.time(8, 0)
    textable.save()
    message = ScheduledMessageFactory(client=textable, due_at=timezone.now() - dt.timedelta(minutes=5))
    assert _send(message).outcome == "moved"
    assert message.status == MessageStatus.PENDING
    assert message.send_at == dt.datetime(2025, 3, 5, 8, 0, tzinfo=NY)
    assert message.attempts == 0
    assert "Quiet hours" in message.status_detail
    assert not OutboxEntry.objects.exists()
    # Not due before then: a second worker finds nothing to send.
    assert send_one(message.pk).outcome == "lost"
    with time_machine.travel(dt.datetime(2025, 3, 5, 8, 0, 30, tzinfo=NY), tick=False):
        assert send_one(message.pk).outcome == "sent"


@pytest.mark.parametrize(
    ("local", "start", "end", "expected"),
    [
        (dt.datetime(2025, 3, 4, 23, 0), dt.time(21), dt.time(8), dt.datetime(2025, 3, 5, 8, 0)),
        (dt.datetime(2025, 3, 5, 6, 0), dt.time(21), dt.time(8), dt.datetime(2025, 3, 5, 8, 0)),
        (dt.datetime(2025, 3, 5, 12, 0), dt.time(21), dt.time(8), None),
        (dt.datetime(2025, 3, 5, 13, 0), dt.time(12), dt.time(14), dt.datetime(2025, 3, 5, 14, 0)),
        (dt.datetime(2025, 3, 5, 14, 0), dt.time(12), dt.time(14), None),
        # The night the clocks go forward: 8:00 local is 12:00 UTC, not 13:00.
        (dt.datetime(2025, 3, 8, 23, 0), dt.time(22), dt.time(8), dt.datetime(2025, 3, 9, 8, 0)),
    ],
)
def test_quiet_hours_end(local, start, end, expected):
    at = local.replace(tzinfo=NY)
    result = quiet_hours_end(start=start, end=end, time_zone=NY, at=at)
    assert result == (expected.replace(tzinfo=NY) if expected else None)


def test_scheduling_in_quiet_hours_sets_the_send_time_at_once(textable):
    textable.quiet_hours_start = dt.time(21, 0)
    textable.quiet_hours_end = dt.time(8, 0)
    textable.save()
    due = dt.datetime(2030, 6, 1, 22, 0, tzinfo=NY)
    message = message_schedule(
        client=textable,
        template_key="manual",
        due_at=due,
        source_kind="manual",
        idempotency_key="q1",
        channel="sms",
    )
    assert message.due_at == due
    assert message.send_at == dt.datetime(2030, 6, 2, 8, 0, tzinfo=NY)


@pytest.mark.parametrize(
    ("t", "start", "end", "quiet"),
    [
        (dt.time(20, 59), dt.time(21), dt.time(8), False),
        (dt.time(21, 0), dt.time(21), dt.time(8), True),  # the start is quiet
        (dt.time(0, 0), dt.time(21), dt.time(8), True),  # over midnight
        (dt.time(7, 59), dt.time(21), dt.time(8), True),
        (dt.time(8, 0), dt.time(21), dt.time(8), False),  # the end may send
        (dt.time(12, 0), dt.time(12), dt.time(14), True),
        (dt.time(14, 0), dt.time(12), dt.time(14), False),
        (dt.time(12, 0), dt.time(12), dt.time(12), False),  # start == end: no window
        (dt.time(12, 0), None, dt.time(14), False),
        (dt.time(12, 0), dt.time(12), None, False),
    ],
)
def test_in_quiet_hours_at_the_window_edges(t, start, end, quiet):
    assert in_quiet_hours(t, start=start, end=end) is quiet
    # The dispatcher's move agrees with the check at every edge.
    at = dt.datetime.combine(dt.date(2025, 6, 3), t, tzinfo=NY)
    assert (quiet_hours_end(start=start, end=end, time_zone=NY, at=at) is not None) is quiet


@pytest.mark.parametrize("zone", ["", "Not/AZone"])
def test_quiet_hours_with_a_blank_or_unknown_client_zone_use_the_site_zone_and_do_not_crash(
    textable, zone, settings
):
    """GIVEN a client whose time zone is blank or unknown, with quiet hours 21:00-08:00
    WHEN a text falls due at 23:00 in the site's zone
    THEN it is moved to 08:00 there (``careteam.timezones.client_time_zone``'s fallback), at scheduling
    and at send time alike, instead of raising."""
    from careteam.timezones import client_time_zone
    from outreach.rules import rule_quiet_hours

    textable.time_zone = zone
    textable.quiet_hours_start, textable.quiet_hours_end = dt.time(21, 0), dt.time(8, 0)
    textable.save()
    site = client_time_zone(textable)
    assert str(site) == settings.TIME_ZONE
    late = dt.datetime(2031, 3, 12, 23, 0, tzinfo=site)

    message = message_schedule(
        client=textable,
        template_key="manual",
        due_at=late,
        source_kind="manual",
        idempotency_key=f"blank-zone-{zone}",
        channel=Channel.SMS,
        context={"text": "Checking in."},
    )
    decision = rule_quiet_hours(message, late)

    assert message.send_at == dt.datetime(2031, 3, 13, 8, 0, tzinfo=site)
    assert decision.move_to == dt.datetime(2031, 3, 13, 8, 0, tzinfo=site)
