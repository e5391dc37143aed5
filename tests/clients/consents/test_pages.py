"""The Consents tab, recording and revoking a consent, the printable accounting of disclosures."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent
from clients.models import Consent
from tests.conftest import login
from tests.factories import ConsentFactory, DisclosureFactory

pytestmark = pytest.mark.django_db


def tab(client):
    return reverse("clients:consents:tab", args=[client.pk])


def create(client):
    return reverse("clients:consents:create", args=[client.pk])


def revoke(consent):
    return reverse("clients:consents:revoke", args=[consent.client_id, consent.pk])


def printed(client):
    return reverse("clients:consents:disclosures-print", args=[client.pk])


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def consents(alice, counselor, org):
    return {
        "active": ConsentFactory(
            client=alice, recipient_organization=org, recipient_name="", purpose="Housing"
        ),
        "expired": ConsentFactory(
            client=alice, recipient_name="Dr. Old", signed_on=days(-400), expires_on=days(-3)
        ),
        "revoked": ConsentFactory(
            client=alice, recipient_name="County Court", revoked_on=days(-1), revoked_reason="Client asked"
        ),
    }


def test_the_tab_groups_consents_and_lists_disclosures(alice, counselor, consents, org):
    DisclosureFactory(
        client=alice,
        recipient_organization=org,
        recipient_name="",
        consent=consents["active"],
        disclosed_by=counselor,
    )
    response = login(counselor).get(tab(alice))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("Active", "Expired", "Revoked", "Accounting of disclosures"):
        assert heading in html
    assert "Harbor Housing Partners" in html and "Dr. Old" in html and "County Court" in html
    assert "Referral packet" in html and "Substance use diagnosis and treatment" in html
    assert html.index("Dr. Old") > html.index('id="h-consents-expired"')
    assert (
        AuditEvent.objects.filter(action=AuditAction.VIEW, client=alice, detail__tab="consents").count() == 1
    )
    assert (
        f'href="{tab(alice)}"'
        in login(counselor).get(reverse("clients:detail", args=[alice.pk])).content.decode()
    )


@pytest.mark.parametrize("persona", ["counselor", "case_manager", "crisis_worker", "supervisor"])
def test_the_care_team_sees_the_tab(request, team_on_case, persona):
    assert login(request.getfixturevalue(persona)).get(tab(team_on_case)).status_code == 200


def test_a_peer_never_sees_consents(alice, peer, consents):
    http = login(peer)
    overview = http.get(reverse("clients:detail", args=[alice.pk])).content.decode()
    assert tab(alice) not in overview and ">Consents<" not in overview
    for url in (tab(alice), create(alice), revoke(consents["active"]), printed(alice)):
        assert http.get(url).status_code == 404, url
    assert http.post(revoke(consents["active"]), {"reason": "x", "on": days(0)}).status_code == 404


def test_the_outsider_gets_404_on_every_page(alice, outsider, consents):
    http = login(outsider)
    for url in (tab(alice), create(alice), revoke(consents["active"]), printed(alice)):
        assert http.get(url).status_code == 404, url


def test_recording_a_consent_prefilled_from_the_referral_gate(alice, counselor, org):
    http = login(counselor)
    back = reverse("clients:detail", args=[alice.pk]) + "?from=gate"
    url = (
        f"{create(alice)}?kind=part2&organization={org.pk}&categories=sud&categories=demographics&next={back}"
    )
    page = http.get(url)
    form = page.context["form"]
    assert form.initial["kind"] == "part2"
    assert form.initial["recipient_organization"] == org
    assert form.initial["categories"] == ["sud", "demographics"]
    assert f'value="{back}"' in page.content.decode().replace("&amp;", "&")
    response = http.post(
        create(alice),
        {
            "kind": "part2",
            "recipient_organization": org.pk,
            "purpose": "Housing referral",
            "categories": ["sud", "demographics"],
            "signed_on": days(0).isoformat(),
            "signature_method": "electronic",
            "expires_on": days(365).isoformat(),
            "next": back,
        },
    )
    assert response.status_code == 302 and response.url == back
    consent = Consent.objects.get(client=alice)
    assert consent.recipient_organization == org and set(consent.categories) == {"sud", "demographics"}


def test_a_bad_consent_shows_errors_and_keeps_the_input(alice, counselor):
    response = login(counselor).post(
        create(alice),
        {
            "kind": "part2",
            "recipient_name": "Dr. Lee",
            "purpose": "Care coordination",
            "signed_on": days(0).isoformat(),
            "signature_method": "paper",
            "next": "https://evil.example.com/",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "A Part 2 consent needs an expiry date or event." in html
    assert "Tick the kinds of information" in html
    assert 'value="Dr. Lee"' in html and "evil.example.com" not in html
    assert not Consent.objects.exists()


def test_revoking_from_the_tab(alice, counselor, consents):
    http = login(counselor)
    assert http.get(revoke(consents["active"])).status_code == 200
    response = http.post(revoke(consents["active"]), {"reason": "Client asked in writing", "on": days(0)})
    assert response.status_code == 302
    consents["active"].refresh_from_db()
    assert consents["active"].revoked_on == days(0)
    again = http.post(revoke(consents["active"]), {"reason": "twice", "on": days(0)})
    assert again.status_code == 400 and "already revoked" in again.content.decode()


def test_revoking_needs_a_reason(alice, counselor, consents):
    response = login(counselor).post(revoke(consents["active"]), {"reason": "", "on": days(0)})
    assert response.status_code == 400
    consents["active"].refresh_from_db()
    assert consents["active"].revoked_on is None


def test_the_printable_report_filters_by_date_and_is_audited_as_an_export(alice, counselor, org):
    DisclosureFactory(
        client=alice, description="Old packet", disclosed_at=timezone.now() - dt.timedelta(days=40)
    )
    DisclosureFactory(client=alice, description="New packet", disclosed_by=counselor)
    http = login(counselor)
    everything = http.get(printed(alice)).content.decode()
    assert "Old packet" in everything and "New packet" in everything
    assert alice.record_number in everything and alice.legal_name in everything
    assert "42 CFR part 2" in everything
    recent = http.get(printed(alice), {"start": days(-7).isoformat(), "end": days(0).isoformat()})
    assert "New packet" in recent.content.decode() and "Old packet" not in recent.content.decode()
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT, client=alice)
    assert exports.count() == 2
    assert exports.order_by("-id").first().detail["start"] == days(-7).isoformat()
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, client=alice).exists()
    bad = http.get(printed(alice), {"start": days(0).isoformat(), "end": days(-3).isoformat()})
    assert bad.status_code == 400 and "before its start" in bad.content.decode()
    assert "New packet" not in bad.content.decode() and "Old packet" not in bad.content.decode()
    assert exports.count() == 2  # nothing was exported


def _queries(http, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_tab_costs_the_same_queries_for_2_or_20_rows(alice, counselor, org):
    http = login(counselor)

    def add(n):
        for i in range(n):
            c = ConsentFactory(client=alice, recipient_organization=org, recipient_name="", revoked_on=None)
            DisclosureFactory(client=alice, recipient_organization=org, recipient_name="", consent=c)
            ConsentFactory(
                client=alice, recipient_name=f"Person {i}", signed_on=days(-300), expires_on=days(-2)
            )

    add(2)
    few = _queries(http, tab(alice)), _queries(http, printed(alice))
    add(18)
    many = _queries(http, tab(alice)), _queries(http, printed(alice))
    assert few == many
