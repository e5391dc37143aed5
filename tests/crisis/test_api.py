"""Crisis API: scoped lists, 404 for the outsider, 400 with field messages, actions through the services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careteam.models import AuditAction, AuditEvent
from crisis import services
from crisis.models import CaringContactPlan, CrisisEpisode, SafetyPlanVersion
from outreach.models import MessageStatus, ScheduledMessage
from tests.conftest import api_login
from tests.factories import ClientFactory, assign

EPISODES = "/api/v1/crisis-episodes/"
PLANS = "/api/v1/safety-plans/"
CHECKPOINTS = "/api/v1/checkpoints/"
CARING = "/api/v1/caring-contact-plans/"


def test_a_counselor_opens_an_episode_records_a_disposition_and_closes_it(counselor, reachable_alice):
    api = api_login(counselor)
    response = api.post(
        EPISODES,
        {"client": reachable_alice.pk, "source": "call", "concerns": ["overdose"], "risk_level": "moderate"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["concerns"] == ["overdose"]
    assert api.post(f"{EPISODES}{pk}/close/").status_code == 400
    response = api.post(f"{EPISODES}{pk}/disposition/", {"disposition": "ed"}, format="json")
    assert response.status_code == 200 and response.json()["disposition"] == "ed"
    kinds = {row["kind"] for row in api.get(CHECKPOINTS, {"episode": pk}).json()["results"]}
    assert kinds == {"contact-24h", "contact-72h", "outpatient-7d", "fuh-7d", "fuh-30d"}
    states = {row["state"] for row in api.get(CHECKPOINTS, {"episode": pk}).json()["results"]}
    assert states == {"due"}
    assert api.post(f"{EPISODES}{pk}/close/").json()["closed_at"] is not None


def test_bad_input_is_a_400_with_field_messages(counselor, alice):
    api = api_login(counselor)
    response = api.post(EPISODES, {"client": alice.pk, "source": "call", "concerns": []}, format="json")
    assert response.status_code == 400 and "concerns" in response.json()
    response = api.post(
        EPISODES, {"client": alice.pk, "source": "call", "concerns": ["grief"]}, format="json"
    )
    assert response.status_code == 400 and "risk_level" in response.json()  # no screen, no rating
    assert not CrisisEpisode.objects.exists()


def test_opening_through_the_api_starts_caring_contacts_like_the_page(counselor, reachable_alice):
    """The moderate-or-higher default lives in the service, so the API applies it too (and "no" wins)."""
    from crisis.models import CaringContactPlan

    api = api_login(counselor)
    body = {"client": reachable_alice.pk, "source": "call", "concerns": ["grief"], "risk_level": "moderate"}
    assert api.post(EPISODES, body, format="json").status_code == 201
    assert CaringContactPlan.objects.filter(client=reachable_alice).count() == 1
    assert api.post(EPISODES, {**body, "risk_level": "low"}, format="json").status_code == 201
    assert api.post(EPISODES, {**body, "caring_contacts": "no"}, format="json").status_code == 201
    assert CaringContactPlan.objects.filter(client=reachable_alice).count() == 1


def test_the_outsider_gets_404_and_empty_lists(outsider, episode, counselor):
    client = episode.client
    version = services.safety_plan_save(
        client=client, acting_user=counselor, data={"warning_signs": ["x"]}, reason="review"
    )
    plan = services.caring_contacts_start(client=client, acting_user=counselor)
    services.episode_record_disposition(episode=episode, disposition="community", acting_user=counselor)
    cp = episode.checkpoints.first()
    api = api_login(outsider)
    for url in (
        f"{EPISODES}{episode.pk}/",
        f"{PLANS}{version.pk}/",
        f"{CHECKPOINTS}{cp.pk}/",
        f"{CARING}{plan.pk}/",
    ):
        assert api.get(url).status_code == 404, url
    assert api.post(f"{EPISODES}{episode.pk}/close/").status_code == 404
    assert api.post(f"{CARING}{plan.pk}/stop/", {"reason": "x"}).status_code == 404
    for url in (EPISODES, PLANS, CHECKPOINTS, CARING):
        assert api.get(url).json()["results"] == [], url
    response = api.post(
        EPISODES,
        {"client": client.pk, "source": "call", "concerns": ["grief"], "risk_level": "low"},
        format="json",
    )
    assert response.status_code == 404  # a client one may not open an episode for is not confirmed to exist


def test_safety_plan_versions_via_the_api_and_the_peer_reads_them(counselor, peer, alice):
    api = api_login(counselor)
    body = {
        "client": alice.pk,
        "reason": "new_crisis",
        "based_on_version": None,
        "warning_signs": ["Pacing"],
        "professionals": [{"name": "988 Lifeline", "phone": "988"}],
    }
    assert api.post(PLANS, body, format="json").status_code == 201
    second = {**body, "reason": "review", "based_on_version": 1}
    assert api.post(PLANS, second, format="json").json()["version"] == 2
    empty = {"client": alice.pk, "reason": "review", "based_on_version": 2}
    assert api.post(PLANS, empty, format="json").status_code == 400
    rows = api_login(peer).get(PLANS, {"client": alice.pk}).json()["results"]
    assert [r["version"] for r in rows] == [2, 1]
    assert api_login(peer).get(EPISODES).status_code == 403
    assert api_login(peer).post(PLANS, body, format="json").status_code == 403
    assert SafetyPlanVersion.objects.count() == 2


def test_a_safety_plan_section_is_bounded_in_entries_and_length(counselor, alice):
    api = api_login(counselor)
    body = {"client": alice.pk, "reason": "new_crisis", "based_on_version": None}
    too_many = api.post(PLANS, {**body, "warning_signs": ["Pacing"] * 51}, format="json")
    too_long = api.post(PLANS, {**body, "warning_signs": ["x" * 301]}, format="json")
    contacts = api.post(PLANS, {**body, "help_contacts": [{"name": "Sam"}] * 51}, format="json")

    assert (too_many.status_code, too_long.status_code, contacts.status_code) == (400, 400, 400)
    assert "warning_signs" in too_many.json() and "help_contacts" in contacts.json()
    assert not SafetyPlanVersion.objects.exists()


def test_a_safety_plan_written_from_an_older_version_is_refused_and_the_newer_one_stays(
    counselor, supervisor, alice
):
    body = {"client": alice.pk, "reason": "new_crisis", "based_on_version": None, "warning_signs": ["Pacing"]}
    assert api_login(counselor).post(PLANS, body, format="json").status_code == 201
    # Both read version 1; the supervisor saves version 2 first.
    newer = {**body, "reason": "review", "based_on_version": 1, "warning_signs": ["Pacing", "Not sleeping"]}
    assert api_login(supervisor).post(PLANS, newer, format="json").status_code == 201

    stale = api_login(counselor).post(PLANS, {**newer, "warning_signs": ["Only pacing"]}, format="json")
    unsaid = api_login(counselor).post(PLANS, {**newer, "based_on_version": None}, format="json")
    missing = api_login(counselor).post(PLANS, {k: v for k, v in newer.items() if k != "based_on_version"})

    assert stale.status_code == 412 and stale.json()["current_version"] == 2
    assert unsaid.status_code == 412
    assert missing.status_code == 400 and "based_on_version" in missing.json()
    latest = SafetyPlanVersion.objects.filter(client=alice).order_by("-version").first()
    assert (latest.version, latest.warning_signs) == (2, ["Pacing", "Not sleeping"])


def test_caring_contacts_start_and_stop_via_the_api(counselor, reachable_alice):
    api = api_login(counselor)
    response = api.post(CARING, {"client": reachable_alice.pk, "channel": "email"}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert ScheduledMessage.objects.filter(source_id=str(pk), channel="email").count() == 10
    assert api.post(CARING, {"client": reachable_alice.pk}, format="json").status_code == 400  # one at a time
    assert api.post(f"{CARING}{pk}/stop/", {}, format="json").status_code == 400
    response = api.post(f"{CARING}{pk}/stop/", {"reason": "Client asked"}, format="json")
    assert response.status_code == 200 and response.json()["stop_reason"] == "Client asked"
    assert not ScheduledMessage.objects.filter(source_id=str(pk), status=MessageStatus.PENDING).exists()
    assert not CaringContactPlan.objects.get(pk=pk).is_running


def test_lists_are_audited_per_client(counselor, episode):
    api_login(counselor).get(EPISODES)
    assert AuditEvent.objects.filter(action=AuditAction.LIST, client=episode.client, user=counselor).exists()


@pytest.mark.parametrize("url", [EPISODES, CHECKPOINTS, CARING, PLANS])
def test_list_queries_do_not_grow_with_rows(url, counselor, team):
    api = api_login(counselor)

    def make(n):
        for i in range(n):
            c = ClientFactory(
                primary_team=team, email=f"x{i}-{ClientFactory._meta.model.objects.count()}@example.org"
            )
            assign(c, counselor)
            ep = services.episode_open(
                client=c,
                acting_user=counselor,
                data={"source": "call", "concerns": ["grief"], "risk_level": "low"},
            )
            services.episode_record_disposition(episode=ep, disposition="community", acting_user=counselor)
            services.safety_plan_save(
                client=c, acting_user=counselor, data={"warning_signs": ["x"]}, reason="review"
            )
            services.caring_contacts_start(client=c, acting_user=counselor)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(url).status_code == 200
        return len(ctx.captured_queries)

    make(2)
    count()
    at_2 = count()
    make(8)
    assert count() == at_2
