"""Creating, sending (the Part 2 consent gate), closing the loop and consent revocation."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from careteam.models import AuditEvent, Task, TaskKind
from clients.consents.services import consent_revoke
from clients.models import Disclosure, NeedStatus
from outreach.models import MessageStatus, ScheduledMessage, SourceKind
from referrals import services
from referrals.models import ReferralOutcome, ReferralStatus
from tests.factories.directory import OrganizationFactory
from tests.factories.referrals import NeedFactory, Part2ConsentFactory, ReferralFactory

S = ReferralStatus


def test_a_draft_is_created_for_the_clients_need(alice, cm, need, pantry):
    referral = services.referral_create(
        client=alice,
        acting_user=cm,
        data={
            "need": need,
            "service": pantry,
            "reason": "Food this week",
            "shared_categories": ["demographics"],
        },
    )
    assert referral.status == S.DRAFT
    assert referral.organization == pantry.organization
    assert referral.category == "food"
    assert referral.events.get().to_status == S.DRAFT
    assert AuditEvent.objects.filter(action="create", object_type="referrals.referral").exists()


def test_a_draft_refuses_another_clients_need_and_a_blank_reason(alice, cm, pantry):
    other_need = NeedFactory()
    with pytest.raises(ValidationError) as exc:
        services.referral_create(
            client=alice, acting_user=cm, data={"need": other_need, "service": pantry, "reason": " "}
        )
    assert set(exc.value.message_dict) == {"need", "reason"}


def test_sending_without_sud_needs_no_consent_and_records_the_disclosure(
    draft, cm, need, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_send(referral=draft, acting_user=cm)
    draft.refresh_from_db()
    assert draft.status == S.REQUESTED and draft.requested_at is not None
    disclosure = Disclosure.objects.get(source_type="referrals.referral", source_id=str(draft.pk))
    assert disclosure.recipient_organization == draft.organization
    assert disclosure.categories == ["demographics"]
    need.refresh_from_db()
    assert need.status == NeedStatus.REFERRED
    # The partner's email went through the outbox (tests/referrals/test_partner_email.py has the rest).
    assert ScheduledMessage.objects.get(source_kind=SourceKind.REFERRAL_PARTNER).status == MessageStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["referrals@eastside.example.org"]
    assert "/referrals/partner/" in mail.outbox[0].body
    assert "Rivera" not in mail.outbox[0].body  # the email names no client


def _sud(draft):
    draft.shared_categories = ["demographics", "sud"]
    draft.save()
    return draft


def _refused(draft, cm, match):
    with pytest.raises(services.ConsentMissing, match=match):
        services.referral_send(referral=draft, acting_user=cm)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert not Disclosure.objects.exists()


def test_sud_without_any_consent_is_refused(draft, cm):
    _refused(_sud(draft), cm, "no Part 2 consent naming Eastside Community Center")


def test_sud_with_an_expired_consent_is_refused(draft, cm, alice):
    today = timezone.localdate()
    Part2ConsentFactory(
        client=alice,
        recipient_organization=draft.organization,
        signed_on=today - dt.timedelta(days=400),
        expires_on=today - dt.timedelta(days=1),
    )
    _refused(_sud(draft), cm, "expired")


def test_sud_with_a_revoked_consent_is_refused(draft, cm, alice):
    Part2ConsentFactory(
        client=alice, recipient_organization=draft.organization, revoked_on=timezone.localdate()
    )
    _refused(_sud(draft), cm, "revoked")


def test_sud_with_a_consent_for_another_recipient_is_refused(draft, cm, alice):
    Part2ConsentFactory(client=alice, recipient_organization=OrganizationFactory())
    _refused(_sud(draft), cm, "no Part 2 consent naming")


def test_sud_with_a_consent_not_covering_the_category_is_refused(draft, cm, alice):
    Part2ConsentFactory(client=alice, recipient_organization=draft.organization, categories=["demographics"])
    _refused(_sud(draft), cm, "does not cover: Substance use")


def test_sud_with_a_covering_consent_is_sent_and_the_disclosure_cites_it(draft, cm, alice):
    consent = Part2ConsentFactory(client=alice, recipient_organization=draft.organization)
    services.referral_send(referral=_sud(draft), acting_user=cm)
    draft.refresh_from_db()
    assert draft.status == S.REQUESTED
    assert draft.consent == consent
    disclosure = Disclosure.objects.get()
    assert disclosure.consent == consent
    assert disclosure.categories == ["demographics", "sud"]
    assert AuditEvent.objects.filter(action="disclose", client=alice).exists()


def test_a_known_appointment_schedules_the_clients_reminder_and_closing_cancels_it(draft, cm):
    draft.appointment_at = timezone.now() + dt.timedelta(days=3)
    draft.save()
    services.referral_send(referral=draft, acting_user=cm)
    message = ScheduledMessage.objects.get(template_key="referral-appointment-reminder")
    assert message.due_at == draft.appointment_at - dt.timedelta(hours=24)
    assert message.context["organization"] == draft.organization.name
    services.referral_transition(
        referral=draft, to=S.CANCELLED, acting_user=cm, outcome=ReferralOutcome.CLIENT_DECLINED
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED


def test_rescheduling_replaces_the_reminder(draft, cm):
    services.referral_send(referral=draft, acting_user=cm)
    first = timezone.now() + dt.timedelta(days=3)
    services.referral_schedule(referral=draft, appointment_at=first, acting_user=None, partner=True)
    draft.refresh_from_db()
    assert draft.status == S.ACCEPTED  # scheduling answers the request
    services.referral_schedule(
        referral=draft, appointment_at=first + dt.timedelta(days=1), acting_user=None, partner=True
    )
    reminders = ScheduledMessage.objects.filter(source_kind=SourceKind.REFERRAL)  # not the partner's email
    statuses = sorted(reminders.values_list("status", flat=True))
    assert statuses == [MessageStatus.CANCELLED, MessageStatus.PENDING]


@pytest.mark.parametrize(
    ("to", "outcome", "need_status"),
    [
        (S.COMPLETED, ReferralOutcome.CONNECTED, NeedStatus.MET),
        (S.FAILED, ReferralOutcome.CLIENT_DECLINED, NeedStatus.DECLINED),
        (S.FAILED, ReferralOutcome.NO_CONTACT, NeedStatus.UNMET_CLOSED),
        (S.CANCELLED, ReferralOutcome.UNRESPONSIVE, NeedStatus.UNMET_CLOSED),
    ],
)
def test_the_need_follows_the_outcome(to, outcome, need_status, draft, cm, need):
    services.referral_send(referral=draft, acting_user=cm)
    if to != S.CANCELLED:
        services.referral_transition(referral=draft, to=S.ACCEPTED, acting_user=None, partner=True)
    services.referral_transition(referral=draft, to=to, acting_user=cm, outcome=outcome)
    need.refresh_from_db()
    assert need.status == need_status
    draft.refresh_from_db()
    assert draft.closed_at is not None


def test_refer_elsewhere_reopens_the_need(draft, cm, need):
    services.referral_send(referral=draft, acting_user=cm)
    services.referral_transition(
        referral=draft, to=S.REJECTED, acting_user=None, partner=True, outcome=ReferralOutcome.NO_CAPACITY
    )
    need.refresh_from_db()
    assert need.status == NeedStatus.UNMET_CLOSED
    other = ReferralFactory(client=draft.client, need=need, service=draft.service, referred_by=cm)
    need.status = NeedStatus.REFERRED
    need.save()
    services.referral_send(referral=other, acting_user=cm)
    services.referral_transition(
        referral=other,
        to=S.CANCELLED,
        acting_user=cm,
        outcome=ReferralOutcome.NO_CAPACITY,
        refer_elsewhere=True,
    )
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


def test_a_need_met_by_one_referral_stays_met_when_another_for_it_fails(draft, cm, need):
    """GIVEN two referrals sent for one need, the first of which connects the client
    WHEN the second then closes without connecting
    THEN the need stays met: its table has no move from met to closed, not met."""
    other = ReferralFactory(client=draft.client, need=need, service=draft.service, referred_by=cm)
    services.referral_send(referral=draft, acting_user=cm)
    services.referral_send(referral=other, acting_user=cm)
    services.referral_transition(referral=draft, to=S.ACCEPTED, acting_user=None, partner=True)
    services.referral_report_attendance(referral=draft, attended=True, acting_user=None, partner=True)
    need.refresh_from_db()
    assert need.status == NeedStatus.MET

    services.referral_transition(
        referral=other, to=S.CANCELLED, acting_user=cm, outcome=ReferralOutcome.NO_CONTACT
    )

    need.refresh_from_db()
    assert need.status == NeedStatus.MET and "Connected" in need.closed_note


def test_partner_reports_attended_and_the_loop_closes_connected(draft, cm, need):
    services.referral_send(referral=draft, acting_user=cm)
    services.referral_transition(referral=draft, to=S.ACCEPTED, acting_user=None, partner=True)
    services.referral_report_attendance(referral=draft, attended=True, acting_user=None, partner=True)
    draft.refresh_from_db()
    assert (draft.status, draft.outcome) == (S.COMPLETED, ReferralOutcome.CONNECTED)
    assert list(draft.events.filter(actor_kind="partner").values_list("kind", flat=True)) == [
        "status",
        "attendance",
        "status",
        "outcome",
    ]
    partner_audit = AuditEvent.objects.filter(user=None, client=draft.client, detail__referral=draft.pk)
    assert partner_audit.exists()
    need.refresh_from_db()
    assert need.status == NeedStatus.MET


def test_a_no_show_keeps_the_referral_open_flags_it_and_tasks_the_referrer(draft, cm):
    services.referral_send(referral=draft, acting_user=cm)
    services.referral_transition(referral=draft, to=S.ACCEPTED, acting_user=None, partner=True)
    services.referral_report_attendance(referral=draft, attended=False, acting_user=None, partner=True)
    draft.refresh_from_db()
    assert draft.status == S.ACCEPTED and draft.flagged_at is not None
    assert Task.objects.get(kind=TaskKind.REFERRAL_OUTCOME_DUE).assignee == cm


def test_revoking_the_consent_flags_open_referrals_and_withdraws_the_link(draft, cm, alice):
    consent = Part2ConsentFactory(client=alice, recipient_organization=draft.organization)
    services.referral_send(referral=_sud(draft), acting_user=cm)
    version = draft.partner_link_version
    consent_revoke(consent=consent, acting_user=cm, reason="Client asked")
    draft.refresh_from_db()
    assert draft.flagged_at is not None
    assert draft.partner_link_version == version + 1 and draft.partner_link_revoked_at is not None
    assert draft.events.filter(kind="consent").exists()
    task = Task.objects.get(kind=TaskKind.CONSENT_REVOKED)
    assert task.assignee == cm
    with pytest.raises(services.ConsentMissing):
        services.referral_link_resend(referral=draft, acting_user=cm)


def test_notes_update_the_last_activity(draft, cm):
    before = draft.last_activity_at
    services.referral_add_note(referral=draft, note="Called the pantry", acting_user=cm)
    draft.refresh_from_db()
    assert draft.last_activity_at > before
    assert draft.events.filter(kind="note").get().note == "Called the pantry"
