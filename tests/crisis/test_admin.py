"""Crisis admin: protocols are edited (and validated) there; clinical rows are read-only and scoped."""

from django.urls import reverse

from crisis.models import CaringContactProtocol
from tests.conftest import login
from tests.factories.crisis import crisis_rows


def test_an_admin_edits_a_protocol_and_malformed_steps_are_refused(admin_user):
    http = login(admin_user)
    url = reverse("admin:crisis_caringcontactprotocol_add")
    bad = http.post(url, {"name": "Weekly", "steps": '[{"weeks": 1}]', "is_active": "on"})
    assert bad.status_code == 200 and "Step 1 must be" in bad.content.decode()
    ok = http.post(url, {"name": "Weekly", "steps": '[{"days": 7}, {"days": 14}]', "is_active": "on"})
    assert ok.status_code == 302
    assert CaringContactProtocol.objects.get(name="Weekly").steps == [{"days": 7}, {"days": 14}]


def test_episodes_in_admin_are_read_only_and_scoped(alice, counselor, outsider, admin_user):
    episode = crisis_rows(alice, counselor)
    outsider.is_staff = True
    outsider.save(update_fields=["is_staff"])
    change = reverse("admin:crisis_crisisepisode_change", args=[episode.pk])
    assert login(admin_user).post(change, {"risk_level": "low"}).status_code == 403
    episode.refresh_from_db()
    assert episode.risk_level == "moderate"
    assert login(outsider).get(change).status_code in (302, 403, 404)
