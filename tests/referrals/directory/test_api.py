"""The read-only directory API."""

import pytest

from referrals.models import Service
from tests.conftest import api_login
from tests.factories import UserFactory
from tests.factories.directory import OrganizationFactory, ServiceFactory, service_with_everything

DASH = "\N{EN DASH}"

pytestmark = pytest.mark.django_db

SERVICES = "/api/v1/directory/services/"
ORGANIZATIONS = "/api/v1/directory/organizations/"


def test_services_are_listed_with_hours_languages_and_capacity(peer):
    service = service_with_everything(name="Weekly groceries", capacity="waitlist")
    body = api_login(peer).get(SERVICES).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["name"] == "Weekly groceries" and row["capacity"] == "waitlist"
    assert row["organization"]["name"] == service.organization.name
    assert row["categories"] == ["food"]
    assert row["languages"][0]["code"] == "es"
    assert row["hours"] == "Mon-Fri 9:00-17:00".replace("-", DASH)
    assert row["addresses"][0]["city"] == "Millbrook"


def test_services_filter_like_the_page(counselor):
    ServiceFactory(name="Pantry", categories=["food"], accepts_electronic_referrals=True)
    ServiceFactory(name="Shelter", categories=["housing"])
    api = api_login(counselor)
    assert [r["name"] for r in api.get(SERVICES, {"category": "housing"}).json()["results"]] == ["Shelter"]
    assert [r["name"] for r in api.get(SERVICES, {"accepting": "true"}).json()["results"]] == ["Pantry"]
    assert [r["name"] for r in api.get(SERVICES, {"text": "shel"}).json()["results"]] == ["Shelter"]


def test_bad_filters_are_400_with_the_field(counselor):
    api = api_login(counselor)
    response = api.get(SERVICES, {"category": "space-travel"})
    assert response.status_code == 400 and "category" in response.json()
    response = api.get(SERVICES, {"open_now": "perhaps"})
    assert response.status_code == 400 and "open_now" in response.json()


def test_one_service_and_a_missing_one(counselor):
    service = ServiceFactory()
    api = api_login(counselor)
    assert api.get(f"{SERVICES}{service.pk}/").json()["hsds_id"] == str(service.hsds_id)
    assert api.get(f"{SERVICES}999999/").status_code == 404


def test_organizations_are_listed(counselor):
    OrganizationFactory(name="Northside Food Bank")
    names = [r["name"] for r in api_login(counselor).get(ORGANIZATIONS).json()["results"]]
    assert "Northside Food Bank" in names


def test_no_role_no_directory_and_no_writes(counselor, db):
    assert api_login(UserFactory(username="norole")).get(SERVICES).status_code == 403
    assert api_login(counselor).post(SERVICES, {"name": "x"}).status_code in (403, 405)
    assert not Service.objects.filter(name="x").exists()


@pytest.mark.parametrize("rows", [2, 20])
def test_the_list_issues_the_same_queries_whatever_the_size(rows, counselor, django_assert_num_queries):
    for _ in range(rows):
        service_with_everything()
    api = api_login(counselor)
    api.get(SERVICES)
    with django_assert_num_queries(9):
        assert api.get(SERVICES).json()["count"] == rows
