"""Reads of the resource directory: search, one service, opening hours.

The directory holds no client information: every staff role with ``referrals.view_service`` may
search it, so these selectors are not scoped per user.

Opening hours follow HSDS ``schedule`` rows: one weekly rule per row (``byday`` = ``MO,TU,…``;
blank ``byday`` or ``freq=DAILY`` means every day) with ``opens_at`` / ``closes_at`` in the row's
``timezone`` (an IANA name; the site's ``TIME_ZONE`` when blank). A closing time before the opening
time runs past midnight (22:00-06:00 on ``FR`` is open Friday night into Saturday morning). Open
around the clock is written ``00:00``-``23:59`` on all seven days (``23:59`` means "to midnight")
and shown as "24/7". Rows outside ``valid_from``/``valid_to`` do not count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from clients.models import NeedCategory
from referrals.models import (
    Capacity,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceStatus,
)

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat", "SU": "Sun"}
END_OF_DAY = dt.time(23, 59)
DASH = "\N{EN DASH}"
NEEDS_TAXONOMY = "careteam-needs"


# --- opening hours ------------------------------------------------------------------------------


def _zone(schedule: Schedule) -> ZoneInfo:
    try:
        return ZoneInfo(schedule.timezone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def schedule_days(schedule: Schedule) -> list[str]:
    if schedule.freq == "DAILY" or not schedule.byday.strip():
        return list(DAYS)
    return [d.strip().upper() for d in schedule.byday.split(",") if d.strip().upper() in DAYS]


def _valid_on(schedule: Schedule, day: dt.date) -> bool:
    return (schedule.valid_from is None or schedule.valid_from <= day) and (
        schedule.valid_to is None or day <= schedule.valid_to
    )


def schedule_is_open(schedule: Schedule, at: dt.datetime) -> bool:
    """Whether ``schedule`` has the place open at the instant ``at``."""
    opens, closes = schedule.opens_at, schedule.closes_at
    if opens is None or closes is None:
        return False
    local = at.astimezone(_zone(schedule))
    today, now = local.date(), local.time()
    days = schedule_days(schedule)
    code = DAYS[today.weekday()]
    yesterday = today - dt.timedelta(days=1)
    if closes in (END_OF_DAY, opens):
        # Open to midnight (or a full day when opening and closing times are the same).
        return code in days and _valid_on(schedule, today) and now >= opens
    if opens < closes:
        return code in days and _valid_on(schedule, today) and opens <= now < closes
    # Overnight: the evening part belongs to today's rule, the early-morning part to yesterday's.
    if code in days and _valid_on(schedule, today) and now >= opens:
        return True
    return DAYS[yesterday.weekday()] in days and _valid_on(schedule, yesterday) and now < closes


def _service_schedules(service: Service) -> list[Schedule]:
    """The service's own hours, else the hours of its locations (uses prefetched rows when present)."""
    own = list(service.schedules.all())
    if own:
        return own
    return [s for sal in service.service_at_locations.all() for s in sal.schedules.all()]


def service_is_open(service: Service, at: dt.datetime | None = None) -> bool:
    at = at or timezone.now()
    return any(schedule_is_open(s, at) for s in _service_schedules(service))


def _is_round_the_clock(schedules: Iterable[Schedule]) -> bool:
    covered = set()
    for s in schedules:
        if s.opens_at == dt.time(0, 0) and s.closes_at in (END_OF_DAY, dt.time(0, 0)):
            covered.update(schedule_days(s))
    return covered == set(DAYS)


def _clock(value: dt.time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def _day_ranges(days: list[str]) -> str:
    """``["MO","TU","WE","FR"]`` → ``Mon-Wed, Fri`` (with en dashes)."""
    idx = sorted(DAYS.index(d) for d in set(days))
    parts, start = [], None
    for n, i in enumerate(idx):
        if start is None:
            start = i
        if n + 1 == len(idx) or idx[n + 1] != i + 1:
            a, b = DAY_NAMES[DAYS[start]], DAY_NAMES[DAYS[i]]
            parts.append(a if start == i else (f"{a}{DASH}{b}" if i - start > 1 else f"{a}, {b}"))
            start = None
    return ", ".join(parts)


def hours_summary(service: Service) -> str:
    """Opening hours in a line: ``Mon-Fri 9:00-17:00; Sat 10:00-14:00`` (en dashes) or ``24/7``."""
    schedules = _service_schedules(service)
    if not schedules:
        return ""
    if _is_round_the_clock(schedules):
        return "24/7"
    by_hours: dict[tuple, list[str]] = {}
    notes = []
    for s in schedules:
        if s.opens_at is None or s.closes_at is None:
            if s.description:
                notes.append(s.description)
            continue
        by_hours.setdefault((s.opens_at, s.closes_at), []).extend(schedule_days(s))
    parts = []
    for (opens, closes), days in sorted(by_hours.items(), key=lambda kv: min(DAYS.index(d) for d in kv[1])):
        end = "24:00" if closes == END_OF_DAY else _clock(closes)
        parts.append(f"{_day_ranges(days)} {_clock(opens)}{DASH}{end}")
    return "; ".join(parts + notes)


# --- search -------------------------------------------------------------------------------------


def _with_related(queryset: QuerySet[Service]) -> QuerySet[Service]:
    """Everything a service card shows, in a fixed number of queries."""
    return queryset.select_related("organization").prefetch_related(
        "languages",
        "phones",
        "schedules",
        "taxonomy_terms",
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                "location__addresses", "schedules"
            ),
        ),
    )


def _open_service_ids(at: dt.datetime) -> set[int]:
    """Services open at ``at``: opening hours need each schedule's own zone, so this is worked out
    in Python over the schedules of active services (one query; a directory has thousands of rows
    at most)."""
    schedules = Schedule.objects.filter(
        Q(service__status=ServiceStatus.ACTIVE) | Q(service_at_location__service__status=ServiceStatus.ACTIVE)
    ).select_related("service_at_location")
    own: dict[int, list[Schedule]] = {}
    via_location: dict[int, list[Schedule]] = {}
    for s in schedules:
        if s.service_id:
            own.setdefault(s.service_id, []).append(s)
        elif s.service_at_location_id:
            via_location.setdefault(s.service_at_location.service_id, []).append(s)
    open_ids = set()
    for service_id in own.keys() | via_location.keys():
        rules = own.get(service_id) or via_location.get(service_id, [])
        if any(schedule_is_open(s, at) for s in rules):
            open_ids.add(service_id)
    return open_ids


def service_search(
    *,
    category: str = "",
    text: str = "",
    language: str = "",
    open_now: bool = False,
    accepting: bool = False,
    at: dt.datetime | None = None,
) -> QuerySet[Service]:
    """Active services matching every filter given, open-for-intake first, then by name.

    ``category``: a ``clients.NeedCategory`` value (the needs taxonomy term's code); ``text``: words
    found in the service's or organization's name, description or eligibility; ``language``: an ISO
    639-1 code; ``open_now``: open at ``at`` (default now); ``accepting``: takes electronic referrals
    and is not full.
    """
    qs = Service.objects.filter(status=ServiceStatus.ACTIVE)
    if category:
        qs = qs.filter(
            Exists(
                Service.taxonomy_terms.through.objects.filter(
                    service_id=OuterRef("pk"),
                    taxonomyterm__code=category,
                    taxonomyterm__taxonomy=NEEDS_TAXONOMY,
                )
            )
        )
    for word in text.split():
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(alternate_name__icontains=word)
            | Q(description__icontains=word)
            | Q(eligibility_description__icontains=word)
            | Q(organization__name__icontains=word)
            | Q(organization__alternate_name__icontains=word)
        )
    if language:
        qs = qs.filter(
            Exists(ServiceLanguage.objects.filter(service_id=OuterRef("pk"), code__iexact=language.strip()))
        )
    if accepting:
        qs = qs.filter(accepts_electronic_referrals=True).exclude(capacity=Capacity.FULL)
    if open_now:
        qs = qs.filter(pk__in=_open_service_ids(at or timezone.now()))
    capacity_rank = Case(
        When(capacity=Capacity.OPEN, then=Value(0)),
        When(capacity=Capacity.WAITLIST, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return _with_related(qs.annotate(capacity_rank=capacity_rank)).order_by("capacity_rank", "name", "id")


def service_get(pk: int) -> Service:
    """One service with everything its page shows (404 when there is none)."""
    service = _with_related(Service.objects.filter(pk=pk)).first()
    if service is None:
        raise Http404("No such service.")
    return service


def language_choices() -> list[tuple[str, str]]:
    """The languages services are offered in, as (code, name), for the search form."""
    seen: dict[str, str] = {}
    for code, name in ServiceLanguage.objects.order_by("name").values_list("code", "name"):
        seen.setdefault(code.lower(), name)
    return sorted(seen.items(), key=lambda kv: kv[1])


def category_choices() -> list[tuple[str, str]]:
    return list(NeedCategory.choices)


def organization_list() -> QuerySet[Organization]:
    return Organization.objects.prefetch_related("phones", "locations__addresses")


def location_addresses(service: Service) -> list[tuple[Location, list]]:
    """The service's locations with their addresses (reads the prefetch)."""
    return [(sal.location, list(sal.location.addresses.all())) for sal in service.service_at_locations.all()]
