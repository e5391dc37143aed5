"""The outbox status table (outreach.states) and every service that moves a message through it."""

import datetime as dt

import pytest
from django.utils import timezone

from careteam.errors import DomainError
from outreach import dispatch, services
from outreach.models import MessageStatus, ScheduledMessage
from outreach.states import MESSAGE_STATES
from tests.factories.outreach import ClientReminderFactory, ScheduledMessageFactory

STATUSES = MessageStatus.values


@pytest.fixture
def message_in(textable):
    def make(status, **kwargs):
        return ScheduledMessageFactory(client=textable, status=status, provider_message_id="SM-1", **kwargs)

    return make


def test_the_table_is_the_one_the_outbox_lives_by():
    S = MessageStatus
    assert {s: set(MESSAGE_STATES.targets(s)) for s in STATUSES} == {
        S.PENDING: {S.SENDING, S.CANCELLED},
        S.SENDING: {S.SENT, S.SKIPPED, S.FAILED, S.PENDING},
        S.SENT: {S.DELIVERED, S.FAILED},
        S.FAILED: {S.PENDING},
        S.DELIVERED: set(),
        S.CANCELLED: set(),
        S.SKIPPED: set(),
    }


def test_nothing_sent_goes_back_to_the_queue():
    assert MESSAGE_STATES.sources(MessageStatus.PENDING) == {MessageStatus.SENDING, MessageStatus.FAILED}
    assert MESSAGE_STATES.sources(MessageStatus.SENDING) == {MessageStatus.PENDING}


@pytest.mark.parametrize(("current", "to"), MESSAGE_STATES.all_pairs())
def test_the_move_helper_accepts_exactly_the_tables_moves(message_in, current, to):
    message = message_in(current)
    if MESSAGE_STATES.can_move(current, to):
        assert MESSAGE_STATES.move(message, to) is True
        message.refresh_from_db()
        assert message.status == to
    else:
        with pytest.raises(DomainError) as exc:
            MESSAGE_STATES.move(message, to)
        assert exc.value.message == MESSAGE_STATES.refusal(current, to)
        message.refresh_from_db()
        assert message.status == current


# --- the services, status by status --------------------------------------------------------------------


@pytest.mark.parametrize("current", STATUSES)
def test_staff_cancel_only_what_the_table_lets_be_cancelled(message_in, counselor, current):
    message = message_in(current)
    if MESSAGE_STATES.can_move(current, MessageStatus.CANCELLED):
        services.message_cancel(message=message, acting_user=counselor, reason="Client asked")
        assert ScheduledMessage.objects.get(pk=message.pk).status == MessageStatus.CANCELLED
    else:
        with pytest.raises(DomainError, match="no longer waiting to be sent"):
            services.message_cancel(message=message, acting_user=counselor, reason="Client asked")
        assert ScheduledMessage.objects.get(pk=message.pk).status == current


def test_a_cancel_reads_the_status_as_it_is_now_not_as_the_page_read_it(message_in, counselor):
    message = message_in(MessageStatus.PENDING)
    ScheduledMessage.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING)  # a worker claimed it
    with pytest.raises(DomainError, match="no longer waiting to be sent"):
        services.message_cancel(message=message, acting_user=counselor, reason="Client asked")
    assert ScheduledMessage.objects.get(pk=message.pk).status == MessageStatus.SENDING


@pytest.mark.parametrize("current", STATUSES)
def test_staff_retry_only_a_failed_message(message_in, admin_user, current):
    """The table also lets a row being sent return to pending, but that is the dispatcher's own retry."""
    message = message_in(current, attempts=3)
    if current == MessageStatus.FAILED:
        services.message_retry(message=message, acting_user=admin_user)
        message.refresh_from_db()
        assert (message.status, message.attempts) == (MessageStatus.PENDING, 0)
    else:
        with pytest.raises(DomainError, match="Only failed messages"):
            services.message_retry(message=message, acting_user=admin_user)
        assert ScheduledMessage.objects.get(pk=message.pk).status == current
    assert MESSAGE_STATES.can_move(MessageStatus.FAILED, MessageStatus.PENDING)


@pytest.mark.parametrize("current", STATUSES)
def test_the_dispatcher_claims_only_what_the_table_lets_be_sent(message_in, current):
    message = message_in(current)
    outcome = dispatch.send_one(message.pk).outcome
    if MESSAGE_STATES.can_move(current, MessageStatus.SENDING):
        assert outcome == "sent"
    else:
        assert outcome == "lost"
        assert ScheduledMessage.objects.get(pk=message.pk).status == current


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize(("report", "to"), [("delivered", "delivered"), ("undelivered", "failed")])
def test_a_delivery_report_moves_only_a_sent_message(message_in, current, report, to):
    message = message_in(current)
    services.message_delivery_report(provider_message_id="SM-1", status=report)
    after = ScheduledMessage.objects.get(pk=message.pk).status
    assert after == (to if current == MessageStatus.SENT else current)
    assert current != MessageStatus.SENT or MESSAGE_STATES.can_move(current, to)


@pytest.mark.parametrize("current", STATUSES)
def test_recovery_returns_to_the_queue_only_a_row_left_sending(message_in, current):
    message = message_in(current, claimed_at=timezone.now() - dt.timedelta(hours=1))
    recovered = dispatch.recover_stale(lease=60)
    after = ScheduledMessage.objects.get(pk=message.pk).status
    if current == MessageStatus.SENDING:
        assert (recovered, after) == (1, MessageStatus.PENDING)
    else:
        assert (recovered, after) == (0, current)


@pytest.mark.parametrize("current", STATUSES)
def test_a_stopped_source_cancels_only_the_messages_still_waiting(message_in, textable, counselor, current):
    reminder = ClientReminderFactory(client=textable, created_by=counselor)
    message = message_in(current, source_type="outreach.clientreminder", source_id=str(reminder.pk))
    cancelled = services.messages_cancel_for_source(source=reminder, acting_user=counselor)
    after = ScheduledMessage.objects.get(pk=message.pk).status
    if MESSAGE_STATES.can_move(current, MessageStatus.CANCELLED):
        assert (cancelled, after) == (1, MessageStatus.CANCELLED)
    else:
        assert (cancelled, after) == (0, current)


# --- the race -------------------------------------------------------------------------------------------


def test_two_claims_of_the_same_pending_message_only_one_wins(message_in):
    """GIVEN two workers that both read the same pending row, WHEN both claim it,
    THEN exactly one claim lands and the other worker has nothing to do."""
    first = message_in(MessageStatus.PENDING)
    second = ScheduledMessage.objects.get(pk=first.pk)
    now = timezone.now()
    won = [
        MESSAGE_STATES.move(worker, MessageStatus.SENDING, also={"claimed_at": now}, quiet=True)
        for worker in (first, second)
    ]
    assert won == [True, False]
    assert ScheduledMessage.objects.get(pk=first.pk).status == MessageStatus.SENDING


def test_a_worker_whose_row_was_claimed_first_does_nothing(message_in):
    message = message_in(MessageStatus.PENDING, attempts=0)
    MESSAGE_STATES.move(message, MessageStatus.SENDING, also={"attempts": 1})  # another worker's claim
    assert dispatch.send_one(message.pk).outcome == "lost"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENDING, 1)
