"""Referral pages: the worklist, the chart tab, the create flow, the referral page; who sees what."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditEvent
from clients.models import Disclosure
from referrals import services
from referrals.models import Referral, ReferralStatus
from referrals.partner import partner_path
from tests.conftest import login
from tests.factories import ClientFactory, assign
from tests.factories.referrals import ReferralFactory, sent_referral

S = ReferralStatus


def test_the_outsider_gets_404_on_every_referral_page(draft, outsider):
    http = login(outsider)
    for url in (
        reverse("referrals:detail", args=[draft.pk]),
        reverse("referrals:update", args=[draft.pk]),
        reverse("referrals:client-tab", args=[draft.client_id]),
        reverse("referrals:create", args=[draft.client_id]),
    ):
        assert http.get(url).status_code == 404, url
    assert http.post(reverse("referrals:detail", args=[draft.pk]), {"action": "send"}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_the_peer_sees_no_referrals(draft, peer):
    http = login(peer)
    assert http.get(reverse("referrals:client-tab", args=[draft.client_id])).status_code == 403
    assert http.get(reverse("referrals:detail", args=[draft.pk])).status_code == 404
    assert http.get(reverse("referrals:worklist")).status_code == 403


def test_the_chart_tab_lists_needs_and_referrals(draft, cm):
    response = login(cm).get(reverse("referrals:client-tab", args=[draft.client_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Needs &amp; referrals" in body
    assert "Runs out of groceries" in body
    assert "Eastside Food Pantry" in body
    assert f"?need={draft.need_id}" in body
    # The need's own links lead to the record's need forms and back to this tab.
    http = login(cm)
    tab = reverse("referrals:client-tab", args=[draft.client_id])
    for name in ("clients:needs:update", "clients:needs:status"):
        link = reverse(name, args=[draft.client_id, draft.need_id]) + "?" + urlencode({"next": tab})
        assert link.replace("&", "&amp;") in body or link in body, name
        assert http.get(link).status_code == 200, name


def test_the_create_flow_searches_chooses_and_saves_a_draft(alice, cm, need, pantry):
    http = login(cm)
    url = reverse("referrals:create", args=[alice.pk])
    search = http.get(url, {"need": need.pk})
    assert search.status_code == 200
    assert "Eastside Food Pantry" in search.content.decode()
    assert f"need={need.pk}&amp;service={pantry.pk}" in search.content.decode()
    form = http.get(url, {"need": need.pk, "service": pantry.pk})
    assert "Information shared with the partner" in form.content.decode()
    response = http.post(
        f"{url}?need={need.pk}&service={pantry.pk}",
        {"reason": "Groceries", "urgency": "routine", "shared_categories": ["demographics", "sud"]},
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "referrals:detail", args=[referral.pk]
    )
    assert (referral.need, referral.service, referral.status) == (need, pantry, S.DRAFT)
    # The review page explains the missing consent and links to record one; sending is refused.
    page = http.get(response["Location"]).content.decode()
    assert "There is no Part 2 consent naming Eastside Community Center" in page
    assert f"organization={pantry.organization_id}" in page and "kind=part2" in page
    refused = http.post(response["Location"], {"action": "send"})
    assert refused.status_code == 400
    assert "There is no Part 2 consent" in refused.content.decode()
    referral.refresh_from_db()
    assert referral.status == S.DRAFT and not Disclosure.objects.exists()


def test_a_bad_create_keeps_what_was_typed(alice, cm, need, pantry):
    url = reverse("referrals:create", args=[alice.pk])
    response = login(cm).post(
        f"{url}?need={need.pk}&service={pantry.pk}", {"reason": "", "shared_summary": "keep me"}
    )
    assert response.status_code == 400
    assert "keep me" in response.content.decode()
    assert not Referral.objects.exists()


def test_sending_from_the_page_and_the_timeline(draft, cm):
    http = login(cm)
    url = reverse("referrals:detail", args=[draft.pk])
    assert http.post(url, {"action": "send"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.REQUESTED
    page = http.get(url).content.decode()
    assert "Draft → Requested" in page
    assert "/referrals/partner/" in page  # the copyable link
    assert AuditEvent.objects.filter(
        action="view", object_type="referrals.referral", object_id=str(draft.pk)
    ).exists()


def test_an_illegal_move_is_refused_on_the_page(draft, cm):
    url = reverse("referrals:detail", args=[draft.pk])
    response = login(cm).post(
        url, {"action": "transition", "to": "completed", "m-completed-outcome": "connected"}
    )
    assert response.status_code == 400
    assert "A referral that is draft cannot become completed." in response.content.decode()


def test_staff_close_the_loop_with_an_outcome(draft, cm, need):
    draft.status = S.ACCEPTED
    draft.save()
    url = reverse("referrals:detail", args=[draft.pk])
    response = login(cm).post(
        url,
        {
            "action": "transition",
            "to": "failed",
            "m-failed-outcome": "no_contact",
            "m-failed-note": "3 calls",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.outcome) == (S.FAILED, "no_contact")
    need.refresh_from_db()
    assert need.status == "unmet_closed"


def _referrals(n, cm, team):
    for _ in range(n):
        client = ClientFactory(primary_team=team)
        assign(client, cm, "case_manager")
        sent_referral(client=client, referred_by=cm, appointment_at=timezone.now() + dt.timedelta(days=2))


@pytest.mark.parametrize("bucket", ["open", "soon", "awaiting"])
def test_the_worklist_query_count_stays_flat(bucket, case_manager, team):
    http = login(case_manager)
    url = reverse("referrals:worklist") + f"?bucket={bucket}&scope=team"
    _referrals(2, case_manager, team)
    http.get(url)  # warm the content-type and permission caches
    with CaptureQueriesContext(connection) as two:
        response = http.get(url)
    assert response.status_code == 200
    _referrals(18, case_manager, team)
    with CaptureQueriesContext(connection) as twenty:
        response = http.get(url)
    assert response.content.decode().count('href="/referrals/') >= 20
    assert len(twenty) == len(two)
    assert (
        AuditEvent.objects.filter(action="list", detail__page="referral-worklist").count() == 22 + 2
    )  # the warm-up call listed the first two


def test_the_worklist_buckets_and_filters(cm, alice, need, pantry):
    now = timezone.now()
    sent_referral(
        client=alice, need=need, service=pantry, referred_by=cm, flagged_at=now, flag_reason="No response"
    )
    ReferralFactory(client=alice, need=need, service=pantry, referred_by=cm, reason="Draft one")
    http = login(cm)
    overdue = http.get(reverse("referrals:worklist") + "?bucket=overdue").content.decode()
    assert "No response" in overdue
    drafts = http.get(reverse("referrals:worklist") + "?bucket=drafts&status=draft").content.decode()
    assert "Eastside Food Pantry" in drafts and "No response" not in drafts


def test_staff_enter_and_read_the_partner_appointment_in_their_own_time_zone(draft, cm):
    services.referral_send(referral=draft, acting_user=cm)
    cm.time_zone = "America/Chicago"
    cm.save(update_fields=["time_zone"])
    http = login(cm)
    url = reverse("referrals:detail", args=[draft.pk])

    response = http.post(url, {"action": "schedule", "appointment_at": "2031-01-14T14:15"})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.appointment_at == dt.datetime(2031, 1, 14, 20, 15, tzinfo=dt.UTC)  # CST is UTC-6
    assert "2:15" in http.get(url).content.decode()


def _count_queries(http, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_referral_page_and_the_partner_page_cost_the_same_queries_however_long_the_history(draft, cm):
    services.referral_send(referral=draft, acting_user=cm)
    staff, partner = login(cm), HttpClient()
    detail = reverse("referrals:detail", args=[draft.pk])
    partner_url = partner_path(draft)
    services.referral_add_note(referral=draft, acting_user=cm, note="Called the pantry.")
    staff.get(detail), partner.get(partner_url)  # warm caches (session, content types)
    before = _count_queries(staff, detail), _count_queries(partner, partner_url)

    for i in range(8):
        services.referral_add_note(referral=draft, acting_user=cm, note=f"Follow-up {i}.")
        services.referral_add_note(referral=draft, acting_user=None, partner=True, note=f"Partner note {i}.")

    assert (_count_queries(staff, detail), _count_queries(partner, partner_url)) == before
