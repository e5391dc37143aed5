"""Template filters for directory cards: ``{% load directory %}`` (a library named in settings TEMPLATES)."""

from django import template
from django.utils import timezone

from referrals.directory import selectors

register = template.Library()


@register.filter
def hours(service) -> str:
    """``Mon-Fri 9:00-17:00`` / ``24/7`` (reads prefetched schedules)."""
    return selectors.hours_summary(service)


@register.filter
def open_now(service) -> bool:
    """Whether the service is open at this moment, by its schedules' own time zones."""
    return selectors.service_is_open(service, timezone.now())


@register.filter
def addresses(service) -> list:
    """Every address of the service's locations (reads the prefetch)."""
    return [a for _location, rows in selectors.location_addresses(service) for a in rows]
