"""Crisis fixtures: Alice with a way to be texted, and an open episode opened by her counselor."""

import pytest

from crisis import services


@pytest.fixture
def reachable_alice(alice):
    alice.phone = "+12025550143"
    alice.may_text = True
    alice.email = "alice@example.org"
    alice.save(update_fields=["phone", "may_text", "email"])
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
