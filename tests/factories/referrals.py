"""Factories for needs, consents and referrals (rows written directly: tests set up state with them;
the behaviour under test goes through ``referrals.services``)."""

import factory
from django.utils import timezone

from clients.models import NeedCategory
from referrals.models import Referral, ReferralActor, ReferralEvent, ReferralStatus

from .careteam import UserFactory
from .clients import ClientFactory
from .directory import ServiceFactory
from .record import ConsentFactory, NeedFactory


class Part2ConsentFactory(ConsentFactory):
    """An active Part 2 consent naming ``recipient_organization`` (pass it) for SUD and demographics."""

    recipient_name = ""
    purpose = "Coordinate the referral and care."


class ReferralFactory(factory.django.DjangoModelFactory):
    """A draft referral; pass ``status=`` and timestamps to set up other states directly."""

    class Meta:
        model = Referral

    client = factory.SubFactory(ClientFactory)
    need = factory.LazyAttribute(lambda o: NeedFactory(client=o.client, identified_by=o.referred_by))
    service = factory.SubFactory(ServiceFactory, accepts_electronic_referrals=True)
    organization = factory.LazyAttribute(lambda o: o.service.organization)
    referred_by = factory.SubFactory(UserFactory, role="case_manager")
    reason = "Needs food support this month."
    category = NeedCategory.FOOD
    shared_categories = factory.LazyFunction(lambda: ["demographics"])
    shared_summary = "Adult, lives alone, prefers afternoon calls."
    status = ReferralStatus.DRAFT


def sent_referral(**kwargs) -> Referral:
    """A referral in ``requested`` (set directly), as if sent ``requested_at`` ago."""
    now = timezone.now()
    kwargs.setdefault("requested_at", now)
    kwargs.setdefault("status", ReferralStatus.REQUESTED)
    kwargs.setdefault("last_activity_at", kwargs["requested_at"])
    return ReferralFactory(**kwargs)


class ReferralEventFactory(factory.django.DjangoModelFactory):
    """A timeline entry set up directly (transitions themselves go through ``referrals.services``)."""

    class Meta:
        model = ReferralEvent

    referral = factory.SubFactory(ReferralFactory)
    to_status = ReferralStatus.DRAFT
    actor_kind = ReferralActor.STAFF
    actor = factory.SelfAttribute("referral.referred_by")


def referral_rows(client, staff) -> Referral:
    """A referral with one timeline event, for the admin's every-model test."""
    referral = ReferralFactory(client=client, referred_by=staff)
    ReferralEventFactory(referral=referral)
    return referral
