"""Referral fixtures: Alice's case manager refers her to a food pantry that takes email referrals."""

import pytest

from tests.factories import assign
from tests.factories.directory import ServiceFactory
from tests.factories.referrals import NeedFactory, ReferralFactory


@pytest.fixture
def cm(alice, case_manager):
    """The case manager, on Alice's care team, with a fixed name: the partner's email names the
    referring staff member, and a random name could contain "Ali" or "Rivera"."""
    case_manager.first_name, case_manager.last_name = "Dana", "Okafor"
    case_manager.save(update_fields=["first_name", "last_name"])
    assign(alice, case_manager, "case_manager")
    return case_manager


@pytest.fixture
def pantry(db):
    return ServiceFactory(
        name="Eastside Food Pantry",
        organization__name="Eastside Community Center",
        accepts_electronic_referrals=True,
        referral_email="referrals@eastside.example.org",
        categories=["food"],
    )


@pytest.fixture
def need(alice, cm):
    return NeedFactory(client=alice, identified_by=cm)


@pytest.fixture
def draft(alice, cm, need, pantry):
    return ReferralFactory(client=alice, need=need, service=pantry, referred_by=cm)


@pytest.fixture(autouse=True)
def _partner_email_through_django_mail(settings):
    """The outbox's email backend hands the partner's email to Django's mail (``mail.outbox`` in
    tests), so a test reads what the partner received after it went through the outbox."""
    settings.OUTREACH_BACKENDS = {
        **settings.OUTREACH_BACKENDS,
        "email": "outreach.backends.email.EmailBackend",
    }
