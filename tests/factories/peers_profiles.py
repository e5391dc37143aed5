"""Factories for peer profiles and peer specialists."""

import factory

from peers.models import PeerCertification, PeerProfile

from .careteam import UserFactory


class PeerProfileFactory(factory.django.DjangoModelFactory):
    """A peer specialist with a profile. ``PeerProfileFactory(user__username="p1")``."""

    class Meta:
        model = PeerProfile

    user = factory.SubFactory(UserFactory, role="peer_specialist")
    languages = factory.LazyFunction(lambda: ["en"])
    experience_areas = factory.LazyFunction(list)
    pathways = factory.LazyFunction(list)
    age_bracket = "26_40"
    caseload_capacity = 10


class PeerCertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerCertification

    profile = factory.SubFactory(PeerProfileFactory)
    name = "Certified Peer Recovery Specialist"
    issuer = "State certification board"


def peer_rows(client, acting_user):
    """A profile with a certification, match preferences and a peer assignment for ``client``'s peer."""
    from careteam.models import CareTeamAssignment
    from peers.assignments.services import peer_assignment_adopt, peer_match_preferences_set

    cta = CareTeamAssignment.objects.active().filter(client=client, role="peer").first()
    PeerCertificationFactory(profile=PeerProfileFactory(user=cta.staff))
    peer_match_preferences_set(client=client, acting_user=acting_user, data={"gender_preference": "woman"})
    return peer_assignment_adopt(care_team_assignment=cta, acting_user=acting_user, goals="Meetings")
