"""Factories for peer support: assignments (through the access service), contacts, groups, first friends."""

import datetime as dt

import factory
from django.utils import timezone

from careteam.models import CareTeamAssignment, CaseRole
from peers.models import (
    AttendanceSource,
    ContactKind,
    ContactMode,
    Fellowship,
    FirstFriend,
    GroupAttendance,
    PeerAssignment,
    PeerContact,
    RecoveryDomain,
    SupportGroup,
)

from .peers_profiles import PeerProfileFactory  # noqa: F401  (re-exported for convenience)


class PeerAssignmentFactory(factory.django.DjangoModelFactory):
    """A peer assignment whose care-team assignment goes through ``careteam.services.assignment_start``
    (so access follows); an existing active peer care-team assignment without one is reused."""

    class Meta:
        model = PeerAssignment

    client = factory.SubFactory("tests.factories.clients.ClientFactory")
    peer = factory.SubFactory("tests.factories.careteam.UserFactory", role="peer_specialist")
    goals = "Get to two meetings a week and find a sponsor."
    match_reasons = factory.LazyFunction(lambda: ["Speaks English"])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from careteam.services import assignment_start

        client, peer = kwargs["client"], kwargs["peer"]
        if "care_team_assignment" not in kwargs:
            cta = (
                CareTeamAssignment.objects.active()
                .filter(client=client, staff=peer, role=CaseRole.PEER, peer_assignment__isnull=True)
                .first()
            )
            kwargs["care_team_assignment"] = cta or assignment_start(
                client=client, staff=peer, role=CaseRole.PEER, acting_user=None
            )
        return super()._create(model_class, *args, **kwargs)


class PeerContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerContact

    assignment = factory.SubFactory(PeerAssignmentFactory)
    client = factory.SelfAttribute("assignment.client")
    peer = factory.SelfAttribute("assignment.peer")
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    duration_minutes = 30
    mode = ContactMode.IN_PERSON
    kind = ContactKind.CHECK_IN
    summary = "Coffee and a walk; talked about the week."


class SupportGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportGroup

    name = factory.Sequence(lambda n: f"Tuesday Night Group {n}")
    fellowship = Fellowship.AA
    meets_on = 1
    meets_at = dt.time(19, 0)
    place = "Community Center, Room 2"


class GroupAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupAttendance

    client = factory.SubFactory("tests.factories.clients.ClientFactory")
    group = factory.SubFactory(SupportGroupFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    attended = True
    source = AttendanceSource.SELF_REPORT
    recorded_by = factory.SubFactory("tests.factories.careteam.UserFactory")


class FirstFriendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirstFriend

    name = factory.Faker("name")
    phone = "555-0100"
    languages = factory.LazyFunction(lambda: ["en"])
    areas = factory.LazyFunction(lambda: ["alcohol"])
    fellowships = factory.LazyFunction(lambda: ["aa"])
    neighborhoods = "Downtown"


def peer_support_rows(client, user):
    """One row of each peer-support model for ``client`` (the admin smoke test opens each)."""
    from peers.services import recovery_checkin_record

    assignment = PeerAssignment.objects.filter(client=client).first() or PeerAssignmentFactory(client=client)
    PeerContactFactory(assignment=assignment)
    GroupAttendanceFactory(client=client, recorded_by=user)
    recovery_checkin_record(
        client=client, ratings={d: 3 for d in RecoveryDomain.values}, note="", acting_user=user
    )
    FirstFriendFactory()
