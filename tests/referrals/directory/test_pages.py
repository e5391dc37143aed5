"""The directory search page, the service page and updating capacity."""

import datetime as dt

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent
from referrals.directory.selectors import service_search
from tests.conftest import login
from tests.factories.directory import ScheduleFactory, ServiceFactory, service_with_everything

DASH = "\N{EN DASH}"

pytestmark = pytest.mark.django_db

SEARCH = reverse("referrals:directory")


def detail(service) -> str:
    return reverse("referrals:directory-service", args=[service.pk])


def test_anonymous_people_are_sent_to_log_in():
    response = login.__globals__["HttpClient"]().get(SEARCH)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["counselor", "case_manager", "peer", "crisis_worker", "supervisor"])
def test_every_staff_role_can_search(persona, request):
    service_with_everything(name="Weekly groceries")
    response = login(request.getfixturevalue(persona)).get(SEARCH)
    assert response.status_code == 200
    assert "Weekly groceries" in response.content.decode()


def test_a_user_without_a_role_is_refused(db):
    from tests.factories import UserFactory

    assert login(UserFactory(username="norole")).get(SEARCH).status_code == 403


@time_machine.travel(dt.datetime(2025, 3, 10, 14, 0, tzinfo=dt.UTC), tick=False)  # Monday 10:00 in New York
def test_results_show_capacity_hours_languages_phone_and_address(counselor):
    service = service_with_everything(
        name="Weekly groceries",
        fees_description="Free",
        eligibility_description="County residents",
        accepts_electronic_referrals=True,
        capacity="waitlist",
        capacity_updated_at=timezone.now() - dt.timedelta(days=3),
    )
    page = login(counselor).get(SEARCH, {"category": "food"}).content.decode()
    assert service.organization.name in page
    assert "Waitlist" in page and "updated 3\xa0days ago" in page
    assert "Accepts e-referrals" in page
    assert "Mon-Fri 9:00-17:00".replace("-", DASH) in page and "Open now" in page
    assert "Spanish" in page and "614-555-0100" in page and "120 Water Street, Millbrook, OH 43004" in page
    assert "Free" in page and "County residents" in page


def test_filters_narrow_the_results(counselor):
    ServiceFactory(name="Food pantry", categories=["food"])
    ServiceFactory(name="Rapid rehousing", categories=["housing"])
    page = login(counselor).get(SEARCH, {"category": "housing"}).content.decode()
    assert "Rapid rehousing" in page and "Food pantry" not in page
    page = login(counselor).get(SEARCH, {"text": "pantry"}).content.decode()
    assert "Food pantry" in page and "Rapid rehousing" not in page
    page = login(counselor).get(SEARCH, {"text": "nothing like this"}).content.decode()
    assert "No services match these filters" in page


def test_results_are_paged_twenty_at_a_time(counselor):
    for n in range(23):
        ServiceFactory(name=f"Service {n:02d}")
    http = login(counselor)
    first = http.get(SEARCH).content.decode()
    assert "Service 19" in first and "Service 20" not in first and "23 services" in first
    second = http.get(SEARCH, {"page": 2}).content.decode()
    assert "Service 22" in second and "Service 00" not in second


@pytest.mark.parametrize("rows", [2, 20])
def test_the_search_page_issues_the_same_queries_whatever_the_size(
    rows, counselor, django_assert_num_queries
):
    for _ in range(rows):
        service_with_everything()
    http = login(counselor)
    http.get(SEARCH)  # warm the session and permission caches out of the count
    with django_assert_num_queries(15):
        response = http.get(SEARCH, {"category": "food"})
    assert response.status_code == 200


def test_the_card_offers_choose_this_service_when_given_a_choose_url():
    service = service_with_everything()
    service = service_search().get(pk=service.pk)
    html = render_to_string(
        "referrals/directory/_service_card.html", {"service": service, "choose_url": "/referrals/new/?"}
    )
    assert f'href="/referrals/new/?service={service.pk}"' in html and "Choose this service" in html
    assert "Choose this service" not in render_to_string(
        "referrals/directory/_service_card.html", {"service": service}
    )


def test_the_service_page_shows_the_service_and_404s_for_none(counselor):
    service = service_with_everything(application_process="Walk in with ID.")
    http = login(counselor)
    page = http.get(detail(service)).content.decode()
    assert service.name in page and "Walk in with ID." in page
    assert "Update capacity" not in page  # counselors do not keep capacity
    assert http.get(reverse("referrals:directory-service", args=[999999])).status_code == 404


def test_a_case_manager_updates_capacity_and_it_is_audited(case_manager):
    service = ServiceFactory(capacity="open")
    http = login(case_manager)
    assert "Update capacity" in http.get(detail(service)).content.decode()
    response = http.post(
        reverse("referrals:directory-service-capacity", args=[service.pk]), {"capacity": "full"}
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.capacity == "full" and service.capacity_updated_at is not None
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="referrals.service")
    assert event.user == case_manager and event.detail["capacity"] == {"from": "open", "to": "full"}


def test_a_bad_capacity_is_a_form_error_and_changes_nothing(case_manager):
    service = ServiceFactory(capacity="open")
    response = login(case_manager).post(
        reverse("referrals:directory-service-capacity", args=[service.pk]), {"capacity": "overflowing"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    service.refresh_from_db()
    assert service.capacity == "open" and service.capacity_updated_at is None


def test_a_counselor_may_not_update_capacity(counselor):
    service = ServiceFactory(capacity="open")
    response = login(counselor).post(
        reverse("referrals:directory-service-capacity", args=[service.pk]), {"capacity": "full"}
    )
    assert response.status_code == 403
    service.refresh_from_db()
    assert service.capacity == "open"


def test_round_the_clock_lines_read_24_7_on_the_page(counselor):
    service = ServiceFactory(name="Crisis line")
    ScheduleFactory(service=service, byday="MO,TU,WE,TH,FR,SA,SU", opens_at="00:00", closes_at="23:59")
    page = login(counselor).get(detail(service)).content.decode()
    assert "24/7" in page and "Open now" in page
