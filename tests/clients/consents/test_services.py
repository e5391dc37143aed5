"""The Part 2 gate (consent_covering), recording and revoking consents, recording disclosures."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from careteam.errors import DomainError
from careteam.models import AuditAction, AuditEvent
from clients.consents import services
from clients.consents.selectors import consent_covering, consents_for_client, has_text_consent
from clients.consents.signals import consent_revoked
from clients.models import Consent, ConsentKind
from tests.factories import ConsentFactory, DisclosureFactory
from tests.factories.directory import OrganizationFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def part2(alice, org, **kw):
    return ConsentFactory(client=alice, recipient_organization=org, recipient_name="", **kw)


# --- consent_covering ---------------------------------------------------------------------------


def test_without_any_consent_sud_information_may_not_go(alice, org):
    check = consent_covering(client=alice, categories=["sud"], organization=org)
    assert not check.allowed and check.required and check.consent is None
    assert "There is no Part 2 consent naming Harbor Housing Partners" in check.problem


def test_information_that_is_not_sud_needs_no_consent(alice, org):
    check = consent_covering(client=alice, categories=["demographics", "mental_health"], organization=org)
    assert check.allowed and not check.required


def test_an_expired_consent_does_not_cover(alice, org):
    part2(alice, org, signed_on=days(-100), expires_on=days(-1))
    check = consent_covering(client=alice, categories=["sud"], organization=org)
    assert not check.allowed
    assert "expired on" in check.problem


def test_a_revoked_consent_does_not_cover(alice, org):
    part2(alice, org, revoked_on=days(0), revoked_reason="Client asked")
    check = consent_covering(client=alice, categories=["sud"], organization=org)
    assert not check.allowed
    assert "was revoked on" in check.problem


def test_a_consent_to_another_recipient_does_not_cover(alice, org):
    part2(alice, OrganizationFactory(name="Somewhere Else"))
    check = consent_covering(client=alice, categories=["sud"], organization=org)
    assert not check.allowed
    assert "no Part 2 consent naming Harbor Housing Partners" in check.problem


def test_a_consent_that_leaves_out_a_category_does_not_cover(alice, org):
    part2(alice, org, categories=["demographics", "sud"])
    check = consent_covering(client=alice, categories=["sud", "mental_health"], organization=org)
    assert not check.allowed
    assert "does not cover: Mental health" in check.problem


def test_a_consent_not_yet_signed_on_the_day_does_not_cover(alice, org):
    part2(alice, org, signed_on=days(0))
    check = consent_covering(client=alice, categories=["sud"], organization=org, on=days(-1))
    assert not check.allowed
    assert "only takes effect" in check.problem


def test_an_active_consent_naming_the_recipient_covers(alice, org):
    consent = part2(alice, org)
    check = consent_covering(client=alice, categories=["sud", "demographics"], organization=org)
    assert check.allowed and check.consent == consent


def test_a_named_person_recipient_is_matched_by_name(alice):
    consent = ConsentFactory(client=alice, recipient_name="Dr. Lee")
    assert consent_covering(client=alice, categories=["sud"], recipient_name="dr. lee").consent == consent
    assert not consent_covering(client=alice, categories=["sud"], recipient_name="Dr. Kim").allowed


def test_text_consent_and_grouping(alice, counselor):
    assert not has_text_consent(alice)
    ConsentFactory(client=alice, kind=ConsentKind.TEXT_MESSAGING, recipient_name="", categories=[])
    old = ConsentFactory(client=alice, signed_on=days(-400), expires_on=days(-30))
    gone = ConsentFactory(client=alice, revoked_on=days(-1), revoked_reason="asked")
    assert has_text_consent(alice)
    groups = consents_for_client(alice)
    assert len(groups.active) == 1 and groups.expired == [old] and groups.revoked == [gone]


# --- consent_record -----------------------------------------------------------------------------


def valid(org=None, **changes) -> dict:
    data = {
        "kind": ConsentKind.PART2,
        "recipient_organization": org,
        "recipient_name": "" if org else "Dr. Lee",
        "purpose": "Housing referral",
        "categories": ["demographics", "sud"],
        "signed_on": timezone.localdate(),
        "signature_method": "paper",
        "expires_on": days(180),
        "expires_on_event": "",
    }
    data.update(changes)
    return data


def test_recording_a_consent_saves_and_audits_it(alice, counselor, org):
    consent = services.consent_record(client=alice, acting_user=counselor, data=valid(org))
    assert consent.recorded_by == counselor and consent.recipient_organization == org
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(consent.pk), client=alice
    ).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recipient_name": ""}, "recipient_name"),
        ({"purpose": " "}, "purpose"),
        ({"categories": []}, "categories"),
        ({"categories": ["sud", "gossip"]}, "categories"),
        ({"expires_on": None}, "expires_on"),
        ({"signed_on": days(3), "expires_on": days(300)}, "signed_on"),
        ({"expires_on": days(-5), "signed_on": days(-1)}, "expires_on"),
    ],
)
def test_recording_refuses_an_incomplete_consent(alice, counselor, changes, field):
    with pytest.raises(ValidationError) as exc:
        services.consent_record(client=alice, acting_user=counselor, data=valid(**changes))
    assert field in exc.value.message_dict
    assert not Consent.objects.exists()


def test_recording_refuses_two_recipients_at_once(alice, counselor, org):
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            client=alice, acting_user=counselor, data=valid(org, recipient_name="Dr. Lee")
        )
    assert "not both" in exc.value.message_dict["recipient_name"][0]


def test_an_expiry_event_stands_in_for_a_date(alice, counselor):
    consent = services.consent_record(
        client=alice, acting_user=counselor, data=valid(expires_on=None, expires_on_event="On discharge")
    )
    assert consent.expires_on is None


def test_a_text_messaging_consent_needs_no_recipient(alice, counselor):
    data = valid(
        kind=ConsentKind.TEXT_MESSAGING, recipient_name="", purpose="", categories=[], expires_on=None
    )
    assert services.consent_record(client=alice, acting_user=counselor, data=data).pk


# --- consent_revoke -----------------------------------------------------------------------------


def test_revoking_sends_the_signal_once_and_a_second_revoke_is_refused(alice, counselor, org):
    consent = part2(alice, org)
    received = []

    def receiver(sender, consent, acting_user, **kwargs):
        received.append((consent.pk, acting_user))

    consent_revoked.connect(receiver)
    try:
        services.consent_revoke(consent=consent, acting_user=counselor, reason="Client asked in writing")
        with pytest.raises(DomainError, match="already revoked"):
            services.consent_revoke(consent=consent, acting_user=counselor, reason="again")
    finally:
        consent_revoked.disconnect(receiver)
    consent.refresh_from_db()
    assert received == [(consent.pk, counselor)]
    assert consent.revoked_on == timezone.localdate() and consent.revoked_reason == "Client asked in writing"
    assert not consent_covering(client=alice, categories=["sud"], organization=org).allowed
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(consent.pk)).count() == 1


@pytest.mark.parametrize(("reason", "on"), [("", None), ("asked", 2), ("asked", -20)])
def test_revoking_needs_a_reason_and_a_date_between_signing_and_today(alice, counselor, reason, on):
    consent = ConsentFactory(client=alice, signed_on=days(-10))
    with pytest.raises(DomainError):
        services.consent_revoke(
            consent=consent, acting_user=counselor, reason=reason, on=days(on) if on is not None else None
        )
    consent.refresh_from_db()
    assert consent.revoked_on is None


def test_a_disclosure_is_recorded_and_audited(alice, counselor, org):
    consent = part2(alice, org)
    d = services.disclosure_record(
        client=alice,
        acting_user=counselor,
        categories=["sud", "demographics", "sud"],
        description="Referral packet",
        purpose="Housing referral",
        consent=consent,
        recipient_organization=org,
    )
    assert d.categories == ["demographics", "sud"]
    assert AuditEvent.objects.filter(action=AuditAction.DISCLOSE, client=alice).count() == 1


def test_the_disclosure_factory_makes_a_row(alice, counselor):
    assert DisclosureFactory(client=alice, disclosed_by=counselor).pk
