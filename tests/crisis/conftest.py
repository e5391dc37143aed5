"""Crisis fixtures: Alice with a way to be texted, and an open episode opened by her counselor."""

import pytest

from crisis import services
from tests.factories.outreach import give_text_consent


@pytest.fixture
def reachable_alice(alice, counselor):
    alice.phone = "+12025550143"
    alice.email = "alice@example.org"
    alice.save(update_fields=["phone", "email"])
    give_text_consent(alice, counselor)
    return alice


@pytest.fixture
def episode(reachable_alice, counselor):
    return services.episode_open(
        client=reachable_alice,
        acting_user=counselor,
        data={
            "source": "call",
            "concerns": ["suicidal_ideation"],
            "risk_level": "high",
            "immediate_actions": ["gave_988", "means_restriction"],
        },
    )
