"""42 CFR Part 2 program identity: from a Part 2 program (2.11), every disclosure needs a consent naming
the recipient, because the referral itself says the person is the program's patient (2.12, 2.13); the
gate says so, and the disclosure carries the 2.32 notice. Other teams keep the SUD-only rule."""

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients.consents.selectors import PART2_NOTICE, disclosure_needs_consent
from clients.consents.services import consent_revoke
from clients.models import Disclosure
from outreach.models import ScheduledMessage
from referrals import services
from referrals.models import ReferralStatus
from referrals.partner import partner_path
from tests.conftest import api_login, login
from tests.factories.directory import ServiceFactory
from tests.factories.referrals import Part2ConsentFactory

S = ReferralStatus


@pytest.fixture
def part2(team):
    """Alice's team is a Part 2 program (Harbor Outpatient in the demo)."""
    team.name = "Harbor Outpatient"
    team.is_part2_program = True
    team.save(update_fields=["name", "is_part2_program"])
    return team


def _detail(draft):
    return reverse("referrals:detail", args=[draft.pk])


def test_a_part2_programs_demographics_only_referral_is_refused_without_consent(part2, draft, cm, alice):
    assert draft.shared_categories == ["demographics"]
    http = login(cm)

    page = http.get(_detail(draft)).content.decode()
    assert "Cannot send yet." in page
    assert "Harbor Outpatient is a 42 CFR Part 2 program" in page
    assert f"telling Eastside Community Center that {alice.display_name} is referred" in page
    assert "reveals that they are a patient" in page
    assert "kind=part2" in page and f"organization={draft.organization_id}" in page

    refused = http.post(_detail(draft), {"action": "send"})
    assert refused.status_code == 400
    assert "42 CFR Part 2 program" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert not Disclosure.objects.exists()


def test_sharing_only_the_reason_still_needs_consent_from_a_part2_program(part2, draft, cm):
    draft.shared_categories = []
    draft.save()
    response = api_login(cm).post(
        f"/api/v1/referrals/{draft.pk}/transition/", {"to": "requested"}, format="json"
    )
    assert response.status_code == 400
    assert "42 CFR Part 2 program" in response.json()["consent"][0]
    assert not Disclosure.objects.exists()


def test_with_a_consent_naming_the_recipient_it_goes_and_carries_the_notice(part2, draft, cm, alice):
    consent = Part2ConsentFactory(
        client=alice, recipient_organization=draft.organization, categories=["demographics"]
    )
    http = login(cm)
    assert "Covered by the Part 2 consent" in http.get(_detail(draft)).content.decode()
    assert http.post(_detail(draft), {"action": "send"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.REQUESTED and draft.consent == consent

    disclosure = Disclosure.objects.get()
    assert disclosure.consent == consent
    assert disclosure.notice == PART2_NOTICE
    assert "42 CFR part 2" in disclosure.notice

    body = HttpClient().get(partner_path(draft)).content.decode()
    assert "Notice: confidential substance use disorder information (42 CFR part 2)" in body
    assert "This record which has been disclosed to you is protected" in body


def test_a_consent_naming_another_organisation_does_not_count(part2, draft, cm, alice):
    other = ServiceFactory(name="Westside Clinic", organization__name="Westside Health").organization
    Part2ConsentFactory(client=alice, recipient_organization=other, categories=["demographics"])
    response = login(cm).post(_detail(draft), {"action": "send"})
    assert response.status_code == 400
    assert "There is no Part 2 consent naming Eastside Community Center" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_a_revoked_consent_stops_a_new_partner_link(part2, draft, cm, alice):
    consent = Part2ConsentFactory(
        client=alice,
        recipient_organization=draft.organization,
        categories=["demographics"],
        signed_on=timezone.localdate() - dt.timedelta(days=3),
    )
    services.referral_send(referral=draft, acting_user=cm)
    consent_revoke(consent=consent, acting_user=cm, reason="Client asked to stop sharing.")
    response = login(cm).post(_detail(draft), {"action": "link-resend"})
    assert "42 CFR Part 2 program" in response.content.decode()
    assert "was revoked" in response.content.decode()


def test_an_expired_consent_closes_the_link_already_sent_and_stops_its_email(part2, draft, cm, alice):
    consent = Part2ConsentFactory(
        client=alice,
        recipient_organization=draft.organization,
        categories=["demographics"],
        signed_on=timezone.localdate() - dt.timedelta(days=3),
    )
    services.referral_send(referral=draft, acting_user=cm)
    link = partner_path(draft)
    assert HttpClient().get(link).status_code == 200
    email = ScheduledMessage.objects.get(source_type="referrals.referral", source_id=str(draft.pk))
    assert services.partner_email_check(email) is None

    # A revocation withdraws the link (consent_revoke); an expiry has no event to do it, so every view
    # of the link asks again (42 CFR 2.31: no disclosure after the consent ends).
    type(consent).objects.filter(pk=consent.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    closed = HttpClient().get(link)
    assert closed.status_code == 410
    body = closed.content.decode()
    assert "no longer in force" in body and alice.legal_last_name not in body
    assert "consent" in services.partner_email_check(email)


def test_a_team_that_is_not_a_part2_program_keeps_the_sud_only_rule(team, draft, cm, alice):
    assert not team.is_part2_program
    assert draft.shared_categories == ["demographics"]
    http = login(cm)
    assert http.post(_detail(draft), {"action": "send"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.REQUESTED and draft.consent is None
    assert Disclosure.objects.get().notice == ""  # nothing from a Part 2 record went

    body = HttpClient().get(partner_path(draft)).content.decode()
    assert "42 CFR part 2)" not in body
    # Substance-use information still needs the consent there.
    assert disclosure_needs_consent(alice, ["demographics", "sud"])
    assert not disclosure_needs_consent(alice, ["demographics"])


def test_the_rule_reads_the_clients_primary_team(part2, alice, other_team):
    assert disclosure_needs_consent(alice, [])
    assert disclosure_needs_consent(alice, ["demographics"])
    alice.primary_team = other_team
    alice.save(update_fields=["primary_team"])
    alice.refresh_from_db()
    assert not disclosure_needs_consent(alice, ["demographics"])
    assert disclosure_needs_consent(alice, ["sud"])
