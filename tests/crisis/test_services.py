"""Crisis services: opening episodes, dispositions, safety plan versions and links, caring contacts."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from careteam import access
from careteam.errors import DomainError
from careteam.models import AuditAction, AuditEvent, CareTeamAssignment
from crisis import services
from crisis.models import CaringContactProtocol, FollowUpCheckpoint, RiskSource
from outreach.models import MessageStatus, ScheduledMessage
from outreach.sources import source_cancelled_reason
from tests.factories import ClientFactory
from tests.factories.assessments import AssessmentResponseFactory, instrument

DATA = {"source": "walk_in", "concerns": ["overdose"], "risk_level": "moderate"}


def test_a_counselor_opens_an_episode_for_their_client_and_it_is_audited(episode, counselor, reachable_alice):
    assert episode.risk_level == "high"
    assert episode.risk_source == RiskSource.CLINICIAN
    assert episode.is_open
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="crisis.crisisepisode", client=reachable_alice, user=counselor
    ).exists()


def test_an_outsider_cannot_open_an_episode(alice, outsider):
    with pytest.raises(DomainError):
        services.episode_open(client=alice, acting_user=outsider, data=DATA)


def test_a_crisis_worker_opening_for_an_unassigned_client_joins_the_care_team(crisis_worker, team):
    nobody = ClientFactory(primary_team=team)
    assert not access.client_can_access(crisis_worker, nobody)
    episode = services.episode_open(client=nobody, acting_user=crisis_worker, data=DATA)
    assert (
        CareTeamAssignment.objects.active().filter(client=nobody, staff=crisis_worker, role="crisis").exists()
    )
    assert access.client_can_access(crisis_worker, nobody)
    assert episode.opened_by == crisis_worker


def test_a_crisis_worker_may_not_take_a_client_someone_else_is_assigned_to(crisis_worker, alice):
    with pytest.raises(DomainError):
        services.episode_open(client=alice, acting_user=crisis_worker, data=DATA)


def test_risk_comes_from_a_cssrs_screen_of_the_last_24_hours(alice, counselor):
    screen = AssessmentResponseFactory(
        client=alice,
        instrument=instrument("cssrs_screener"),
        answers={"q1": 1, "q2": 1, "q3": 0, "q4": 1, "q5": 0, "q6": 0},
        administered_by=counselor,
        administered_at=timezone.now() - dt.timedelta(hours=3),
    )
    assert screen.band == "high"
    episode = services.episode_open(client=alice, acting_user=counselor, data={**DATA, "risk_level": ""})
    assert (episode.risk_level, episode.risk_source, episode.risk_screen) == ("high", "cssrs", screen)


def test_a_clinician_rating_does_not_claim_the_screen_as_its_source(alice, counselor):
    AssessmentResponseFactory(
        client=alice,
        instrument=instrument("cssrs_screener"),
        answers={"q1": 1, "q2": 1, "q3": 0, "q4": 1, "q5": 0, "q6": 0},
        administered_by=counselor,
        administered_at=timezone.now() - dt.timedelta(hours=3),
    )
    episode = services.episode_open(
        client=alice, acting_user=counselor, data={**DATA, "risk_level": "moderate"}
    )
    assert (episode.risk_level, episode.risk_source, episode.risk_screen) == ("moderate", "clinician", None)


def test_an_older_screen_is_not_used_and_a_rating_is_required(alice, counselor):
    AssessmentResponseFactory(
        client=alice,
        instrument=instrument("cssrs_screener"),
        answers={"q1": 1, "q2": 0, "q6": 0},
        administered_by=counselor,
        administered_at=timezone.now() - dt.timedelta(hours=25),
    )
    with pytest.raises(DomainError) as exc:
        services.episode_open(client=alice, acting_user=counselor, data={**DATA, "risk_level": ""})
    assert exc.value.field == "risk_level"


def test_a_disposition_creates_the_standard_checkpoints(episode, counselor):
    episode = services.episode_record_disposition(
        episode=episode, disposition="community", acting_user=counselor
    )
    at = episode.disposition_at
    rows = {cp.kind: cp for cp in FollowUpCheckpoint.objects.filter(episode=episode)}
    assert set(rows) == {"contact-24h", "contact-72h", "outpatient-7d"}
    assert rows["contact-24h"].window_end - rows["contact-24h"].window_start == dt.timedelta(hours=24)
    assert rows["outpatient-7d"].window_start == at


def test_an_ed_disposition_adds_the_7_and_30_day_follow_up_visits_from_discharge(episode, counselor):
    episode.opened_at = timezone.now() - dt.timedelta(days=1)
    episode.save(update_fields=["opened_at"])
    discharge = timezone.now() - dt.timedelta(hours=2)
    services.episode_record_disposition(
        episode=episode, disposition="ed", acting_user=counselor, at=discharge
    )
    rows = {cp.kind: cp for cp in FollowUpCheckpoint.objects.filter(episode=episode)}
    assert {"fuh-7d", "fuh-30d"} <= set(rows)
    assert rows["fuh-30d"].window_start == discharge
    assert rows["fuh-30d"].window_end == discharge + dt.timedelta(days=30)


def test_a_disposition_is_recorded_once_and_closing_needs_one(episode, counselor):
    with pytest.raises(DomainError):
        services.episode_close(episode=episode, acting_user=counselor)
    services.episode_record_disposition(episode=episode, disposition="community", acting_user=counselor)
    with pytest.raises(DomainError):
        services.episode_record_disposition(episode=episode, disposition="ed", acting_user=counselor)
    closed = services.episode_close(episode=episode, acting_user=counselor)
    assert closed.closed_at is not None and closed.closed_by == counselor


def test_each_safety_plan_save_is_a_new_version(alice, counselor):
    first = services.safety_plan_save(
        client=alice, acting_user=counselor, data={"warning_signs": ["Pacing", " "]}, reason="new_crisis"
    )
    second = services.safety_plan_save(
        client=alice,
        acting_user=counselor,
        data={"warning_signs": ["Pacing", "Not eating"], "help_contacts": [{"name": "Sam", "phone": "555"}]},
        reason="review",
    )
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.warning_signs == ["Pacing"]  # unchanged
    assert second.help_contacts == [{"name": "Sam", "phone": "555"}]


def test_an_empty_safety_plan_is_refused(alice, counselor):
    with pytest.raises(DomainError):
        services.safety_plan_save(client=alice, acting_user=counselor, data={}, reason="review")


def test_sending_the_plan_schedules_an_essential_link_that_expires(reachable_alice, counselor, settings):
    settings.CARETEAM_SAFETY_PLAN_LINK_HOURS = 72
    version = services.safety_plan_save(
        client=reachable_alice, acting_user=counselor, data={"warning_signs": ["Pacing"]}, reason="review"
    )
    message = services.safety_plan_send(version=version, acting_user=counselor)
    assert message.template_key == "safety-plan-link"
    assert message.essential is True
    assert message.channel == "sms"
    assert message.source_type == "crisis.safetyplanversion"
    token = message.context["url"].rstrip("/").rsplit("/", 1)[-1]
    assert services.safety_plan_from_token(token) == version
    assert services.safety_plan_from_token(token + "x") is None
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(version.pk)).exists()


def test_a_link_older_than_the_max_age_no_longer_opens(reachable_alice, counselor, settings):
    version = services.safety_plan_save(
        client=reachable_alice, acting_user=counselor, data={"warning_signs": ["Pacing"]}, reason="review"
    )
    settings.CARETEAM_SAFETY_PLAN_LINK_HOURS = 1
    with time_machine.travel(timezone.now() - dt.timedelta(hours=2)):  # a token made two hours ago
        token = services.safety_plan_token(version)
    assert services.safety_plan_from_token(token) is None


def test_caring_contacts_put_every_message_in_the_outbox_signed_and_keyed(reachable_alice, counselor):
    protocol = CaringContactProtocol.objects.get(is_default=True)
    plan = services.caring_contacts_start(client=reachable_alice, acting_user=counselor)
    rows = list(
        ScheduledMessage.objects.filter(source_type="crisis.caringcontactplan", source_id=str(plan.pk))
    )
    assert len(rows) == len(protocol.steps) == 10
    assert {r.idempotency_key for r in rows} == {f"ccp-{plan.pk}-{i}" for i in range(10)}
    assert all(r.signed_by == counselor and r.channel == "sms" and not r.essential for r in rows)
    assert sum(r.template_key == "caring-contact-birthday" for r in rows) == 1


def test_only_one_plan_runs_at_a_time(reachable_alice, counselor):
    services.caring_contacts_start(client=reachable_alice, acting_user=counselor)
    with pytest.raises(DomainError):
        services.caring_contacts_start(client=reachable_alice, acting_user=counselor)


def test_a_client_we_cannot_text_or_email_gets_no_plan(alice, counselor):
    with pytest.raises(DomainError) as exc:
        services.caring_contacts_start(client=alice, acting_user=counselor)
    assert exc.value.field == "channel"


def test_stopping_cancels_pending_messages_and_the_source_check_skips_racing_ones(reachable_alice, counselor):
    plan = services.caring_contacts_start(client=reachable_alice, acting_user=counselor)
    sent = ScheduledMessage.objects.filter(source_id=str(plan.pk)).order_by("due_at").first()
    ScheduledMessage.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT, sent_at=timezone.now())
    assert source_cancelled_reason("crisis.caringcontactplan", str(plan.pk)) is None
    services.caring_contacts_stop(plan=plan, acting_user=counselor, reason="Client asked to stop")
    statuses = dict(ScheduledMessage.objects.filter(source_id=str(plan.pk)).values_list("pk", "status"))
    assert statuses.pop(sent.pk) == MessageStatus.SENT
    assert set(statuses.values()) == {MessageStatus.CANCELLED}
    assert "Client asked to stop" in source_cancelled_reason("crisis.caringcontactplan", str(plan.pk))
    with pytest.raises(DomainError):
        services.caring_contacts_stop(plan=plan, acting_user=counselor, reason="again")
