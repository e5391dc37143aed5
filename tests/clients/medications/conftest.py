"""Alice may be texted (for the medication-reminder tests)."""

import pytest

from tests.factories.outreach import give_text_consent


@pytest.fixture
def textable(alice, counselor):
    alice.phone = "+12025550142"
    alice.quiet_hours_start = None
    alice.quiet_hours_end = None
    alice.save()
    give_text_consent(alice, counselor)
    return alice
