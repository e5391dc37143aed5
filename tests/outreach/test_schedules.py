"""Schedules that feed the outbox: appointment reminders, client reminders (DST-correct), rendering."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from clients.models import AppointmentStatus
from outreach.dispatch import send_one
from outreach.models import Channel, MessageStatus, MessageTemplate, OutboxEntry, ScheduledMessage
from outreach.services import appointment_reminders_schedule, client_reminders_expand, message_schedule
from tests.factories import AppointmentFactory
from tests.factories.outreach import ClientReminderFactory

NY = ZoneInfo("America/New_York")


def test_appointment_reminders_go_24_and_2_hours_before_by_text_once(textable, counselor):
    textable.preferred_channel = "sms"
    textable.save()
    now = timezone.now()
    appointment = AppointmentFactory(
        client=textable, staff=counselor, starts_at=now + dt.timedelta(hours=30), location="Room 2"
    )
    AppointmentFactory(client=textable, staff=counselor, starts_at=now + dt.timedelta(days=5))  # too far
    assert appointment_reminders_schedule(now=now) == 2
    assert appointment_reminders_schedule(now=now) == 2  # idempotent
    reminders = ScheduledMessage.objects.filter(source_type="clients.appointment").order_by("due_at")
    assert [m.due_at for m in reminders] == [
        appointment.starts_at - dt.timedelta(hours=24),
        appointment.starts_at - dt.timedelta(hours=2),
    ]
    assert {m.channel for m in reminders} == {Channel.SMS}


def test_a_reminder_due_before_the_booking_is_not_scheduled(textable, counselor):
    textable.preferred_channel = "sms"
    textable.save()
    now = timezone.now()
    AppointmentFactory(client=textable, staff=counselor, starts_at=now + dt.timedelta(hours=5))
    assert appointment_reminders_schedule(now=now) == 1  # only the 2-hour one


def test_the_appointment_reminder_renders_in_spanish_in_the_clients_zone(textable, counselor):
    textable.preferred_language = "es"
    textable.time_zone = "America/Chicago"
    textable.save()
    starts = dt.datetime(2030, 3, 4, 15, 30, tzinfo=ZoneInfo("America/Chicago"))
    appointment = AppointmentFactory(client=textable, staff=counselor, starts_at=starts, location="Sala 2")
    message = message_schedule(
        client=textable,
        template_key="appointment-reminder",
        due_at=timezone.now() - dt.timedelta(minutes=1),
        source_kind="appointment",
        idempotency_key="appt-es",
        channel=Channel.SMS,
        source=appointment,
        context={"starts_at": starts.astimezone(dt.UTC).isoformat(), "location": appointment.location},
    )
    send_one(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.body == (
        "Hola Ali, le recordamos su cita el lunes 4 de marzo a las 15:30 en Sala 2. "
        "Responda si necesita cambiarla."
    )
    assert message.language == "es"


def test_a_language_without_a_translation_falls_back_to_english_and_caring_contacts_are_signed(
    textable, counselor
):
    textable.preferred_language = "es"
    textable.save()
    MessageTemplate.objects.filter(key="caring-contact-2", language="es").delete()
    message = message_schedule(
        client=textable,
        template_key="caring-contact-2",
        due_at=timezone.now() - dt.timedelta(minutes=1),
        source_kind="caring_contact",
        idempotency_key="cc-1",
        channel=Channel.SMS,
        signed_by=counselor,
    )
    send_one(message.pk)
    body = OutboxEntry.objects.get().body
    assert body.startswith("Hello Ali,")
    assert body.endswith("— Casey Morgan, Harbor Recovery")


def test_an_edited_template_is_what_goes_out(textable):
    MessageTemplate.objects.filter(key="client-reminder", language="en", channel="sms").update(
        body="{{ client_name }}: {{ label }} now."
    )
    message = message_schedule(
        client=textable,
        template_key="client-reminder",
        due_at=timezone.now() - dt.timedelta(minutes=1),
        source_kind="client_reminder",
        idempotency_key="r-1",
        channel=Channel.SMS,
        context={"label": "Meds"},
    )
    send_one(message.pk)
    assert OutboxEntry.objects.get().body == "Ali: Meds now."


def test_a_daily_reminder_stays_at_9am_local_across_the_dst_change(textable, counselor):
    """GIVEN a daily 9:00 reminder in New York, WHEN the week crosses the March clock change, THEN every
    reminder is due at 9:00 local: 14:00 UTC before the change (EST), 13:00 UTC after it (EDT)."""
    first = dt.datetime(2030, 3, 6, 9, 0, tzinfo=NY)
    reminder = ClientReminderFactory(
        client=textable, first_at=first, recurrence="daily", created_by=counselor, until=dt.date(2030, 3, 12)
    )
    now = dt.datetime(2030, 3, 6, 0, 0, tzinfo=NY)
    assert client_reminders_expand(now=now) == 7
    assert client_reminders_expand(now=now) == 7  # idempotent: still seven rows
    messages = ScheduledMessage.objects.filter(source_id=str(reminder.pk)).order_by("due_at")
    assert messages.count() == 7
    assert {m.due_at.astimezone(NY).time() for m in messages} == {dt.time(9, 0)}
    utc_hours = [m.due_at.astimezone(dt.UTC).hour for m in messages]
    assert utc_hours == [14, 14, 14, 14, 13, 13, 13]  # clocks go forward on Sunday 10 March 2030


def test_a_cancelled_appointment_gets_no_new_reminders(textable, counselor):
    textable.preferred_channel = "sms"
    textable.save()
    now = timezone.now()
    AppointmentFactory(
        client=textable,
        staff=counselor,
        starts_at=now + dt.timedelta(hours=30),
        status=AppointmentStatus.CANCELLED_PROGRAM,
    )
    assert appointment_reminders_schedule(now=now) == 0
