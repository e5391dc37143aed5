"""The partner's page: no answer is preselected for them, and a closing answer gets one true message."""

import re

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from referrals import services
from referrals.models import ReferralStatus
from referrals.partner import partner_path

S = ReferralStatus


@pytest.fixture
def sent(draft, cm):
    services.referral_send(referral=draft, acting_user=cm)
    draft.refresh_from_db()
    return draft


def selected_options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', select)


def test_the_decline_reason_starts_unchosen(sent):
    page = HttpClient().get(partner_path(sent)).content.decode()
    assert selected_options(page, "decline-reason") in ([], [""])
    assert "Choose…" in page


def test_declining_without_a_reason_is_refused_and_nothing_changes(sent):
    response = HttpClient().post(partner_path(sent), {"action": "decline", "decline-note": "full"})
    assert response.status_code == 400
    assert "Choose why you are declining." in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == S.REQUESTED


def test_attended_says_the_answer_was_recorded_and_not_that_nothing_changed(sent):
    """GIVEN an accepted referral with an appointment today
    WHEN the partner answers "Attended" (which closes the loop) and follows the redirect
    THEN the page thanks them for the answer and does not also say "Nothing was changed"."""
    http = HttpClient()
    path = partner_path(sent)
    http.post(path, {"action": "accept"})
    services.referral_schedule(
        referral=sent, appointment_at=timezone.now().replace(microsecond=0), acting_user=None, partner=True
    )
    response = http.post(path, {"action": "attended"}, follow=True)
    body = response.content.decode()
    sent.refresh_from_db()
    assert sent.status == S.COMPLETED
    assert "your answer was recorded" in body
    assert "Nothing was changed" not in body
    assert "This link does not work" not in body


def test_a_late_answer_on_a_closed_referral_still_says_nothing_changed(sent):
    http = HttpClient()
    path = partner_path(sent)
    http.post(path, {"action": "decline", "decline-reason": "no_capacity"})
    response = http.post(path, {"action": "note", "note-note": "late"})
    assert response.status_code == 410
    assert "Nothing was changed" in response.content.decode()
