"""Admin for needs, consents, disclosures and contacts: writes go through the services; scoped; no deletes."""

import pytest
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent
from clients.models import ClientContact, Consent, Disclosure, Need
from tests.conftest import login
from tests.factories import ClientContactFactory, ConsentFactory, DisclosureFactory, NeedFactory

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"admin:clients_{model._meta.model_name}_{view}", args=args)


def test_adding_a_need_in_admin_goes_through_the_service(alice, admin_user):
    response = login(admin_user).post(
        url(Need, "add"), {"client": alice.pk, "category": "food", "description": " ", "urgency": "routine"}
    )
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not Need.objects.exists()
    response = login(admin_user).post(
        url(Need, "add"),
        {"client": alice.pk, "category": "food", "description": "Pantry", "urgency": "routine"},
    )
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.identified_by == admin_user
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(need.pk)).exists()


def test_closing_a_need_in_admin_sets_its_status(alice, admin_user):
    need = NeedFactory(client=alice)
    data = {
        "category": "food",
        "description": need.description,
        "urgency": "routine",
        "status": "met",
        "closed_note": "Done",
    }
    assert login(admin_user).post(url(Need, "change", need.pk), data).status_code == 302
    need.refresh_from_db()
    assert need.status == "met" and need.status_changed_at is not None


def test_revoking_a_consent_in_admin_uses_the_service_and_nothing_is_deleted(alice, admin_user):
    consent = ConsentFactory(client=alice)
    http = login(admin_user)
    today = timezone.localdate().isoformat()
    refused = http.post(url(Consent, "change", consent.pk), {"revoked_on": today, "revoked_reason": ""})
    assert refused.status_code == 200 and "Say why" in refused.content.decode()
    assert (
        http.post(
            url(Consent, "change", consent.pk), {"revoked_on": today, "revoked_reason": "Asked"}
        ).status_code
        == 302
    )
    consent.refresh_from_db()
    assert consent.revoked_reason == "Asked"
    assert http.get(url(Consent, "delete", consent.pk)).status_code == 403
    d = DisclosureFactory(client=alice)
    assert http.get(url(Disclosure, "change", d.pk)).status_code == 200
    assert http.post(url(Disclosure, "change", d.pk), {"purpose": "changed"}).status_code == 403


def test_the_admin_lists_only_visible_clients_and_audits(alice, outsider, supervisor):
    ClientContactFactory(client=alice)
    ConsentFactory(client=alice)
    outsider.is_staff = supervisor.is_staff = True
    outsider.save()
    supervisor.save()
    from django.contrib.auth.models import Permission

    perms = Permission.objects.filter(codename__in=["view_clientcontact", "view_consent"])
    outsider.user_permissions.add(*perms)
    assert list(login(outsider).get(url(ClientContact, "changelist")).context["cl"].result_list) == []
    shown = login(supervisor).get(url(ClientContact, "changelist")).context["cl"].result_list
    assert len(shown) == 1
    assert AuditEvent.objects.filter(action=AuditAction.LIST, client=alice, user=supervisor).exists()
