"""API: scheduled messages (read, scoped) and reminders (create, list, stop)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent
from outreach.models import ClientReminder, MessageStatus, ScheduledMessage
from tests.conftest import api_login
from tests.factories import ClientFactory
from tests.factories.outreach import ScheduledMessageFactory

LIST = reverse("scheduled-message-list")
REMINDERS = reverse("reminder-list")


def test_the_counselor_lists_their_clients_messages_and_each_client_is_audited(textable, counselor):
    ScheduledMessageFactory.create_batch(2, client=textable)
    ScheduledMessageFactory(client=ClientFactory())  # someone else's client
    response = api_login(counselor).get(LIST, {"client": textable.pk})
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert {row["client"] for row in response.json()["results"]} == {textable.pk}
    assert AuditEvent.objects.filter(user=counselor, action=AuditAction.LIST, client=textable).count() == 1


def test_the_outsider_sees_nothing_and_gets_404_for_a_message(textable, outsider):
    message = ScheduledMessageFactory(client=textable)
    api = api_login(outsider)
    assert api.get(LIST).json()["count"] == 0
    assert api.get(reverse("scheduled-message-detail", args=[message.pk])).status_code == 404
    reminder = ClientReminder.objects.create(
        client=textable,
        kind="court",
        label="Court",
        channel="sms",
        first_at=timezone.now() + dt.timedelta(days=1),
        created_by=outsider,
    )
    assert api.post(reverse("reminder-stop", args=[reminder.pk])).status_code == 404
    response = api.post(
        REMINDERS,
        {
            "client": textable.pk,
            "kind": "court",
            "label": "x",
            "channel": "sms",
            "first_at": "2031-01-01T09:00Z",
        },
    )
    assert response.status_code == 400 and "client" in response.json()
    assert ClientReminder.objects.filter(label="x").count() == 0


def test_messages_are_read_only(textable, counselor):
    message = ScheduledMessageFactory(client=textable)
    api = api_login(counselor)
    assert api.post(LIST, {}).status_code == 405
    assert api.delete(reverse("scheduled-message-detail", args=[message.pk])).status_code in (403, 405)
    assert ScheduledMessage.objects.filter(pk=message.pk, status=MessageStatus.PENDING).exists()


def test_list_query_count_is_flat(textable, counselor, django_assert_max_num_queries):
    api = api_login(counselor)
    ScheduledMessageFactory.create_batch(2, client=textable, signed_by=counselor)
    with django_assert_max_num_queries(30) as few:
        api.get(LIST)
    for _ in range(18):
        ScheduledMessageFactory(client=ClientFactory(primary_team=textable.primary_team), signed_by=counselor)
    ScheduledMessageFactory.create_batch(20, client=textable, signed_by=counselor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get(LIST)


def test_create_list_and_stop_a_reminder(textable, counselor):
    api = api_login(counselor)
    first = (timezone.now() + dt.timedelta(days=1)).replace(microsecond=0)
    response = api.post(
        REMINDERS,
        {
            "client": textable.pk,
            "kind": "medication",
            "label": "Morning meds",
            "channel": "sms",
            "first_at": first.isoformat(),
            "recurrence": "daily",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert (
        ScheduledMessage.objects.filter(source_type="outreach.clientreminder", source_id=str(pk)).count() == 7
    )
    assert api.get(REMINDERS, {"client": textable.pk}).json()["count"] == 1
    stopped = api.post(reverse("reminder-stop", args=[pk]), {"reason": "No longer needed"}, format="json")
    assert stopped.status_code == 200 and stopped.json()["stopped_reason"] == "No longer needed"
    assert not ScheduledMessage.objects.filter(source_id=str(pk), status=MessageStatus.PENDING).exists()
    again = api.post(reverse("reminder-stop", args=[pk]), {}, format="json")
    assert again.status_code == 400 and "already stopped" in str(again.json())


def test_a_reminder_in_the_past_is_a_400_with_the_field(textable, counselor):
    response = api_login(counselor).post(
        REMINDERS,
        {
            "client": textable.pk,
            "kind": "court",
            "label": "Court",
            "channel": "sms",
            "first_at": "2020-01-01T09:00Z",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"first_at": ["Pick a time in the future."]}


def test_the_reminder_list_query_count_is_flat(textable, counselor):
    def reminders(n):
        for i in range(n):
            client = ClientFactory(primary_team=textable.primary_team) if i % 2 else textable
            ClientReminder.objects.create(
                client=client,
                kind="court",
                label=f"Court {i}",
                channel="sms",
                first_at=timezone.now() + dt.timedelta(days=1 + i),
                created_by=counselor,
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(REMINDERS).status_code == 200
        return len(ctx.captured_queries)

    api = api_login(counselor)
    reminders(2)
    api.get(REMINDERS)
    before = queries()
    reminders(12)
    assert api.get(REMINDERS).json()["count"] >= 7  # the counselor's own client's, at least
    assert queries() == before
