"""No lost updates on a draft referral: two people edit it before it is sent."""

from __future__ import annotations

import pytest
from django.urls import reverse

from referrals.models import Referral
from tests.concurrency import form_as_sent, opened
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_a_stale_save_of_a_draft_referral_is_refused(draft, cm, counselor):
    url = reverse("referrals:update", args=[draft.pk])
    dana, casey = login(cm), login(counselor)
    danas_page = dana.get(url)
    assert (
        casey.post(url, form_as_sent(casey.get(url), reason="Food for the week, two kids")).status_code == 302
    )

    danas = form_as_sent(danas_page, urgency="urgent")
    refused = dana.post(url, danas)

    assert refused.status_code == 400
    stored = Referral.objects.get(pk=draft.pk)
    assert stored.reason == "Food for the week, two kids" and stored.urgency != "urgent"
    assert [c.name for c in refused.context["form"].concurrency_conflict] == ["reason"]

    again = dana.post(url, {**danas, "reason": "Food for the week, two kids", **opened(refused)})
    assert again.status_code == 302
    assert Referral.objects.get(pk=draft.pk).urgency == "urgent"
