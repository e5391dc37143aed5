"""Fixtures for appointments and notes: Alice's appointments and a teammate on her care team."""

import datetime as dt

import pytest
from django.utils import timezone

from clients.models import AppointmentStatus
from tests.factories import AppointmentFactory, assign


@pytest.fixture
def teammate(alice, case_manager):
    """The case manager, on Alice's care team: sees her chart and her unrestricted notes."""
    assign(alice, case_manager, "case_manager")
    return case_manager


@pytest.fixture
def attended(alice, counselor):
    """A session Alice attended an hour ago with her counselor."""
    return AppointmentFactory(
        client=alice,
        staff=counselor,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        status=AppointmentStatus.ATTENDED,
        status_changed_at=timezone.now(),
    )


@pytest.fixture
def scheduled(alice, counselor):
    """A session booked for the day after tomorrow."""
    return AppointmentFactory(client=alice, staff=counselor, starts_at=timezone.now() + dt.timedelta(days=2))


def dap(**changes) -> dict:
    return {
        "format": "dap",
        "data": "Reports four days without alcohol; went to two meetings.",
        "assessment": "Motivated; coping skills emerging.",
        "plan": "Weekly session; practise urge surfing.",
        "minutes_spent": 50,
        "restricted": False,
        **changes,
    }
