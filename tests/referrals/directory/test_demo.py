"""The demo directory: about 30 organisations and 60 services, loaded once through the HSDS importer."""

import random

import pytest

from referrals.directory import demo
from referrals.models import Organization, Service

pytestmark = pytest.mark.django_db


def test_the_demo_directory_is_realistic_and_seeded_once(admin_user):
    demo.seed(rng=random.Random(1), clients=[], staff={"admin": admin_user})
    assert Organization.objects.count() == 30
    assert Service.objects.count() == 60
    assert set(Service.objects.values_list("capacity", flat=True)) == {"open", "waitlist", "full"}
    electronic = Service.objects.filter(accepts_electronic_referrals=True)
    assert electronic.exists() and all(
        s.referral_email.startswith("intake@") and s.referral_email.endswith(".example.org")
        for s in electronic
    )
    assert Service.objects.filter(languages__code="es").exists()
    demo.seed(rng=random.Random(2), clients=[], staff={"admin": admin_user})
    assert Service.objects.count() == 60
