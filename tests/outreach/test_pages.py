"""The chart's Messages tab: who may see it, what it shows, and the staff actions on it."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent
from outreach.models import ClientReminder, MessageStatus, OutboxEntry, ScheduledMessage, SkipReason
from tests.conftest import login
from tests.factories.outreach import ScheduledMessageFactory


def tab(client):
    return reverse("outreach:client-messages", args=[client.pk])


def test_the_tab_shows_every_message_with_the_reason_for_skipped_ones(textable, counselor):
    ScheduledMessageFactory(client=textable, status=MessageStatus.SENT, body="See you Tuesday")
    ScheduledMessageFactory(
        client=textable,
        status=MessageStatus.SKIPPED,
        status_reason=SkipReason.NO_TEXT_CONSENT,
        status_detail="No active text-messaging consent on file.",
    )
    response = login(counselor).get(tab(textable))
    assert response.status_code == 200
    page = response.content.decode()
    assert "See you Tuesday" in page
    assert "No consent to text" in page and "No active text-messaging consent on file." in page
    assert f'href="/outreach/clients/{textable.pk}/messages/"' in page  # the chart's tab link
    assert AuditEvent.objects.filter(
        user=counselor, client=textable, action=AuditAction.VIEW, detail__tab="messages"
    ).exists()


def test_the_outsider_gets_404_everywhere(textable, outsider):
    message = ScheduledMessageFactory(client=textable)
    reminder = ClientReminder.objects.create(
        client=textable,
        kind="medication",
        label="x",
        channel="sms",
        first_at=timezone.now() + dt.timedelta(days=1),
        created_by=outsider,
    )
    http = login(outsider)
    assert http.get(tab(textable)).status_code == 404
    for url in [
        reverse("outreach:message-send", args=[textable.pk]),
        reverse("outreach:message-cancel", args=[textable.pk, message.pk]),
        reverse("outreach:reminder-create", args=[textable.pk]),
        reverse("outreach:reminder-stop", args=[textable.pk, reminder.pk]),
    ]:
        assert http.post(url, {"reason": "x", "send-text": "hi", "send-channel": "sms"}).status_code == 404, (
            url
        )
    message.refresh_from_db()
    reminder.refresh_from_db()
    assert message.status == MessageStatus.PENDING and reminder.stopped_at is None
    assert ScheduledMessage.objects.count() == 1


def test_a_peer_on_the_team_is_refused_the_tab(textable, peer):
    assert login(peer).get(tab(textable)).status_code == 403


def test_query_count_is_flat_as_messages_grow(textable, counselor, django_assert_max_num_queries):
    http = login(counselor)
    ScheduledMessageFactory.create_batch(2, client=textable, signed_by=counselor)
    with django_assert_max_num_queries(40) as few:
        http.get(tab(textable))
    ScheduledMessageFactory.create_batch(20, client=textable, signed_by=counselor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        http.get(tab(textable))


def test_staff_send_a_message_that_goes_out_through_the_outbox(
    textable, counselor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(counselor).post(
            reverse("outreach:message-send", args=[textable.pk]),
            {"send-channel": "sms", "send-text": "Your ID appointment moved to 3pm."},
        )
    assert response.status_code == 302
    message = ScheduledMessage.objects.get(client=textable)
    assert message.template_key == "manual" and message.signed_by == counselor
    assert message.status == MessageStatus.SENT
    assert OutboxEntry.objects.get().body == "Your ID appointment moved to 3pm."


def test_an_empty_message_shows_the_error_and_saves_nothing(textable, counselor):
    response = login(counselor).post(
        reverse("outreach:message-send", args=[textable.pk]), {"send-channel": "sms", "send-text": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ScheduledMessage.objects.exists()


def test_cancel_a_pending_message_with_a_reason(textable, counselor):
    message = ScheduledMessageFactory(client=textable, due_at=timezone.now() + dt.timedelta(days=1))
    response = login(counselor).post(
        reverse("outreach:message-cancel", args=[textable.pk, message.pk]), {"reason": "Client asked"}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.status_reason) == (MessageStatus.CANCELLED, SkipReason.STAFF_CANCELLED)
    assert message.status_detail == "Client asked"
    # A sent message cannot be called back.
    sent = ScheduledMessageFactory(client=textable, status=MessageStatus.SENT)
    response = login(counselor).post(
        reverse("outreach:message-cancel", args=[textable.pk, sent.pk]), {"reason": "too late"}
    )
    assert response.status_code == 400
    assert "no longer waiting to be sent" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT


def test_a_cancel_without_a_reason_is_refused_on_the_page_and_changes_nothing(textable, counselor):
    message = ScheduledMessageFactory(client=textable, due_at=timezone.now() + dt.timedelta(days=1))
    response = login(counselor).post(reverse("outreach:message-cancel", args=[textable.pk, message.pk]), {})
    assert response.status_code == 400
    assert "say why it is" in response.content.decode()
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING


def test_a_reminder_is_set_in_the_clients_time_zone_and_scheduled(textable, counselor):
    textable.time_zone = "America/Los_Angeles"
    textable.save()
    first = (timezone.now() + dt.timedelta(days=2)).astimezone(dt.timezone(dt.timedelta(hours=-8)))
    local = first.replace(hour=9, minute=0, second=0, microsecond=0, tzinfo=None)
    response = login(counselor).post(
        reverse("outreach:reminder-create", args=[textable.pk]),
        {
            "reminder-kind": "medication",
            "reminder-label": "Evening meds",
            "reminder-channel": "sms",
            "reminder-first_at": local.strftime("%Y-%m-%dT%H:%M"),
            "reminder-recurrence": "daily",
            "reminder-until": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    reminder = ClientReminder.objects.get()
    from zoneinfo import ZoneInfo

    assert reminder.first_at.astimezone(ZoneInfo("America/Los_Angeles")).hour == 9
    messages = ScheduledMessage.objects.filter(source_type="outreach.clientreminder")
    assert messages.count() >= 5
    assert all(m.due_at.astimezone(ZoneInfo("America/Los_Angeles")).hour == 9 for m in messages)
    # Stop it: pending reminders are cancelled.
    login(counselor).post(
        reverse("outreach:reminder-stop", args=[textable.pk, reminder.pk]), {"reason": "done"}
    )
    assert not messages.filter(status=MessageStatus.PENDING).exists()
    assert messages.filter(status=MessageStatus.CANCELLED, status_reason=SkipReason.SOURCE_CANCELLED).exists()


def test_a_reminder_in_the_past_is_refused_and_nothing_saved(textable, counselor):
    response = login(counselor).post(
        reverse("outreach:reminder-create", args=[textable.pk]),
        {
            "reminder-kind": "court",
            "reminder-label": "Court date",
            "reminder-channel": "sms",
            "reminder-first_at": "2020-01-01T09:00",
            "reminder-recurrence": "once",
        },
    )
    assert response.status_code == 400
    assert "Pick a time in the future." in response.content.decode()
    assert not ClientReminder.objects.exists()


def test_a_view_only_place_on_the_care_team_sees_messages_but_sends_and_cancels_nothing(
    textable, case_manager
):
    """GIVEN a case manager on Alice's care team in the view-only "other" role
    WHEN they open the Messages tab and try each write
    THEN the tab shows no write buttons, every write is refused (403) and nothing changes."""
    from tests.factories import assign

    assign(textable, case_manager, "other")
    pending = ScheduledMessageFactory(client=textable)
    http = login(case_manager)
    page = http.get(tab(textable))
    assert page.status_code == 200
    assert reverse("outreach:message-send", args=[textable.pk]) not in page.content.decode()
    writes = [
        (reverse("outreach:message-send", args=[textable.pk]), {"channel": "sms", "text": "Hello"}),
        (reverse("outreach:message-cancel", args=[textable.pk, pending.pk]), {"reason": "no"}),
        (reverse("outreach:reminder-create", args=[textable.pk]), {"kind": "other", "label": "x"}),
    ]
    for url, data in writes:
        assert http.post(url, data).status_code == 403, url
    pending.refresh_from_db()
    assert pending.status == MessageStatus.PENDING
    assert ScheduledMessage.objects.filter(client=textable).count() == 1
    assert not ClientReminder.objects.exists()


def test_the_tab_offers_cancel_exactly_for_the_messages_the_table_lets_be_cancelled(textable, counselor):
    """GIVEN one message in every status WHEN the counselor opens the tab THEN each row has a Cancel
    form exactly when ``MESSAGE_STATES`` lets that status move to cancelled (the template decides
    nothing: a change to the table changes the page)."""
    from outreach.states import MESSAGE_STATES

    messages = {status: ScheduledMessageFactory(client=textable, status=status) for status in MessageStatus}
    page = login(counselor).get(tab(textable)).content.decode()
    for status, message in messages.items():
        offered = reverse("outreach:message-cancel", args=[textable.pk, message.pk]) in page
        assert offered is MESSAGE_STATES.can_move(status, MessageStatus.CANCELLED), status


def test_the_tab_of_a_client_with_a_blank_time_zone_shows_times_in_the_site_zone(
    textable, counselor, settings
):
    """A profile with no zone must not stop the page: ``careteam.timezones.client_time_zone`` falls back
    to the site's zone, here as everywhere else."""
    type(textable).objects.filter(pk=textable.pk).update(time_zone="")

    response = login(counselor).get(tab(textable))

    assert response.status_code == 200
    assert f"Times in the client's time zone ({settings.TIME_ZONE})" in response.content.decode()
