"""The inbound SMS webhook: signatures, STOP / START / HELP, and replies that reach the team."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from twilio.request_validator import RequestValidator

from careteam.models import AuditEvent, Task, TaskKind, TaskPriority
from outreach.models import InboundKind, InboundMessage, MessageStatus, ScheduledMessage, SkipReason
from tests.factories.outreach import ScheduledMessageFactory

URL = reverse("outreach:sms-inbound")
PUBLIC = "https://careteam.example.org" + URL


def post(params, *, token="test-auth-token", signature=None):  # noqa: S107
    if signature is None:
        signature = RequestValidator(token).compute_signature(PUBLIC, params)
    return HttpClient().post(URL, params, HTTP_X_TWILIO_SIGNATURE=signature)


def params(body, sid="SM1", sender="+12025550142"):
    return {"From": sender, "To": "+12025550100", "Body": body, "MessageSid": sid}


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl"])
def test_stop_with_a_bad_or_missing_signature_is_refused_and_changes_nothing(textable, signature):
    pending = ScheduledMessageFactory(client=textable)
    audit_rows = AuditEvent.objects.count()
    response = post(params("STOP"), signature=signature)
    assert response.status_code == 403
    textable.refresh_from_db()
    pending.refresh_from_db()
    assert textable.sms_opted_out_at is None
    assert pending.status == MessageStatus.PENDING
    assert not InboundMessage.objects.exists()
    assert AuditEvent.objects.count() == audit_rows


def test_a_signature_made_with_another_token_is_refused(textable):
    assert post(params("STOP"), token="someone-elses-token").status_code == 403


@pytest.mark.parametrize("word", ["STOP", "stop", "Unsubscribe", "QUIT"])
def test_stop_opts_the_client_out_and_cancels_pending_texts(textable, word):
    pending = ScheduledMessageFactory(client=textable)
    email = ScheduledMessageFactory(client=textable, channel="email")
    response = post(params(word))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"won&#x27;t get more texts" in response.content or b"won't get more texts" in response.content
    textable.refresh_from_db()
    pending.refresh_from_db()
    email.refresh_from_db()
    assert textable.sms_opted_out_at is not None
    assert (pending.status, pending.status_reason) == (MessageStatus.CANCELLED, SkipReason.OPTED_OUT_CHANNEL)
    assert email.status == MessageStatus.PENDING
    assert InboundMessage.objects.get().kind == InboundKind.STOP
    assert any(
        "sms_opted_out_at" in fields
        for fields in AuditEvent.objects.filter(client=textable).values_list("changed_fields", flat=True)
    )
    assert not Task.objects.exists()


def test_start_opts_back_in(textable):
    post(params("STOP", sid="SM1"))
    post(params("START", sid="SM2"))
    textable.refresh_from_db()
    assert textable.sms_opted_out_at is None


def test_yes_from_someone_who_never_said_stop_is_a_reply_for_the_team(textable, counselor):
    """ "Yes!" answering a caring contact is a reply; it only opts back in after a STOP."""
    ScheduledMessageFactory(client=textable, status=MessageStatus.SENT, template_key="caring-contact-1")
    response = post(params("Yes!", sid="SM1"))
    assert b"<Message>" not in response.content  # no "welcome back" text
    assert InboundMessage.objects.get().kind == InboundKind.REPLY
    assert Task.objects.filter(kind=TaskKind.CLIENT_REPLY, client=textable).count() == 1
    post(params("STOP", sid="SM2"))
    post(params("yes", sid="SM3"))
    textable.refresh_from_db()
    assert textable.sms_opted_out_at is None


def test_help_answers_in_the_clients_language(textable):
    textable.preferred_language = "es"
    textable.save()
    response = post(params("HELP"))
    assert "Harbor Recovery: mensajes de su equipo" in response.content.decode()
    assert not Task.objects.exists()


def test_a_reply_creates_one_urgent_task_for_the_care_team_with_the_text(textable, counselor):
    ScheduledMessageFactory(client=textable, status=MessageStatus.SENT, template_key="caring-contact-1")
    response = post(params("Thanks, doing ok this week"))
    assert response.status_code == 200
    assert b"<Message>" not in response.content
    task = Task.objects.get(kind=TaskKind.CLIENT_REPLY)
    assert task.priority == TaskPriority.URGENT
    assert task.assignee == counselor and task.client == textable
    assert "Thanks, doing ok this week" in task.detail
    # Twilio retries the webhook: same MessageSid, still one message and one task.
    post(params("Thanks, doing ok this week"))
    assert Task.objects.filter(kind=TaskKind.CLIENT_REPLY).count() == 1
    assert InboundMessage.objects.count() == 1
    inbound = InboundMessage.objects.get()
    assert inbound.task == task and inbound.in_reply_to is not None


def test_a_reply_with_risk_words_names_them_and_tops_the_worklist(textable, counselor):
    from tests.conftest import login

    post(params("ordinary reply", sid="SM1"))
    post(params("I want to die, nothing helps", sid="SM2"))
    task = Task.objects.get(detail__startswith="Risk words")
    assert "want to die" in task.detail and task.priority == TaskPriority.URGENT
    inbound = InboundMessage.objects.get(provider_message_id="SM2")
    assert inbound.risk_words == ["want to die"]
    page = login(counselor).get(reverse("workspace:worklist")).content.decode()
    assert page.index("Urgent: reply from Ali with risk words") < page.index("Reply from Ali")


def test_a_text_from_an_unknown_number_is_kept_but_raises_no_task(textable):
    post(params("who is this", sender="+12025550999"))
    assert InboundMessage.objects.get().kind == InboundKind.UNMATCHED
    assert not Task.objects.exists()
    assert ScheduledMessage.objects.count() == 0
