"""The dispatcher: claim, compare-and-set, retries, failures, recovery, and the PostgreSQL race."""

import datetime as dt
import threading
from collections import Counter

import pytest
import responses
import time_machine
from django.db import connection, connections
from django.utils import timezone

from careteam.models import Task, TaskKind, TaskPriority
from outreach import dispatch
from outreach.backends import PermanentError, TransientError
from outreach.models import Channel, MessageStatus, OutboxEntry, ScheduledMessage
from outreach.tasks import dispatch_tick, send_messages
from tests.factories import ClientFactory
from tests.factories.outreach import ScheduledMessageFactory, give_text_consent

CALLS: Counter = Counter()
FAIL_WITH: list = []


class RecordingBackend:
    """Counts each hand-over per idempotency key; optionally raises the queued error once."""

    name = "recording"

    def send(self, outgoing):
        if FAIL_WITH:
            raise FAIL_WITH.pop(0)
        CALLS[outgoing.idempotency_key] += 1
        return f"rec-{outgoing.message_id}"


@pytest.fixture
def recording(settings):
    CALLS.clear()
    FAIL_WITH.clear()
    settings.OUTREACH_BACKENDS = {"sms": "tests.outreach.test_dispatch.RecordingBackend"}
    return CALLS


def test_a_due_message_is_sent_once_and_a_second_send_does_nothing(textable, recording):
    message = ScheduledMessageFactory(client=textable)
    assert dispatch.send_one(message.pk).outcome == "sent"
    assert dispatch.send_one(message.pk).outcome == "lost"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider == "recording" and message.provider_message_id == f"rec-{message.pk}"
    assert message.attempts == 1 and message.sent_at is not None
    assert recording[message.idempotency_key] == 1


def test_a_message_not_yet_due_is_not_sent(textable, recording):
    message = ScheduledMessageFactory(client=textable, due_at=timezone.now() + dt.timedelta(hours=1))
    assert dispatch.send_one(message.pk).outcome == "lost"
    assert dispatch.claim_due(10) == []


def test_claiming_marks_rows_so_a_second_tick_does_not_queue_them_again(textable):
    due = ScheduledMessageFactory.create_batch(3, client=textable)
    ScheduledMessageFactory(client=textable, due_at=timezone.now() + dt.timedelta(hours=1))
    assert sorted(dispatch.claim_due(10)) == sorted(m.pk for m in due)
    assert dispatch.claim_due(10) == []


def test_a_claimed_row_the_broker_lost_is_queued_again_after_the_queue_lease(textable, settings):
    message = ScheduledMessageFactory(client=textable)
    assert dispatch.claim_due(10) == [message.pk]
    later = timezone.now() + dt.timedelta(seconds=settings.OUTREACH_QUEUE_LEASE_SECONDS + 1)
    assert dispatch.claim_due(10, now=later) == [message.pk]


def test_the_tick_sends_every_due_message(
    textable, recording, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """GIVEN 5 due rows, batches of 2 and chunks of 2 ids per send task, WHEN the tick runs,
    THEN every row goes out once, in 3 send tasks (2 + 2 + 1 ids)."""
    settings.OUTREACH_BATCH_SIZE = 2
    settings.OUTREACH_SEND_CHUNK = 2
    chunks = []
    original = send_messages.delay
    monkeypatch.setattr(send_messages, "delay", lambda pks: (chunks.append(list(pks)), original(pks)))
    ScheduledMessageFactory.create_batch(5, client=textable)
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_tick() == 5  # eager Celery in tests: each chunk is sent on commit
    assert ScheduledMessage.objects.filter(status=MessageStatus.SENT).count() == 5
    assert sum(recording.values()) == 5
    assert sorted(len(c) for c in chunks) == [1, 2, 2]


def test_a_row_left_sending_by_a_killed_worker_is_recovered_and_sent_once(
    textable, recording, settings, django_capture_on_commit_callbacks
):
    """GIVEN a worker that claimed a row and died before sending, WHEN the lease runs out and the tick
    runs, THEN the row goes back to pending and is sent exactly once."""
    message = ScheduledMessageFactory(client=textable)
    ScheduledMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, claimed_at=timezone.now(), attempts=1
    )
    assert dispatch.recover_stale() == 0  # still within its lease
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=settings.OUTREACH_LEASE_SECONDS + 5)):
        with django_capture_on_commit_callbacks(execute=True):
            assert dispatch_tick() == 1
        assert dispatch_tick() == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert recording[message.idempotency_key] == 1


def test_a_transient_failure_goes_back_to_pending_with_backoff(textable, recording, settings):
    settings.OUTREACH_RETRY_BACKOFF_SECONDS = 60
    message = ScheduledMessageFactory(client=textable)
    FAIL_WITH.append(TransientError("429 Too Many Requests"))
    now = timezone.now()
    assert dispatch.send_one(message.pk, now=now).outcome == "retry"
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.attempts == 1
    assert message.send_at == now + dt.timedelta(seconds=60)
    assert "429" in message.last_error
    assert dispatch.send_one(message.pk, now=now).outcome == "lost"  # not yet
    assert dispatch.send_one(message.pk, now=now + dt.timedelta(seconds=61)).outcome == "sent"


def test_attempts_run_out_and_the_care_team_gets_a_task(textable, recording, settings):
    settings.OUTREACH_MAX_ATTEMPTS = 2
    message = ScheduledMessageFactory(client=textable)
    FAIL_WITH.extend([TransientError("timeout"), TransientError("timeout again")])
    now = timezone.now()
    dispatch.send_one(message.pk, now=now)
    dispatch.send_one(message.pk, now=now + dt.timedelta(hours=1))
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    task = Task.objects.get(kind=TaskKind.MESSAGE_FAILED)
    assert task.team == textable.primary_team and task.client == textable
    assert message.task == task
    assert "Gave up after 2 attempts" in task.detail


def test_a_permanent_failure_fails_at_once_with_one_task(textable, recording):
    message = ScheduledMessageFactory(client=textable)
    FAIL_WITH.append(PermanentError("Twilio 400 (code 21211): invalid number"))
    assert dispatch.send_one(message.pk).outcome == "failed"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == 1
    assert "21211" in message.last_error
    assert Task.objects.filter(kind=TaskKind.MESSAGE_FAILED, source_id=str(message.pk)).count() == 1


def test_a_retried_message_that_fails_again_raises_a_new_task(textable, recording, admin_user):
    """GIVEN a failed message whose task was done, WHEN an admin retries it and it fails again,
    THEN the team gets a new open task (the first one does not swallow the second failure)."""
    from careteam.services import task_close
    from outreach.services import message_retry

    message = ScheduledMessageFactory(client=textable)
    FAIL_WITH.append(PermanentError("Twilio 400 (code 21211): invalid number"))
    dispatch.send_one(message.pk)
    first = Task.objects.get(kind=TaskKind.MESSAGE_FAILED)
    task_close(task=first, acting_user=admin_user)
    message_retry(message=message, acting_user=admin_user)
    FAIL_WITH.append(PermanentError("Twilio 400 (code 21211): invalid number"))
    assert dispatch.send_one(message.pk, now=timezone.now() + dt.timedelta(seconds=1)).outcome == "failed"
    assert Task.objects.filter(kind=TaskKind.MESSAGE_FAILED, status="open").exclude(pk=first.pk).count() == 1


def test_a_voice_message_becomes_a_call_task_for_the_primary_counselor(textable, counselor):
    message = ScheduledMessageFactory(client=textable, channel=Channel.VOICE, template_key="caring-contact-1")
    assert dispatch.send_one(message.pk).outcome == "sent"
    message.refresh_from_db()
    task = Task.objects.get(kind=TaskKind.CALL_CLIENT)
    assert task.assignee == counselor and task.client == textable
    assert "Ali" in task.detail
    assert message.provider == "task" and message.task == task


def test_the_database_backend_stores_a_message_once_per_key(textable):
    message = ScheduledMessageFactory(client=textable)
    dispatch.send_one(message.pk)
    ScheduledMessage.objects.filter(pk=message.pk).update(status=MessageStatus.PENDING)
    dispatch.send_one(message.pk)
    assert OutboxEntry.objects.filter(idempotency_key=message.idempotency_key).count() == 1


# --- Twilio, mocked at the HTTP boundary ---------------------------------------------------------------

TWILIO_URL = "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"


@pytest.fixture
def twilio(settings):
    settings.OUTREACH_BACKENDS = {"sms": "outreach.backends.twilio_sms.TwilioSmsBackend"}
    settings.OUTREACH_TWILIO_ACCOUNT_SID = "AC123"
    settings.OUTREACH_TWILIO_AUTH_TOKEN = "secret"
    settings.OUTREACH_TWILIO_FROM_NUMBER = "+12025550100"
    with responses.RequestsMock() as mock:
        yield mock


def test_twilio_success_records_the_message_sid(textable, twilio):
    twilio.post(TWILIO_URL, json={"sid": "SM0001", "status": "queued"}, status=201)
    message = ScheduledMessageFactory(client=textable)
    assert dispatch.send_one(message.pk).outcome == "sent"
    message.refresh_from_db()
    assert (message.provider, message.provider_message_id) == ("twilio", "SM0001")
    sent = twilio.calls[0].request.body
    assert "To=%2B12025550142" in sent and "From=%2B12025550100" in sent


def test_twilio_invalid_number_fails_permanently(textable, twilio):
    twilio.post(
        TWILIO_URL, json={"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}, status=400
    )
    message = ScheduledMessageFactory(client=textable)
    assert dispatch.send_one(message.pk).outcome == "failed"
    assert Task.objects.filter(kind=TaskKind.MESSAGE_FAILED, client=textable).count() == 1


@pytest.mark.parametrize("status", [429, 503])
def test_twilio_rate_limits_and_outages_are_retried(textable, twilio, status):
    twilio.post(TWILIO_URL, json={"code": 20429, "message": "busy", "status": status}, status=status)
    message = ScheduledMessageFactory(client=textable)
    assert dispatch.send_one(message.pk).outcome == "retry"
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 1


def test_twilio_unreachable_is_retried(textable, twilio):
    import requests

    twilio.post(TWILIO_URL, body=requests.ConnectionError("connection refused"))
    message = ScheduledMessageFactory(client=textable)
    assert dispatch.send_one(message.pk).outcome == "retry"


# --- Two dispatchers racing, on PostgreSQL -------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks (SKIP LOCKED) need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_racing_over_500_due_rows_send_each_exactly_once(recording, counselor):
    """GIVEN 500 due rows, WHEN two dispatchers (threads, each with its own connection) claim and send
    concurrently, THEN every row is sent exactly once."""
    clients = [ClientFactory(phone=f"+1202555{i:04d}") for i in range(5)]
    for c in clients:
        give_text_consent(c, counselor)
    now = timezone.now() - dt.timedelta(seconds=5)
    ScheduledMessage.objects.bulk_create(
        ScheduledMessage(
            client=clients[i % 5],
            channel=Channel.SMS,
            template_key="manual",
            context={"text": f"hello {i}"},
            due_at=now,
            send_at=now,
            idempotency_key=f"race-{i}",
            source_kind="manual",
        )
        for i in range(500)
    )
    barrier = threading.Barrier(2)
    errors = []

    def dispatcher():
        try:
            barrier.wait()
            while True:
                ids = dispatch.claim_due(25)
                if not ids:
                    break
                for pk in ids:
                    dispatch.send_one(pk)
                # and steal: try sending rows the other dispatcher claimed (the CAS must refuse)
                for pk in ScheduledMessage.objects.filter(status=MessageStatus.PENDING).values_list(
                    "pk", flat=True
                )[:5]:
                    dispatch.send_one(pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ScheduledMessage.objects.filter(status=MessageStatus.SENT).count() == 500
    assert len(recording) == 500
    assert set(recording.values()) == {1}
    assert not Task.objects.filter(priority=TaskPriority.URGENT).exists()
