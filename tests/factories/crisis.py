"""Factories for crisis records (raw rows; tests of the rules go through crisis.services)."""

import factory
from django.utils import timezone

from crisis.models import CrisisEpisode, EpisodeSource, RiskLevel, SafetyPlanReason, SafetyPlanVersion

from .careteam import UserFactory
from .clients import ClientFactory


class CrisisEpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrisisEpisode

    client = factory.SubFactory(ClientFactory)
    opened_by = factory.SubFactory(UserFactory, role="crisis_worker")
    opened_at = factory.LazyFunction(timezone.now)
    source = EpisodeSource.CALL
    concerns = factory.LazyFunction(lambda: ["suicidal_ideation"])
    risk_level = RiskLevel.MODERATE
    immediate_actions = factory.LazyFunction(lambda: ["gave_988"])


class SafetyPlanVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafetyPlanVersion

    client = factory.SubFactory(ClientFactory)
    version = factory.Sequence(lambda n: n + 1)
    author = factory.SubFactory(UserFactory, role="counselor")
    reason = SafetyPlanReason.NEW_CRISIS
    warning_signs = factory.LazyFunction(lambda: ["Not sleeping", "Staying in my room"])
    coping_strategies = factory.LazyFunction(lambda: ["Walk the dog"])
    help_contacts = factory.LazyFunction(lambda: [{"name": "Sam (sister)", "phone": "555-0100"}])
    professionals = factory.LazyFunction(lambda: [{"name": "988 Suicide & Crisis Lifeline", "phone": "988"}])
    reasons_for_living = factory.LazyFunction(lambda: ["My kids"])


def crisis_rows(client, user):
    """One of every crisis record for ``client`` (admin pages test), through the services."""
    from crisis import services

    client.email = client.email or "client@example.org"
    client.save(update_fields=["email"])
    episode = services.episode_open(
        client=client,
        acting_user=user,
        data={"source": "call", "concerns": ["grief"], "risk_level": "moderate"},
    )
    services.episode_record_disposition(episode=episode, disposition="ed", acting_user=user)
    services.safety_plan_save(
        client=client, acting_user=user, data={"warning_signs": ["Pacing"]}, reason="new_crisis"
    )
    services.caring_contacts_start(client=client, acting_user=user, channel="email")
    return episode
