"""The referral pages offer exactly the moves ``referrals.states`` lists, for the side that may make them."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from referrals import selectors, services, states
from referrals.models import Referral, ReferralStatus
from referrals.partner import partner_path
from tests.conftest import login

S = ReferralStatus


@pytest.mark.parametrize("status", sorted(states.OPEN))
def test_the_partner_is_offered_accept_decline_and_attendance_as_the_table_allows(draft, cm, status):
    """GIVEN a sent referral in an open ``status`` WHEN the partner opens its link THEN Accept and
    Decline show exactly when the receiver may move it to accepted / rejected, and the attendance form
    exactly when ``selectors.attendance_reportable`` (the service's rule) says so."""
    services.referral_send(referral=draft, acting_user=cm)
    Referral.objects.filter(pk=draft.pk).update(status=status)
    draft.refresh_from_db()
    receiver = {m.to for m in states.moves_from(status, side=states.RECEIVER)}

    body = HttpClient().get(partner_path(draft)).content.decode()

    assert ('value="accept"' in body) is (S.ACCEPTED in receiver)
    assert ('value="decline"' in body) is (S.REJECTED in receiver)
    assert ('value="attended"' in body) is selectors.attendance_reportable(draft)


@pytest.mark.parametrize("status", S.values)
def test_the_send_step_shows_exactly_while_the_referral_may_be_requested(draft, cm, status):
    Referral.objects.filter(pk=draft.pk).update(status=status)

    body = login(cm).get(reverse("referrals:detail", args=[draft.pk])).content.decode()

    assert ("Step 3 of 3" in body) is states.can_move(status, S.REQUESTED)
