"""The issue's "done when", through the pages only: a case manager closes a referral loop.

Identify a need → find a service → the consent check refuses → record the consent it asks for →
send → the partner answers through the emailed link (accept, schedule, attended) → the loop is
closed with "connected", the need is met and the disclosure is in the accounting of disclosures.
"""

import datetime as dt
import re

from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients.models import Disclosure, Need, NeedStatus
from referrals.models import Referral, ReferralOutcome, ReferralStatus
from tests.conftest import login


def test_a_case_manager_closes_the_loop_with_the_partner_through_the_link(
    alice, cm, pantry, django_capture_on_commit_callbacks
):
    http = login(cm)

    # 1. Identify a need from the chart's Needs & Referrals tab.
    tab = reverse("referrals:client-tab", args=[alice.pk])
    response = http.post(
        reverse("clients:needs:create", args=[alice.pk]) + f"?next={tab}",
        {"category": "food", "description": "Food runs out mid-month", "urgency": "routine"},
    )
    assert response.status_code == 302 and response["Location"] == tab
    need = Need.objects.get(client=alice)
    assert "Food runs out mid-month" in http.get(tab).content.decode()

    # 2. Find a service for it and choose it.
    create = reverse("referrals:create", args=[alice.pk])
    search = http.get(create, {"need": need.pk}).content.decode()
    assert "Eastside Food Pantry" in search
    response = http.post(
        f"{create}?need={need.pk}&service={pantry.pk}",
        {
            "reason": "Needs groceries until her first paycheck.",
            "urgency": "routine",
            "shared_categories": ["demographics", "sud"],
            "shared_summary": "In outpatient SUD treatment; prefers afternoon calls.",
        },
    )
    referral = Referral.objects.get(client=alice)
    detail = response["Location"]

    # 3. The consent check refuses to send SUD information and links to the consent form.
    page = http.get(detail).content.decode()
    assert "There is no Part 2 consent naming Eastside Community Center" in page
    consent_link = re.search(r'href="([^"]*/consents/add/\?[^"]*)"', page).group(1).replace("&amp;", "&")
    assert http.post(detail, {"action": "send"}).status_code == 400

    # 4. Record the consent the client signs (the form comes prefilled from the link).
    form = http.get(consent_link).content.decode()
    assert f'value="{pantry.organization_id}" selected' in form
    for category in ("demographics", "sud"):  # both categories the referral shares come ticked
        assert re.search(rf'value="{category}"[^>]*checked', form), category
    today = timezone.localdate()
    response = http.post(
        consent_link,
        {
            "kind": "part2",
            "recipient_organization": pantry.organization_id,
            "purpose": "Referral for food assistance",
            "categories": ["demographics", "sud"],
            "signed_on": today.isoformat(),
            "signature_method": "paper",
            "expires_on": (today + dt.timedelta(days=365)).isoformat(),
        },
    )
    assert response.status_code == 302 and response["Location"] == detail

    # 5. Send: the referral is requested, the need referred, the partner emailed a link.
    # The partner's email is an outbox message, queued for sending once the send commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert http.post(detail, {"action": "send"}).status_code == 302
    referral.refresh_from_db()
    need.refresh_from_db()
    assert (referral.status, need.status) == (ReferralStatus.REQUESTED, NeedStatus.REFERRED)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["referrals@eastside.example.org"]
    assert "outreach-status-sent" in http.get(detail).content.decode()  # the partner email, shown sent
    partner_url = re.search(r"https?://\S+/referrals/partner/\S+", mail.outbox[0].body).group(0)
    partner_path = partner_url.split("://", 1)[1].split("/", 1)[1]

    # 6. The partner, with no account, sees the packet with the Part 2 notice, and answers.
    partner = HttpClient()
    packet = partner.get("/" + partner_path).content.decode()
    assert "Needs groceries until her first paycheck." in packet and "42 CFR part 2" in packet
    assert partner.post("/" + partner_path, {"action": "accept"}).status_code == 302
    when = (timezone.localtime() + dt.timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    partner.post(
        "/" + partner_path, {"action": "schedule", "schedule-appointment_at": when.strftime("%Y-%m-%dT%H:%M")}
    )
    assert partner.post("/" + partner_path, {"action": "attended"}).status_code == 302

    # 7. The loop is closed with "connected", the need met, and the case manager sees it all.
    referral.refresh_from_db()
    need.refresh_from_db()
    assert (referral.status, referral.outcome) == (ReferralStatus.COMPLETED, ReferralOutcome.CONNECTED)
    assert need.status == NeedStatus.MET
    timeline = http.get(detail).content.decode()
    assert "Requested → Accepted" in timeline and "Completed" in timeline

    # 8. The disclosure is accounted for, on the Consents tab and its printable report.
    disclosure = Disclosure.objects.get(client=alice)
    assert disclosure.recipient_organization == pantry.organization and "sud" in disclosure.categories
    accounting = http.get(reverse("clients:consents:tab", args=[alice.pk])).content.decode()
    assert "Eastside Community Center" in accounting and "Referral for food assistance" in accounting
    report = http.get(reverse("clients:consents:disclosures-print", args=[alice.pk]))
    assert report.status_code == 200 and "Eastside Community Center" in report.content.decode()
