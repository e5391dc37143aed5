"""Directory search and opening hours: filters, open now across zones and midnight, 24/7, query counts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from referrals.directory.selectors import hours_summary, service_get, service_is_open, service_search
from tests.factories.directory import (
    ScheduleFactory,
    ServiceFactory,
    ServiceLanguageFactory,
    service_with_everything,
)

DASH = "\N{EN DASH}"

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
CHI = ZoneInfo("America/Chicago")


def at(day: int, hour: int, minute: int = 0, tz=NY) -> dt.datetime:
    """A moment in the week of Monday 2025-03-10 (day 0 = Monday)."""
    return dt.datetime(2025, 3, 10 + day, hour, minute, tzinfo=tz)


def names(qs) -> list[str]:
    return [s.name for s in qs]


def test_weekday_hours_are_open_inside_and_closed_outside():
    service = ServiceFactory()
    ScheduleFactory(service=service, byday="MO,TU,WE,TH,FR", opens_at="09:00", closes_at="17:00")
    assert service_is_open(service, at(0, 9))
    assert service_is_open(service, at(4, 16, 59))
    assert not service_is_open(service, at(0, 17))
    assert not service_is_open(service, at(5, 12))  # Saturday


def test_open_now_uses_the_schedules_own_time_zone():
    service = ServiceFactory()
    ScheduleFactory(
        service=service, byday="MO", opens_at="09:00", closes_at="17:00", timezone="America/Chicago"
    )
    assert not service_is_open(service, at(0, 9, 30, tz=NY))  # 8:30 in Chicago
    assert service_is_open(service, at(0, 10, 30, tz=NY))


def test_a_blank_time_zone_means_the_sites(settings):
    settings.TIME_ZONE = "America/Chicago"
    service = ServiceFactory()
    ScheduleFactory(service=service, byday="MO", opens_at="09:00", closes_at="17:00", timezone="")
    assert not service_is_open(service, at(0, 8, 30, tz=CHI) - dt.timedelta(hours=1))
    assert service_is_open(service, at(0, 9, 30, tz=CHI))


def test_overnight_hours_run_into_the_next_morning():
    service = ServiceFactory()
    ScheduleFactory(service=service, byday="FR", opens_at="22:00", closes_at="06:00")
    assert service_is_open(service, at(4, 23))  # Friday night
    assert service_is_open(service, at(5, 5, 59))  # Saturday early morning
    assert not service_is_open(service, at(5, 6))
    assert not service_is_open(service, at(4, 5))  # Friday early morning belongs to Thursday's night
    assert not service_is_open(service, at(5, 23))


def test_round_the_clock_is_always_open_and_reads_24_7():
    service = ServiceFactory()
    ScheduleFactory(service=service, byday="MO,TU,WE,TH,FR,SA,SU", opens_at="00:00", closes_at="23:59")
    assert service_is_open(service, at(6, 23, 59))
    assert service_is_open(service, at(2, 0, 0))
    assert hours_summary(service) == "24/7"


def test_hours_summary_groups_days_with_the_same_hours():
    service = ServiceFactory()
    ScheduleFactory(service=service, byday="MO,TU,WE,TH,FR", opens_at="09:00", closes_at="17:00")
    ScheduleFactory(service=service, byday="SA", opens_at="10:00", closes_at="14:30")
    assert hours_summary(service) == "Mon-Fri 9:00-17:00; Sat 10:00-14:30".replace("-", DASH)


def test_schedules_outside_their_valid_dates_do_not_count():
    service = ServiceFactory()
    ScheduleFactory(service=service, byday="MO", valid_to=dt.date(2025, 3, 1))
    assert not service_is_open(service, at(0, 10))


def test_search_filters_by_need_text_language_and_accepting():
    pantry = ServiceFactory(name="Pantry", categories=["food"], accepts_electronic_referrals=True)
    shelter = ServiceFactory(name="Shelter", categories=["housing"], description="Beds for the night")
    full = ServiceFactory(
        name="Full pantry", categories=["food"], accepts_electronic_referrals=True, capacity="full"
    )
    ServiceFactory(name="Retired", categories=["food"], status="inactive")
    ServiceLanguageFactory(service=shelter, code="es")

    assert names(service_search(category="food")) == ["Pantry", "Full pantry"]  # open capacity first
    assert names(service_search(text="beds NIGHT")) == ["Shelter"]
    assert names(service_search(text=pantry.organization.name)) == ["Pantry"]
    assert names(service_search(language="ES")) == ["Shelter"]
    assert names(service_search(accepting=True)) == ["Pantry"]
    assert full not in service_search(accepting=True)


def test_search_open_now():
    open_one = ServiceFactory(name="Open")
    ScheduleFactory(service=open_one, byday="MO", opens_at="09:00", closes_at="17:00")
    closed = ServiceFactory(name="Closed")
    ScheduleFactory(service=closed, byday="TU", opens_at="09:00", closes_at="17:00")
    ServiceFactory(name="No hours")
    assert names(service_search(open_now=True, at=at(0, 10))) == ["Open"]


@pytest.mark.parametrize("rows", [2, 20])
def test_search_reads_in_the_same_number_of_queries_whatever_the_size(rows, django_assert_num_queries):
    for _ in range(rows):
        service_with_everything()
    with django_assert_num_queries(8):
        results = list(service_search(category="food"))
        for service in results:
            hours_summary(service)
            service_is_open(service, at(0, 10))
            [(lang.name, p.number) for lang in service.languages.all() for p in service.phones.all()]
            [a.city for sal in service.service_at_locations.all() for a in sal.location.addresses.all()]
    assert len(results) == rows


def test_service_get_answers_404_for_no_such_service():
    from django.http import Http404

    with pytest.raises(Http404):
        service_get(999999)
