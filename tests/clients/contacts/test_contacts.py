"""Logging contacts: the service's rules, the form, the contact log page and who may use them."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent
from clients.contacts import services
from clients.contacts.selectors import contacts_for_client, last_contact_at
from clients.models import ClientContact
from tests.conftest import login
from tests.factories import ClientContactFactory, assign

pytestmark = pytest.mark.django_db


def log_url(client):
    return reverse("clients:contacts:list", args=[client.pk])


def add_url(client):
    return reverse("clients:contacts:create", args=[client.pk])


def data(**changes):
    return {"mode": "phone", "purpose": "check_in", "reached": True, "summary": "Doing okay", **changes}


def test_contact_log_records_and_audits(alice, counselor):
    contact = services.contact_log(client=alice, acting_user=counselor, data=data())
    assert contact.staff == counselor and contact.contacted_at <= timezone.now()
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(contact.pk), client=alice
    ).exists()


def test_contact_log_refuses_the_future_beyond_a_few_minutes(alice, counselor):
    services.contact_log(
        client=alice, acting_user=counselor, data=data(contacted_at=timezone.now() + dt.timedelta(minutes=2))
    )
    with pytest.raises(ValidationError) as exc:
        services.contact_log(
            client=alice,
            acting_user=counselor,
            data=data(contacted_at=timezone.now() + dt.timedelta(hours=1)),
        )
    assert "future" in exc.value.message_dict["contacted_at"][0]
    with pytest.raises(ValidationError):
        services.contact_log(client=alice, acting_user=counselor, data=data(mode="pigeon"))
    assert ClientContact.objects.count() == 1


def test_last_contact_at_counts_reached_contacts(alice, counselor):
    assert last_contact_at(alice) is None
    reached = ClientContactFactory(
        client=alice, staff=counselor, contacted_at=timezone.now() - dt.timedelta(days=3)
    )
    ClientContactFactory(client=alice, staff=counselor, reached=False)
    assert last_contact_at(alice) == reached.contacted_at
    assert last_contact_at(alice, reached_only=False) > reached.contacted_at
    assert list(contacts_for_client(alice))[-1] == reached


def test_the_form_defaults_to_now_in_the_users_time_zone_and_takes_a_purpose(alice, counselor):
    counselor.time_zone = "America/Los_Angeles"
    counselor.save(update_fields=["time_zone"])
    page = login(counselor).get(add_url(alice) + "?purpose=crisis_follow_up&next=/today/")
    initial = page.context["form"].initial
    assert initial["purpose"] == "crisis_follow_up"
    assert initial["contacted_at"].tzinfo.key == "America/Los_Angeles"


def test_logging_from_the_form_reads_the_users_time_zone_and_goes_back_to_next(alice, counselor):
    counselor.time_zone = "America/Los_Angeles"
    counselor.save(update_fields=["time_zone"])
    local = timezone.now().astimezone(zoneinfo.ZoneInfo("America/Los_Angeles")) - dt.timedelta(hours=2)
    response = login(counselor).post(
        add_url(alice),
        {
            "contacted_at": local.strftime("%Y-%m-%dT%H:%M"),
            "mode": "text",
            "purpose": "crisis_follow_up",
            "reached": "on",
            "summary": "Replied, safe, plans to come Thursday",
            "next": "/clients/",
        },
    )
    assert response.status_code == 302 and response.url == "/clients/"
    contact = ClientContact.objects.get(client=alice)
    assert abs(contact.contacted_at - local.replace(second=0, microsecond=0)) < dt.timedelta(seconds=1)
    assert contact.purpose == "crisis_follow_up" and contact.reached


def test_a_future_time_is_shown_on_the_form(alice, counselor):
    later = timezone.localtime(
        timezone.now() + dt.timedelta(days=1), zoneinfo.ZoneInfo(counselor.time_zone or "UTC")
    )
    response = login(counselor).post(
        add_url(alice),
        {"contacted_at": later.strftime("%Y-%m-%dT%H:%M"), "mode": "phone", "purpose": "check_in"},
    )
    assert response.status_code == 400 and "cannot be logged in the future" in response.content.decode()
    assert not ClientContact.objects.exists()


def test_the_log_shows_contacts_newest_first_paged(alice, counselor):
    for i in range(30):
        ClientContactFactory(
            client=alice,
            staff=counselor,
            summary=f"Call number {i}",
            contacted_at=timezone.now() - dt.timedelta(hours=i + 1),
        )
    http = login(counselor)
    html = http.get(log_url(alice)).content.decode()
    assert "Call number 0" in html and "Call number 24" in html and "Call number 25" not in html
    assert html.index("Call number 0<") < html.index("Call number 1<")
    assert "Call number 29" in http.get(log_url(alice), {"page": 2}).content.decode()
    assert (
        AuditEvent.objects.filter(action=AuditAction.VIEW, client=alice, detail__page="contact-log").count()
        == 2
    )


def test_the_appointments_tab_links_to_the_contact_log(alice, counselor):
    html = login(counselor).get(reverse("clients:encounters:tab", args=[alice.pk])).content.decode()
    assert log_url(alice) in html and add_url(alice) in html


@pytest.mark.parametrize("persona", ["counselor", "case_manager", "crisis_worker", "supervisor"])
def test_the_care_team_logs_contacts(request, alice, persona):
    user = request.getfixturevalue(persona)
    if persona in ("case_manager", "crisis_worker"):
        assign(alice, user, "case_manager" if persona == "case_manager" else "crisis")
    http = login(user)
    assert http.get(log_url(alice)).status_code == 200
    assert (
        http.post(add_url(alice), {"contacted_at": "", "mode": "phone", "purpose": "check_in"}).status_code
        == 400
    )


def test_the_outsider_gets_404_and_a_peer_403(alice, outsider, peer):
    for url in (log_url(alice), add_url(alice)):
        assert login(outsider).get(url).status_code == 404
        assert login(peer).get(url).status_code == 403


def _queries(http, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_log_costs_the_same_queries_for_2_or_20_contacts(alice, counselor, supervisor):
    def add(n):
        for _ in range(n):
            ClientContactFactory(client=alice, staff=counselor)
            ClientContactFactory(client=alice, staff=supervisor)

    http = login(counselor)
    add(1)
    few = _queries(http, log_url(alice))
    add(9)
    many = _queries(http, log_url(alice))
    assert few == many
