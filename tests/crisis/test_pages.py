"""Crisis pages: the quick open, the chart tab, the episode, the safety plan, caring contacts, the board."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent
from clients.models import ClientContact
from crisis import services
from crisis.models import CaringContactPlan, CrisisEpisode, FollowUpCheckpoint, SafetyPlanVersion
from outreach.models import MessageStatus, ScheduledMessage
from tests.concurrency import opened
from tests.conftest import login
from tests.factories import ClientFactory, assign


def plan_post(**extra):
    data = {
        "reason": "new_crisis",
        "warning_signs": "Pacing\nNot sleeping",
        "help_name_0": "Sam",
        "help_phone_0": "555-0100",
    }
    data.update({"pro_name_0": "988 Suicide & Crisis Lifeline", "pro_phone_0": "988"})
    data.update(extra)
    return data


def open_post(client, **extra):
    data = {"client": client.pk, "source": "call", "concerns": ["suicidal_ideation"], "risk_level": "high"}
    data["caring_contacts"] = "auto"
    data.update(extra)
    return data


# --- outsider: 404 everywhere ----------------------------------------------------------------------


def test_the_outsider_gets_404_on_every_client_page(outsider, episode, counselor):
    client = episode.client
    plan = services.caring_contacts_start(client=client, acting_user=counselor)
    services.safety_plan_save(
        client=client, acting_user=counselor, data={"warning_signs": ["x"]}, reason="review"
    )
    http = login(outsider)
    pk = client.pk
    gets = [
        reverse("crisis:client-tab", args=[pk]),
        reverse("crisis:episode-detail", args=[pk, episode.pk]),
        reverse("crisis:safety-plan-edit", args=[pk]),
        reverse("crisis:safety-plan-versions", args=[pk]),
        reverse("crisis:safety-plan-print", args=[pk]),
        reverse("crisis:caring-contacts-start", args=[pk]),
        reverse("crisis:open") + f"?client={pk}",
    ]
    for url in gets:
        assert http.get(url).status_code == 404, url
    posts = [
        reverse("crisis:episode-disposition", args=[pk, episode.pk]),
        reverse("crisis:episode-close", args=[pk, episode.pk]),
        reverse("crisis:episode-caring-contacts", args=[pk, episode.pk]),
        reverse("crisis:safety-plan-send", args=[pk]),
        reverse("crisis:caring-contacts-stop", args=[pk, plan.pk]),
        reverse("crisis:open"),
    ]
    for url in posts:
        assert http.post(url, open_post(client, reason="x", disposition="ed")).status_code == 404, url
    plan.refresh_from_db()
    assert plan.is_running
    assert CrisisEpisode.objects.count() == 1


def test_the_outsider_sees_no_one_in_the_picker(outsider, alice):
    response = login(outsider).get(reverse("crisis:open"), {"q": "Rivera"})
    assert "CT-0000001" not in response.content.decode()
    assert "No one matches" in response.content.decode()


# --- quick open -------------------------------------------------------------------------------------


def test_the_header_shows_the_crisis_button_to_those_who_may_open_episodes(counselor, peer, alice):
    assert 'href="/crisis/open/"' in login(counselor).get(reverse("clients:list")).content.decode()
    assert 'href="/crisis/open/"' not in login(peer).get(reverse("clients:list")).content.decode()


def test_a_counselor_opens_an_episode_in_one_screen_and_caring_contacts_start_for_high_risk(
    counselor, reachable_alice
):
    http = login(counselor)
    page = http.get(reverse("crisis:open"), {"q": "Rivera"})
    assert "Ali Rivera" in page.content.decode()
    response = http.post(reverse("crisis:open"), open_post(reachable_alice, immediate_actions=["gave_988"]))
    episode = CrisisEpisode.objects.get(client=reachable_alice)
    assert response.status_code == 302
    assert response["Location"] == reverse("crisis:episode-detail", args=[reachable_alice.pk, episode.pk])
    assert episode.immediate_actions == ["gave_988"]
    assert CaringContactPlan.objects.filter(client=reachable_alice, episode=episode).exists()
    detail = http.get(response["Location"]).content.decode()
    assert "Suicidal ideation" in detail and "High" in detail


def test_low_risk_leaves_caring_contacts_off_unless_asked(counselor, reachable_alice):
    login(counselor).post(reverse("crisis:open"), open_post(reachable_alice, risk_level="low"))
    assert not CaringContactPlan.objects.exists()


def test_bad_input_shows_errors_and_keeps_what_was_typed(counselor, alice):
    response = login(counselor).post(
        reverse("crisis:open"), open_post(alice, concerns=[], summary="Called from work")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please correct the highlighted fields" in body
    assert "Called from work" in body
    assert not CrisisEpisode.objects.exists()


def test_a_crisis_worker_finds_and_opens_an_unassigned_client(crisis_worker, team):
    walk_in = ClientFactory(legal_first_name="Jordan", legal_last_name="Quill", primary_team=team)
    http = login(crisis_worker)
    assert "Quill" in http.get(reverse("crisis:open"), {"q": "Quill"}).content.decode()
    response = http.post(reverse("crisis:open"), open_post(walk_in, risk_level="low"))
    assert response.status_code == 302
    assert http.get(response["Location"]).status_code == 200


def test_a_crisis_worker_cannot_take_an_assigned_client_they_do_not_see(crisis_worker, alice):
    assert login(crisis_worker).post(reverse("crisis:open"), open_post(alice)).status_code == 404


# --- episode ----------------------------------------------------------------------------------------


def test_recording_a_disposition_shows_the_checkpoints_and_closing_needs_it(counselor, episode):
    http = login(counselor)
    url = reverse("crisis:episode-detail", args=[episode.client_id, episode.pk])
    http.post(reverse("crisis:episode-close", args=[episode.client_id, episode.pk]))
    episode.refresh_from_db()
    assert episode.is_open
    response = http.post(
        reverse("crisis:episode-disposition", args=[episode.client_id, episode.pk]),
        {"disposition": "inpatient"},
    )
    assert response.status_code == 302
    body = http.get(url).content.decode()
    assert "Contact within 24 hours" in body and "HEDIS FUH" in body and "Due" in body
    ClientContact.objects.create(
        client=episode.client, staff=counselor, mode="phone", contacted_at=timezone.now()
    )
    assert "Contact (phone call)" in http.get(url).content.decode()
    http.post(reverse("crisis:episode-close", args=[episode.client_id, episode.pk]))
    episode.refresh_from_db()
    assert not episode.is_open


def test_opening_the_disposition_address_leads_to_the_episode_page(counselor, outsider, episode):
    """GIVEN an episode WHEN the disposition address is opened with GET (a reload after a refused save)
    THEN the episode page, where the form is. It was a 500: the page rendered without its context,
    so ``{% timezone user_tz %}`` got an empty zone key."""
    url = reverse("crisis:episode-disposition", args=[episode.client_id, episode.pk])

    response = login(counselor).get(url)

    assert response.status_code == 302
    assert response.url == reverse("crisis:episode-detail", args=[episode.client_id, episode.pk])
    assert login(outsider).get(url).status_code == 404


def test_the_episode_page_reads_times_in_the_site_zone_for_a_user_without_one(counselor, episode):
    type(counselor).objects.filter(pk=counselor.pk).update(time_zone="")
    counselor.refresh_from_db()

    response = login(counselor).get(reverse("crisis:episode-detail", args=[episode.client_id, episode.pk]))

    assert response.status_code == 200


def test_a_disposition_without_a_choice_is_a_form_error(counselor, episode):
    response = login(counselor).post(
        reverse("crisis:episode-disposition", args=[episode.client_id, episode.pk]), {"disposition": ""}
    )
    assert response.status_code == 400
    assert not FollowUpCheckpoint.objects.exists()


def test_the_episode_page_is_audited(counselor, episode):
    login(counselor).get(reverse("crisis:episode-detail", args=[episode.client_id, episode.pk]))
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="crisis.crisisepisode", object_id=str(episode.pk), user=counselor
    ).exists()


def test_the_chart_shows_an_alert_for_an_open_high_risk_episode(counselor, episode):
    body = login(counselor).get(reverse("clients:detail", args=[episode.client_id])).content.decode()
    assert "Open crisis episode" in body and "alert-danger" in body


# --- safety plan ------------------------------------------------------------------------------------


def test_the_plan_form_is_prefilled_with_988_and_each_save_is_a_version(counselor, alice):
    http = login(counselor)
    url = reverse("crisis:safety-plan-edit", args=[alice.pk])
    first = http.get(url)
    assert 'value="988"' in first.content.decode()
    assert http.post(url, {**plan_post(), **opened(first)}).status_code == 302
    second = http.get(url)
    assert "Pacing\nNot sleeping" in second.content.decode()  # pre-filled from the current version
    http.post(url, {**plan_post(reason="review", warning_signs="Pacing"), **opened(second)})
    assert list(SafetyPlanVersion.objects.filter(client=alice).values_list("version", flat=True)) == [2, 1]
    versions = http.get(reverse("crisis:safety-plan-versions", args=[alice.pk]), {"v": 1}).content.decode()
    assert "Not sleeping" in versions and "v2" in versions


def test_an_empty_plan_is_refused_on_the_page(counselor, alice):
    response = login(counselor).post(
        reverse("crisis:safety-plan-edit", args=[alice.pk]), {"reason": "review"}
    )
    assert response.status_code == 400
    assert "Write at least one section" in response.content.decode()


def test_a_plan_line_over_the_limit_is_a_form_error_not_cut_short(counselor, alice):
    url = reverse("crisis:safety-plan-edit", args=[alice.pk])
    http = login(counselor)
    assert 'maxlength="15050"' in http.get(url).content.decode()

    response = http.post(url, plan_post(warning_signs="Pacing\n" + "x" * 301))

    assert response.status_code == 400
    assert "Line 2 is longer than 300 characters." in response.content.decode()
    assert not SafetyPlanVersion.objects.exists()


def test_printing_the_plan_is_audited_as_an_export(counselor, alice):
    services.safety_plan_save(
        client=alice, acting_user=counselor, data={"warning_signs": ["Pacing"]}, reason="review"
    )
    body = login(counselor).get(reverse("crisis:safety-plan-print", args=[alice.pk])).content.decode()
    assert "My safety plan" in body and "Pacing" in body and "988" in body
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, client=alice, user=counselor).exists()


def test_the_peer_sees_the_safety_plan_but_no_episodes(peer, episode, counselor):
    client = episode.client
    services.safety_plan_save(
        client=client, acting_user=counselor, data={"reasons_for_living": ["My dog"]}, reason="review"
    )
    http = login(peer)
    body = http.get(reverse("crisis:client-tab", args=[client.pk])).content.decode()
    assert "My dog" in body
    assert "Crisis episodes" not in body and "Suicidal" not in body
    assert http.get(reverse("crisis:episode-detail", args=[client.pk, episode.pk])).status_code == 404
    assert http.get(reverse("crisis:safety-plan-edit", args=[client.pk])).status_code == 403


def test_sending_the_plan_gives_the_client_a_link_that_works_until_it_expires(
    counselor, reachable_alice, client
):
    services.safety_plan_save(
        client=reachable_alice, acting_user=counselor, data={"warning_signs": ["Pacing"]}, reason="review"
    )
    response = login(counselor).post(
        reverse("crisis:safety-plan-send", args=[reachable_alice.pk]), {"channel": "email"}
    )
    assert response.status_code == 302
    message = ScheduledMessage.objects.get(template_key="safety-plan-link")
    assert message.channel == "email"
    path = message.context["url"].split("127.0.0.1:8000", 1)[-1]
    public = client.get(path)  # no login
    body = public.content.decode()
    assert public.status_code == 200 and "Pacing" in body and "Rivera" not in body
    viewed = AuditEvent.objects.filter(action=AuditAction.VIEW, client=reachable_alice, user=None)
    assert viewed.filter(detail__via="client safety-plan link").exists()
    tampered = client.get(path.rstrip("/") + "x/")
    assert tampered.status_code == 404 and "no longer works" in tampered.content.decode()


# --- caring contacts --------------------------------------------------------------------------------


def test_the_tab_lists_every_caring_message_with_its_state_and_stop_cancels_them(counselor, reachable_alice):
    http = login(counselor)
    response = http.post(
        reverse("crisis:caring-contacts-start", args=[reachable_alice.pk]),
        {
            "protocol": services.default_protocol().pk,
            "channel": "sms",
            "signer": counselor.pk,
            "start_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    plan = CaringContactPlan.objects.get(client=reachable_alice)
    first = ScheduledMessage.objects.filter(source_id=str(plan.pk)).order_by("due_at").first()
    ScheduledMessage.objects.filter(pk=first.pk).update(status=MessageStatus.SENT, sent_at=timezone.now())
    body = http.get(reverse("crisis:client-tab", args=[reachable_alice.pk])).content.decode()
    assert body.count("caring-contact-") == 10 and "Sent" in body and "Pending" in body
    http.post(
        reverse("crisis:caring-contacts-stop", args=[reachable_alice.pk, plan.pk]), {"reason": "Moved away"}
    )
    plan.refresh_from_db()
    assert plan.stop_reason == "Moved away"
    assert (
        ScheduledMessage.objects.filter(source_id=str(plan.pk), status=MessageStatus.CANCELLED).count() == 9
    )


def test_starting_without_an_address_shows_the_problem(counselor, alice):
    alice.email = ""
    alice.save(update_fields=["email"])
    response = login(counselor).post(
        reverse("crisis:caring-contacts-start", args=[alice.pk]),
        {
            "protocol": services.default_protocol().pk,
            "channel": "email",
            "signer": counselor.pk,
            "start_date": "2024-01-01",
        },
    )
    assert response.status_code == 400
    assert not CaringContactPlan.objects.exists()


# --- tab and board: query counts ---------------------------------------------------------------------


def _episodes(n, team, counselor, supervisor):
    for i in range(n):
        c = ClientFactory(primary_team=team, email=f"c{i}@example.org")
        assign(c, counselor)
        ep = services.episode_open(
            client=c,
            acting_user=counselor,
            data={"source": "call", "concerns": ["grief"], "risk_level": "moderate"},
        )
        services.episode_record_disposition(episode=ep, disposition="ed", acting_user=counselor)
        plan = services.caring_contacts_start(client=c, acting_user=counselor)
        ScheduledMessage.objects.filter(source_id=str(plan.pk)).update(status=MessageStatus.FAILED)


def _count(http, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_board_costs_the_same_queries_at_2_and_20_clients(team, counselor, supervisor):
    http = login(supervisor)
    url = reverse("crisis:board")
    _episodes(2, team, counselor, supervisor)
    http.get(url)  # warm caches (session, permissions)
    at_2 = _count(http, url)
    _episodes(18, team, counselor, supervisor)
    at_20 = _count(http, url)
    assert at_2 == at_20
    body = http.get(url).content.decode()
    assert "Contact within 24 hours" in body and "Caring contact" in body
    assert body.count("/crisis/clients/") >= 20


def test_the_board_shows_only_the_users_clients(other_supervisor, team, counselor, supervisor):
    _episodes(1, team, counselor, supervisor)
    body = login(other_supervisor).get(reverse("crisis:board")).content.decode()
    assert "No open episodes." in body


def test_the_board_is_refused_to_peers(peer):
    assert login(peer).get(reverse("crisis:board")).status_code == 403


def test_the_tab_costs_the_same_queries_whatever_the_history(counselor, reachable_alice):
    http = login(counselor)
    url = reverse("crisis:client-tab", args=[reachable_alice.pk])

    def history(n):
        for i in range(n):
            ep = services.episode_open(
                client=reachable_alice,
                acting_user=counselor,
                data={"source": "call", "concerns": ["grief"], "risk_level": "low"},
            )
            services.episode_record_disposition(episode=ep, disposition="inpatient", acting_user=counselor)
            services.episode_close(episode=ep, acting_user=counselor)
            services.safety_plan_save(
                client=reachable_alice,
                acting_user=counselor,
                data={"warning_signs": [f"s{i}"]},
                reason="review",
            )
            plan = services.caring_contacts_start(client=reachable_alice, acting_user=counselor)
            services.caring_contacts_stop(plan=plan, acting_user=counselor, reason="next")

    history(2)
    http.get(url)
    at_2 = _count(http, url)
    history(10)
    assert _count(http, url) == at_2
    assert "All versions (12)" in http.get(url).content.decode()


def test_the_episode_and_the_plan_versions_cost_the_same_queries_however_long_the_history(
    counselor, reachable_alice
):
    http = login(counselor)
    episode = services.episode_open(
        client=reachable_alice,
        acting_user=counselor,
        data={"source": "call", "concerns": ["grief"], "risk_level": "moderate"},
    )
    services.episode_record_disposition(episode=episode, disposition="inpatient", acting_user=counselor)
    urls = [
        reverse("crisis:episode-detail", args=[reachable_alice.pk, episode.pk]),
        reverse("crisis:safety-plan-versions", args=[reachable_alice.pk]),
    ]

    def versions(n, start):
        for i in range(start, start + n):
            services.safety_plan_save(
                client=reachable_alice,
                acting_user=counselor,
                data={"warning_signs": [f"s{i}"]},
                reason="review",
            )

    versions(2, 0)
    for url in urls:
        http.get(url)
    before = [_count(http, url) for url in urls]
    versions(8, 2)
    assert [_count(http, url) for url in urls] == before
