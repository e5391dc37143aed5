"""Outreach fixtures: the database outbox as every channel's backend, and Alice reachable by text."""

import pytest

from tests.factories.outreach import give_text_consent

DATABASE_BACKENDS = {
    "sms": "outreach.backends.database.DatabaseBackend",
    "email": "outreach.backends.database.DatabaseBackend",
}


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.OUTREACH_BACKENDS = DATABASE_BACKENDS
    settings.OUTREACH_TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.OUTREACH_PUBLIC_BASE_URL = "https://careteam.example.org"
    settings.OUTREACH_PROGRAM_NAME = "Harbor Recovery"


@pytest.fixture
def textable(alice, counselor):
    """Alice with a phone, a text-messaging consent (the one texting switch), and no quiet hours."""
    alice.phone = "+12025550142"
    alice.email = "ali@example.org"
    alice.quiet_hours_start = None
    alice.quiet_hours_end = None
    alice.time_zone = "America/New_York"
    alice.save()
    give_text_consent(alice, counselor)
    return alice
