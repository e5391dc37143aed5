"""One texting switch: the text-messaging consent is the only source of "may we text". The chart says
the true state, recording and revoking the consent flips it, the intake form records it as a consent,
and reminders or caring contacts by text are refused on the page before anything is scheduled."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, Consent, ConsentKind
from crisis import services as crisis_services
from crisis.models import CaringContactPlan
from outreach.models import Channel, ClientReminder, ScheduledMessage, SkipReason
from outreach.rules import rule_consent
from outreach.services import message_schedule
from tests.conftest import client_form_data, login
from tests.factories.outreach import give_text_consent


def _chart(http, client) -> str:
    return http.get(reverse("clients:detail", args=[client.pk])).content.decode()


@pytest.fixture
def reachable(alice):
    alice.phone = "+12025550148"
    alice.email = "alice@example.org"
    alice.save(update_fields=["phone", "email"])
    return alice


def test_the_chart_says_no_texting_consent_until_one_is_recorded_and_again_once_revoked(reachable, counselor):
    http = login(counselor)
    chart = _chart(http, reachable)
    assert "No texting consent" in chart
    assert "may text" not in chart  # the old yesno label said " may text" for clients who may not
    assert f"{reverse('clients:consents:create', args=[reachable.pk])}?kind=text_messaging" in chart

    recorded = http.post(
        reverse("clients:consents:create", args=[reachable.pk]),
        {
            "kind": "text_messaging",
            "signed_on": timezone.localdate().isoformat(),
            "signature_method": "verbal",
        },
    )
    assert recorded.status_code == 302, recorded.content.decode()[:3000]
    assert "Texting consent on file" in _chart(http, reachable)
    assert Client.objects.get(pk=reachable.pk).text_consent_on_file

    consent = Consent.objects.get(client=reachable, kind=ConsentKind.TEXT_MESSAGING)
    revoked = http.post(
        reverse("clients:consents:revoke", args=[reachable.pk, consent.pk]),
        {"reason": "Client asked for no more texts.", "on": timezone.localdate().isoformat()},
    )
    assert revoked.status_code == 302, revoked.content.decode()[:3000]
    assert "No texting consent" in _chart(http, reachable)
    assert not Client.objects.get(pk=reachable.pk).text_consent_on_file


def test_the_edit_form_has_no_texting_checkbox_but_a_link_to_the_consent(reachable, counselor):
    page = login(counselor).get(reverse("clients:update", args=[reachable.pk])).content.decode()
    assert 'name="may_text"' not in page
    assert "Record texting consent" in page


def test_texts_preferred_without_consent_is_refused_on_the_edit_page_and_allowed_with_it(
    reachable, counselor
):
    http = login(counselor)
    url = reverse("clients:update", args=[reachable.pk])
    refused = http.post(url, client_form_data(reachable, preferred_channel="sms"))
    assert refused.status_code == 400
    assert "only once the client&#x27;s consent to texts is recorded" in refused.content.decode()

    give_text_consent(reachable, counselor)
    accepted = http.post(url, client_form_data(reachable, preferred_channel="sms"))
    assert accepted.status_code == 302
    assert Client.objects.get(pk=reachable.pk).preferred_channel == "sms"


def test_the_intake_form_records_the_texting_consent_with_the_record(team, counselor):
    data = {
        "legal_first_name": "Jordan",
        "legal_last_name": "Okonkwo",
        "date_of_birth": "1990-04-02",
        "preferred_language": "en",
        "phone": "(202) 555-0142",
        "preferred_channel": "sms",
        "time_zone": "America/New_York",
        "status": "active",
        "primary_team": str(team.pk),
    }
    http = login(counselor)
    refused = http.post(reverse("clients:create"), data)
    assert refused.status_code == 400
    assert "consent to texts" in refused.content.decode()
    assert not Client.objects.exists()

    created = http.post(reverse("clients:create"), {**data, "text_consent": "verbal"})
    assert created.status_code == 302, created.content.decode()[:3000]
    client = Client.objects.get()
    consent = Consent.objects.get(client=client)
    assert (consent.kind, consent.signature_method, consent.recorded_by) == (
        ConsentKind.TEXT_MESSAGING,
        "verbal",
        counselor,
    )
    assert client.text_consent_on_file and client.preferred_channel == "sms"
    assert "Texting consent on file" in _chart(http, client)


def test_outreach_skips_texts_by_the_same_switch(reachable, counselor):
    """The send-time rule and the chart read the same consent: no consent, skipped; consent, not
    skipped for consent; revoked, skipped again."""
    message = message_schedule(
        client=reachable,
        template_key="client-reminder",
        channel=Channel.SMS,
        source_kind="client_reminder",
        due_at=timezone.now() + dt.timedelta(days=1),
        idempotency_key="texting-switch",
        context={"label": "check"},
    )

    def consent_rule():
        message.client = Client.objects.get(pk=reachable.pk)
        return rule_consent(message, timezone.now())

    assert consent_rule().reason == SkipReason.NO_TEXT_CONSENT
    consent = give_text_consent(reachable, counselor)
    assert consent_rule() is None
    consent.revoked_on, consent.revoked_reason = timezone.localdate(), "Asked to stop."
    consent.save()
    assert consent_rule().reason == SkipReason.NO_TEXT_CONSENT


def test_a_text_reminder_for_someone_who_cannot_be_texted_is_refused_and_nothing_scheduled(
    reachable, counselor
):
    first = timezone.localtime() + dt.timedelta(days=2)
    response = login(counselor).post(
        reverse("outreach:reminder-create", args=[reachable.pk]),
        {
            "reminder-kind": "medication",
            "reminder-label": "Evening meds",
            "reminder-channel": "sms",
            "reminder-first_at": first.strftime("%Y-%m-%dT%H:%M"),
            "reminder-recurrence": "daily",
        },
    )
    assert response.status_code == 400
    assert "has no texting consent on file, so nothing was scheduled" in response.content.decode()
    assert not ClientReminder.objects.exists()
    assert not ScheduledMessage.objects.exists()


def test_the_caring_contacts_page_warns_and_refuses_texts_without_consent(reachable, counselor):
    http = login(counselor)
    url = reverse("crisis:caring-contacts-start", args=[reachable.pk])
    page = http.get(url).content.decode()
    assert "No texting consent on file: caring contacts can go by email" in page

    response = http.post(
        url,
        {
            "protocol": crisis_services.default_protocol().pk,
            "channel": "sms",
            "signer": counselor.pk,
            "start_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert "has no texting consent on file, so nothing was scheduled" in response.content.decode()
    assert not CaringContactPlan.objects.exists()
    assert not ScheduledMessage.objects.exists()

    by_email = http.post(
        url,
        {
            "protocol": crisis_services.default_protocol().pk,
            "channel": "email",
            "signer": counselor.pk,
            "start_date": timezone.localdate().isoformat(),
        },
    )
    assert by_email.status_code == 302
    assert ScheduledMessage.objects.filter(channel=Channel.EMAIL).exists()
    assert not ScheduledMessage.objects.filter(channel=Channel.SMS).exists()
