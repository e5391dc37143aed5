"""Referral admin: read-only pages with the timeline inline; nothing is deleted."""

from django.urls import reverse

from referrals.models import Referral, ReferralEvent
from tests.conftest import login
from tests.factories.referrals import referral_rows


def test_referral_admin_pages_open_and_offer_no_delete(alice, admin_user, supervisor):
    referral = referral_rows(alice, supervisor)
    http = login(admin_user)
    for model, obj in ((Referral, referral), (ReferralEvent, referral.events.get())):
        name = f"admin:referrals_{model._meta.model_name}"
        assert http.get(reverse(f"{name}_changelist")).status_code == 200
        page = http.get(reverse(f"{name}_change", args=[obj.pk]))
        assert page.status_code == 200
        assert http.post(reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert (
        referral.service.name
        in http.get(reverse("admin:referrals_referral_change", args=[referral.pk])).content.decode()
    )
    assert Referral.objects.filter(pk=referral.pk).exists()


def test_the_outsiders_admin_shows_no_referral(alice, supervisor, outsider):
    referral = referral_rows(alice, supervisor)
    outsider.is_staff = True
    outsider.save()
    from django.contrib.auth.models import Permission

    outsider.user_permissions.add(Permission.objects.get(codename="view_referral"))
    response = login(outsider).get(reverse("admin:referrals_referral_change", args=[referral.pk]))
    assert response.status_code == 302  # not in the outsider's queryset: admin redirects "doesn't exist"
