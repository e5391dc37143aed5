"""The partner's signed link: valid, tampered, expired, withdrawn, after close — and audited."""

import datetime as dt

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from careteam.models import AuditEvent
from referrals import services
from referrals.models import ReferralStatus
from referrals.partner import partner_path
from tests.factories.referrals import Part2ConsentFactory

S = ReferralStatus


@pytest.fixture
def sent(draft, cm):
    services.referral_send(referral=draft, acting_user=cm)
    draft.refresh_from_db()
    return draft


def test_the_partner_sees_only_what_is_shared_and_the_view_is_audited(sent):
    response = HttpClient().get(partner_path(sent))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Needs food support this month." in body
    assert sent.client.display_name in body  # demographics are shared
    assert "42 CFR part 2" not in body
    row = AuditEvent.objects.filter(action="view", user=None, client=sent.client).get()
    assert row.detail == {"partner": sent.organization.name, "referral": sent.pk}


def test_without_demographics_the_name_is_not_shown(sent):
    sent.shared_categories = []
    sent.save()
    body = HttpClient().get(partner_path(sent)).content.decode()
    assert sent.client.display_name not in body
    assert "Not shared" in body


def test_sud_carries_the_part2_redisclosure_notice(draft, cm, alice):
    Part2ConsentFactory(client=alice, recipient_organization=draft.organization)
    draft.shared_categories = ["demographics", "sud"]
    draft.save()
    services.referral_send(referral=draft, acting_user=cm)
    body = HttpClient().get(partner_path(draft)).content.decode()
    assert "42 CFR part 2" in body
    assert "prohibit you from making any other use or disclosure of this record" in body


def test_the_partner_accepts_schedules_and_reports_attendance(sent, need):
    http = HttpClient()
    path = partner_path(sent)
    assert http.post(path, {"action": "accept"}).status_code == 302
    when = (timezone.localtime() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    response = http.post(
        path, {"action": "schedule", "schedule-appointment_at": when.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert (sent.status, sent.appointment_at) == (S.ACCEPTED, when)
    assert http.post(path, {"action": "attended"}).status_code == 302
    sent.refresh_from_db()
    assert (sent.status, sent.outcome) == (S.COMPLETED, "connected")
    assert set(sent.events.filter(actor_kind="partner").values_list("kind", flat=True)) >= {
        "status",
        "scheduled",
        "attendance",
        "outcome",
    }
    need.refresh_from_db()
    assert need.status == "met"
    # The loop is closed: the link stops working, with a clear page, and nothing changes.
    response = http.post(path, {"action": "note", "note-note": "late note"})
    assert response.status_code == 410
    assert "This referral is closed" in response.content.decode()
    assert not sent.events.filter(kind="note").exists()


def test_the_partner_declines_with_a_reason(sent):
    http = HttpClient()
    response = http.post(partner_path(sent), {"action": "decline", "decline-reason": "no_capacity"})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert (sent.status, sent.outcome) == (S.REJECTED, "no_capacity")


def test_declining_for_other_needs_words_and_nothing_changes(sent):
    response = HttpClient().post(partner_path(sent), {"action": "decline", "decline-reason": "other"})
    assert response.status_code == 400
    sent.refresh_from_db()
    assert sent.status == S.REQUESTED


def test_a_tampered_token_gets_a_clear_page_and_changes_nothing(sent):
    path = partner_path(sent)
    tampered = path[:-3] + ("aaa" if not path.endswith("aaa/") else "bbb") + "/"
    http = HttpClient()
    assert http.get(tampered).status_code == 400
    response = http.post(tampered, {"action": "accept"})
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == S.REQUESTED


def test_an_expired_token_gets_a_clear_page_and_changes_nothing(sent):
    path = partner_path(sent)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        response = HttpClient().post(path, {"action": "accept"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == S.REQUESTED


def test_a_withdrawn_link_stops_working_and_a_new_one_works(sent, cm):
    old = partner_path(sent)
    services.referral_link_revoke(referral=sent, acting_user=cm)
    assert HttpClient().get(old).status_code == 410
    services.referral_link_resend(referral=sent, acting_user=cm)
    sent.refresh_from_db()
    assert HttpClient().get(old).status_code == 410
    assert HttpClient().get(partner_path(sent)).status_code == 200


def test_the_partner_enters_and_reads_the_appointment_in_the_clients_time_zone(sent):
    sent.client.time_zone = "America/Los_Angeles"
    sent.client.save(update_fields=["time_zone"])
    http = HttpClient()
    path = partner_path(sent)
    http.post(path, {"action": "accept"})

    response = http.post(path, {"action": "schedule", "schedule-appointment_at": "2031-06-10T09:30"})

    assert response.status_code == 302
    sent.refresh_from_db()
    # 9:30 in Los Angeles (PDT, UTC-7), not in the site's New York.
    assert sent.appointment_at == dt.datetime(2031, 6, 10, 16, 30, tzinfo=dt.UTC)
    body = http.get(path).content.decode()
    assert "Tuesday, Jun 10, 2031 9:30 AM" in body
    assert "America/Los Angeles time" in body
