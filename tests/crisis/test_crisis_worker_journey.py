"""The issue's "done when", through the pages and the dispatcher: a crisis worker's episode end to end.

Open an episode for someone on no care team → record risk and an ED disposition → write a safety
plan → caring contacts start (moderate risk) → the checkpoints and messages appear → when the first
message falls due the tick sends it exactly once → the client's reply reaches the team as an urgent task.
"""

import datetime as dt

import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from twilio.request_validator import RequestValidator

from careteam.models import CareTeamAssignment, Task, TaskKind, TaskPriority
from crisis.models import CaringContactPlan, CrisisEpisode, FollowUpCheckpoint, SafetyPlanVersion
from outreach.models import MessageStatus, OutboxEntry, ScheduledMessage
from outreach.tasks import dispatch_tick
from tests.concurrency import open_form
from tests.conftest import login
from tests.factories import ClientFactory
from tests.factories.outreach import give_text_consent

from .test_pages import open_post, plan_post

OUTBOX = "outreach.backends.database.DatabaseBackend"


def test_a_crisis_worker_opens_an_episode_and_the_follow_up_reaches_the_client_and_back(
    crisis_worker, team, settings, django_capture_on_commit_callbacks
):
    settings.OUTREACH_BACKENDS = {"sms": OUTBOX, "email": OUTBOX}
    settings.OUTREACH_TWILIO_AUTH_TOKEN = "journey-token"
    settings.OUTREACH_PUBLIC_BASE_URL = "https://careteam.example.org"
    walk_in = ClientFactory(
        primary_team=team,
        legal_first_name="Jordan",
        legal_last_name="Quill",
        phone="+12025550177",
        preferred_channel="sms",
        time_zone="America/New_York",
    )
    give_text_consent(walk_in, crisis_worker)
    http = login(crisis_worker)

    # 1. One screen opens the episode; a client on no care team gets the crisis worker on theirs.
    response = http.post(reverse("crisis:open"), open_post(walk_in, risk_level="moderate"))
    episode = CrisisEpisode.objects.get(client=walk_in)
    assert response.status_code == 302
    assert CareTeamAssignment.objects.active().filter(client=walk_in, staff=crisis_worker).exists()

    # 2. An ED disposition starts the 24 h / 72 h / 7-day checkpoints and the HEDIS 7- and 30-day visits.
    http.post(reverse("crisis:episode-disposition", args=[walk_in.pk, episode.pk]), {"disposition": "ed"})
    assert FollowUpCheckpoint.objects.filter(episode=episode).count() == 5
    episode_page = http.get(response["Location"]).content.decode()
    assert "Contact within 24 hours" in episode_page and "HEDIS FUH" in episode_page

    # 3. A safety plan, version 1.
    plan_url = reverse("crisis:safety-plan-edit", args=[walk_in.pk])
    assert http.post(plan_url, {**plan_post(), **open_form(http, plan_url)}).status_code == 302
    assert SafetyPlanVersion.objects.filter(client=walk_in).count() == 1

    # 4. Moderate risk: caring contacts started with the episode; every message is in the outbox.
    plan = CaringContactPlan.objects.get(client=walk_in, episode=episode)
    messages = ScheduledMessage.objects.filter(source_type="crisis.caringcontactplan", source_id=str(plan.pk))
    assert messages.count() >= 8 and not messages.exclude(status=MessageStatus.PENDING).exists()
    tab = http.get(reverse("crisis:client-tab", args=[walk_in.pk])).content.decode()
    assert "Pacing" in tab  # the current safety plan
    assert "Pending" in tab  # the caring-contact messages and their state

    # 5. When the first one falls due, the tick sends it — once, however often the tick runs.
    first = messages.order_by("send_at").first()
    with time_machine.travel(first.send_at + dt.timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert dispatch_tick() >= 1
        with django_capture_on_commit_callbacks(execute=True):
            dispatch_tick()
    first.refresh_from_db()
    assert first.status == MessageStatus.SENT
    assert OutboxEntry.objects.filter(idempotency_key=first.idempotency_key).count() == 1
    assert "Jordan" in first.body  # rendered with the preferred (here: first) name

    # 6. Jordan replies; the care team gets one urgent task with the text, top of the worklist.
    url = reverse("outreach:sms-inbound")
    params = {
        "From": "+12025550177",
        "To": "+12025550100",
        "Body": "thank you. rough week",
        "MessageSid": "SMj1",
    }
    signature = RequestValidator("journey-token").compute_signature(
        "https://careteam.example.org" + url, params
    )
    assert HttpClient().post(url, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 200
    task = Task.objects.get(client=walk_in, kind=TaskKind.CLIENT_REPLY)
    assert task.priority == TaskPriority.URGENT and "rough week" in task.detail
    assert "rough week" in http.get(reverse("workspace:worklist")).content.decode()
