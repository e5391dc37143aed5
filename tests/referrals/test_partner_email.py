"""The partner's link email goes through the outbox: one per link issued, retried, skipped when stale.

It used to be ``send_mail`` after commit: no retry, no idempotency, lost with the process, invisible
when it failed. Now it is a ``ScheduledMessage`` to the organisation's referral address, and the
referral page shows what became of it.
"""

import datetime as dt
import re
import smtplib

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from careteam.errors import DomainError
from careteam.models import Task, TaskKind
from clients.models import ClientStatus
from outreach import dispatch
from outreach.models import Channel, MessageStatus, ScheduledMessage, SkipReason, SourceKind
from outreach.tasks import dispatch_tick
from referrals import services
from referrals.models import ReferralStatus
from referrals.partner import PartnerLinkError, referral_from_token
from tests.conftest import login

S = ReferralStatus


def _opens(url: str) -> int:
    """The referral a partner link opens (a link carries its signing time, so compare what it opens)."""
    assert url.startswith(settings.SITE_URL.rstrip("/") + "/referrals/partner/")
    return referral_from_token(url.rstrip("/").rsplit("/", 1)[1]).pk


def _link_in(body: str) -> str:
    return re.search(r"https?://\S+/referrals/partner/\S+", body).group(0)


def _partner_emails(referral):
    return ScheduledMessage.objects.filter(
        source_kind=SourceKind.REFERRAL_PARTNER, source_id=str(referral.pk)
    )


def test_sending_a_referral_puts_one_partner_email_in_the_outbox_keyed_on_the_link(draft, cm):
    services.referral_send(referral=draft, acting_user=cm)  # the transaction's on-commit sends do not run

    message = _partner_emails(draft).get()
    draft.refresh_from_db()
    assert message.idempotency_key == f"referral-partner:{draft.pk}:{draft.partner_link_version}"
    assert message.status == MessageStatus.PENDING and message.send_at <= timezone.now()
    assert (message.channel, message.to_address, message.to_name) == (
        Channel.EMAIL,
        "referrals@eastside.example.org",
        "Eastside Community Center",
    )
    assert (message.source_type, message.client_id) == ("referrals.referral", draft.client_id)
    assert message.context["link_version"] == draft.partner_link_version
    assert mail.outbox == []  # nothing leaves before the dispatcher has it


def test_the_link_goes_to_the_partner_but_is_never_stored(draft, cm, django_capture_on_commit_callbacks):
    """GIVEN a referral sent to a partner
    WHEN its email has gone
    THEN the partner's email carries the link, and the outbox row (context, subject, body: what the
    admin, the API and the Messages tab show) carries no link and no token: whoever held one could
    answer the referral as the partner."""
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_send(referral=draft, acting_user=cm)

    message = _partner_emails(draft).get()
    assert message.status == MessageStatus.SENT
    assert _opens(_link_in(mail.outbox[0].body)) == draft.pk
    stored = " ".join([str(message.context), message.subject, message.body])
    assert "/referrals/partner/" not in stored
    assert "[sent, not stored]" in message.body


def test_the_email_goes_once_the_send_commits_and_names_no_client(
    draft, cm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_send(referral=draft, acting_user=cm)

    message = _partner_emails(draft).get()
    assert message.status == MessageStatus.SENT and message.sent_at is not None
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["referrals@eastside.example.org"]
    assert email.subject == "New referral to Eastside Food Pantry"
    assert _opens(_link_in(email.body)) == draft.pk
    assert "Harbor Outpatient has referred a person to Eastside Food Pantry (Eastside Community Center)" in (
        email.body
    )
    assert "works for 14 days" in email.body
    assert email.extra_headers["X-Careteam-Idempotency-Key"] == message.idempotency_key
    client = draft.client
    for name in (client.legal_first_name, client.legal_last_name, client.preferred_name):
        assert not name or name not in email.body  # the email names no client
    assert draft.events.filter(kind="link", note__contains="queued").exists()


def test_a_retry_or_a_double_click_sends_one_email(draft, cm, django_capture_on_commit_callbacks):
    """GIVEN a sent partner email, WHEN the send is clicked again, the dispatcher ticks again and a
    worker runs the same message again, THEN the partner still has one email."""
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_send(referral=draft, acting_user=cm)
    with pytest.raises(DomainError), django_capture_on_commit_callbacks(execute=True):
        services.referral_send(referral=draft, acting_user=cm)  # the second click
    message = _partner_emails(draft).get()
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_tick()
    assert dispatch.send_one(message.pk).outcome == "lost"
    draft.refresh_from_db()
    again = services._schedule_partner_email(draft, acting_user=cm)  # a retried transaction, same link
    assert again.pk == message.pk
    assert len(mail.outbox) == 1


def test_issuing_a_new_link_emails_it_again(draft, cm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_send(referral=draft, acting_user=cm)
    first_link = _link_in(mail.outbox[0].body)

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_link_resend(referral=draft, acting_user=cm)

    draft.refresh_from_db()
    assert _partner_emails(draft).count() == 2
    assert _partner_emails(draft).filter(idempotency_key=f"referral-partner:{draft.pk}:2").exists()
    assert len(mail.outbox) == 2
    resent = mail.outbox[1]
    assert resent.subject == "Reminder: New referral to Eastside Food Pantry"
    assert _opens(_link_in(resent.body)) == draft.pk
    with pytest.raises(PartnerLinkError):
        _opens(first_link)  # the first email's link no longer works


def test_a_link_withdrawn_before_the_email_goes_skips_it_with_the_reason(draft, cm):
    services.referral_send(referral=draft, acting_user=cm)
    message = _partner_emails(draft).get()

    services.referral_link_revoke(referral=draft, acting_user=cm, reason="Wrong pantry.")

    assert dispatch.send_one(message.pk).outcome == "skipped"
    message.refresh_from_db()
    assert message.status == MessageStatus.SKIPPED
    assert message.status_reason == SkipReason.SOURCE_CANCELLED
    assert "withdrawn" in message.status_detail
    assert mail.outbox == []


def test_an_email_still_waiting_when_a_new_link_is_issued_is_skipped_and_the_new_one_goes(draft, cm):
    services.referral_send(referral=draft, acting_user=cm)
    old = _partner_emails(draft).get()
    services.referral_link_resend(referral=draft, acting_user=cm)
    new = _partner_emails(draft).exclude(pk=old.pk).get()

    assert dispatch.send_one(old.pk).outcome == "skipped"
    assert dispatch.send_one(new.pk).outcome == "sent"
    old.refresh_from_db()
    assert "newer link" in old.status_detail
    draft.refresh_from_db()
    assert len(mail.outbox) == 1 and _opens(_link_in(mail.outbox[0].body)) == draft.pk


def test_an_email_whose_link_expired_before_it_could_go_is_skipped(draft, cm):
    services.referral_send(referral=draft, acting_user=cm)
    message = _partner_emails(draft).get()
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        assert dispatch.send_one(message.pk).outcome == "skipped"
    message.refresh_from_db()
    assert "expired" in message.status_detail
    assert mail.outbox == []


def test_a_referral_entered_in_error_before_the_email_goes_sends_nothing(draft, cm):
    services.referral_send(referral=draft, acting_user=cm)
    message = _partner_emails(draft).get()
    services.referral_transition(referral=draft, to=S.ENTERED_IN_ERROR, acting_user=cm, note="Wrong client")

    dispatch.send_one(message.pk)

    message.refresh_from_db()
    assert message.status in (MessageStatus.CANCELLED, MessageStatus.SKIPPED)
    assert message.status_reason == SkipReason.SOURCE_CANCELLED
    assert mail.outbox == []


def test_a_closed_referral_skips_an_email_that_raced_the_close(draft, cm):
    """The send-time check, not only the cancel at close: a row already claimed when the referral
    closed is skipped by the check."""
    services.referral_send(referral=draft, acting_user=cm)
    message = _partner_emails(draft).get()
    type(draft).objects.filter(pk=draft.pk).update(status=S.CANCELLED)  # as if closed mid-claim

    assert dispatch.send_one(message.pk).outcome == "skipped"
    message.refresh_from_db()
    assert "closed" in message.status_detail
    assert mail.outbox == []


def test_the_clients_preferences_do_not_stop_the_email_to_the_partner(draft, cm, alice):
    """Opt-outs, missing text consent, quiet hours in the client's zone and discharge are about
    messages *to the client*; the partner's email is not one."""
    services.referral_send(referral=draft, acting_user=cm)
    message = _partner_emails(draft).get()
    now = timezone.now()
    alice.email = ""
    alice.email_opted_out_at = now
    alice.sms_opted_out_at = now
    alice.nonessential_opted_out_at = now
    alice.quiet_hours_start, alice.quiet_hours_end = dt.time(0, 0), dt.time(23, 59)
    alice.status, alice.discharged_on = ClientStatus.DISCHARGED, timezone.localdate()
    alice.save()

    assert dispatch.send_one(message.pk).outcome == "sent"
    assert mail.outbox[0].to == ["referrals@eastside.example.org"]


def test_changing_the_appointment_cancels_the_clients_reminder_not_the_partners_email(draft, cm):
    services.referral_send(referral=draft, acting_user=cm)
    message = _partner_emails(draft).get()
    services.referral_schedule(
        referral=draft, appointment_at=timezone.now() + dt.timedelta(days=3), acting_user=cm
    )
    services.referral_schedule(
        referral=draft, appointment_at=timezone.now() + dt.timedelta(days=4), acting_user=cm
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert dispatch.send_one(message.pk).outcome == "sent"


def test_a_mail_server_error_is_retried_with_backoff_and_then_sent(draft, cm, settings, monkeypatch):
    settings.OUTREACH_RETRY_BACKOFF_SECONDS = 60
    services.referral_send(referral=draft, acting_user=cm)
    message = _partner_emails(draft).get()
    original = EmailMessage.send
    failures = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]

    def flaky_send(self, *args, **kwargs):
        if failures:
            raise failures.pop()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky_send)
    now = timezone.now()

    assert dispatch.send_one(message.pk, now=now).outcome == "retry"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    assert message.send_at == now + dt.timedelta(seconds=60)
    assert "Connection unexpectedly closed" in message.last_error
    assert dispatch.send_one(message.pk, now=now).outcome == "lost"  # not yet
    assert dispatch.send_one(message.pk, now=now + dt.timedelta(seconds=61)).outcome == "sent"
    assert len(mail.outbox) == 1


def test_an_email_that_cannot_be_sent_fails_with_a_task_naming_the_partner(draft, cm, monkeypatch):
    services.referral_send(referral=draft, acting_user=cm)
    message = _partner_emails(draft).get()

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"referrals@eastside.example.org": (550, b"No such user")})

    monkeypatch.setattr(EmailMessage, "send", refuse)

    assert dispatch.send_one(message.pk).outcome == "failed"
    task = Task.objects.get(kind=TaskKind.MESSAGE_FAILED)
    assert task.client_id == draft.client_id
    assert task.title.startswith("An email to Eastside Community Center about ")


# --- the referral page ---------------------------------------------------------------------------


def _page(user, referral) -> str:
    response = login(user).get(reverse("referrals:detail", args=[referral.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_referral_page_shows_the_partner_emails_state(draft, cm, monkeypatch):
    services.referral_send(referral=draft, acting_user=cm)
    message = _partner_emails(draft).get()
    page = _page(cm, draft)
    assert (
        "Partner email" in page and "Waiting to send" in page and "to referrals@eastside.example.org" in page
    )

    dispatch.send_one(message.pk)
    page = _page(cm, draft)
    assert "outreach-status-sent" in page and "Waiting to send" not in page

    services.referral_link_resend(referral=draft, acting_user=cm)
    services.referral_link_revoke(referral=draft, acting_user=cm)
    newest = _partner_emails(draft).exclude(pk=message.pk).get()
    dispatch.send_one(newest.pk)
    page = _page(cm, draft)
    assert f'id="partner-email-{newest.pk}"' in page and "Not sent" in page
    assert "The partner link was withdrawn." in page


def test_the_timeline_says_what_became_of_each_partner_email(draft, cm):
    """GIVEN a referral sent, its email gone, then a new link issued and withdrawn before it went
    WHEN the case manager reads the referral's timeline
    THEN it shows, in order, the email sent and the next one not sent with the reason."""
    services.referral_send(referral=draft, acting_user=cm)
    dispatch.send_one(_partner_emails(draft).get().pk)
    services.referral_link_resend(referral=draft, acting_user=cm)
    services.referral_link_revoke(referral=draft, acting_user=cm)
    newest = _partner_emails(draft).order_by("-pk").first()
    dispatch.send_one(newest.pk)

    page = _page(cm, draft)
    timeline = page.split('id="h-timeline"', 1)[1].split("</ol>", 1)[0]
    sent, not_sent = timeline.index("Partner email sent"), timeline.index("Partner email not sent")
    assert sent < not_sent
    assert "to referrals@eastside.example.org" in timeline[sent:not_sent]
    assert "The partner link was withdrawn." in timeline[not_sent:]


def test_the_referral_page_shows_a_retry_and_a_failure(draft, cm, settings, monkeypatch):
    settings.OUTREACH_MAX_ATTEMPTS = 2
    services.referral_send(referral=draft, acting_user=cm)
    message = _partner_emails(draft).get()

    def down(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMessage, "send", down)
    now = timezone.now()
    dispatch.send_one(message.pk, now=now)
    page = _page(cm, draft)
    assert "Retrying" in page and "Sending failed once" in page

    dispatch.send_one(message.pk, now=now + dt.timedelta(hours=2))
    page = _page(cm, draft)
    assert "Failed" in page and "the care team has a task" in page


def test_the_referral_page_costs_the_same_queries_with_one_partner_email_or_several(
    draft, cm, django_assert_max_num_queries
):
    services.referral_send(referral=draft, acting_user=cm)
    http = login(cm)
    url = reverse("referrals:detail", args=[draft.pk])
    http.get(url)  # warm caches (session, content types)
    with django_assert_max_num_queries(60) as one:
        http.get(url)
    for _ in range(4):
        services.referral_link_resend(referral=draft, acting_user=cm)
    assert _partner_emails(draft).count() == 5
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert http.get(url).status_code == 200


def test_the_outsider_still_gets_404_and_sees_no_partner_email(draft, cm, outsider):
    services.referral_send(referral=draft, acting_user=cm)
    response = login(outsider).get(reverse("referrals:detail", args=[draft.pk]))
    assert response.status_code == 404
    assert "referrals@eastside.example.org" not in response.content.decode()


def test_the_chart_messages_tab_says_the_partner_email_went_to_the_organisation(draft, cm):
    services.referral_send(referral=draft, acting_user=cm)
    response = login(cm).get(reverse("outreach:client-messages", args=[draft.client_id]))
    assert response.status_code == 200
    assert "to Eastside Community Center (not the client)" in response.content.decode()
