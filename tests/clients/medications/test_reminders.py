"""Medication reminders (outreach's client reminders) name the medication they are about, and the
medications tab shows each medication's running reminders."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.models import ClientReminder
from outreach.services import reminder_stop
from tests.conftest import api_login, login
from tests.factories import ClientFactory, MedicationFactory, assign
from tests.factories.outreach import ClientReminderFactory

pytestmark = pytest.mark.django_db


def tab(client):
    return reverse("clients:medications:tab", args=[client.pk])


def messages_tab(client):
    return reverse("outreach:client-messages", args=[client.pk])


def reminder_post(medication_pk, **changes):
    first = (timezone.now() + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    data = {
        "reminder-kind": "medication",
        "reminder-label": "Take your morning film",
        "reminder-channel": "sms",
        "reminder-first_at": timezone.localtime(first).strftime("%Y-%m-%dT%H:%M"),
        "reminder-recurrence": "daily",
        "reminder-until": "",
        "reminder-medication": medication_pk,
    }
    data.update(changes)
    return data


def test_a_medication_reminder_saved_with_its_medication_shows_on_the_medications_tab(textable, counselor):
    """GIVEN Alice on buprenorphine WHEN her counselor follows "Add a reminder" from the medications tab
    and saves the prefilled reminder THEN the reminder names the medication and shows beside it."""
    medication = MedicationFactory(client=textable, moud=True)
    http = login(counselor)
    page = http.get(tab(textable)).content.decode()
    link = f"{messages_tab(textable)}?kind=medication&amp;medication={medication.pk}"
    assert link in page
    form = http.get(f"{messages_tab(textable)}?kind=medication&medication={medication.pk}").content.decode()
    assert f'<option value="{medication.pk}" selected>' in form
    assert '<option value="medication" selected>' in form

    response = http.post(
        reverse("outreach:reminder-create", args=[textable.pk]), reminder_post(medication.pk)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    reminder = ClientReminder.objects.get()
    assert reminder.medication == medication
    row = http.get(tab(textable)).content.decode().split('id="h-current-medications"')[1]
    assert "Take your morning film" in row
    assert "(Buprenorphine/naloxone 8 mg/2 mg film)" in http.get(messages_tab(textable)).content.decode()

    reminder_stop(reminder=reminder, acting_user=counselor, reason="Done")
    assert "Take your morning film" not in http.get(tab(textable)).content.decode()


def test_a_reminder_may_not_name_another_clients_or_a_stopped_medication(textable, counselor, team):
    other = ClientFactory(primary_team=team)
    assign(other, counselor)
    theirs = MedicationFactory(client=other)
    stopped = MedicationFactory(client=textable, status="stopped", stop_date=timezone.localdate())
    http = login(counselor)
    url = reverse("outreach:reminder-create", args=[textable.pk])
    for pk in (theirs.pk, stopped.pk):
        response = http.post(url, reminder_post(pk))
        assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    mine = MedicationFactory(client=textable)
    wrong_kind = http.post(url, reminder_post(mine.pk, **{"reminder-kind": "court"}))
    assert wrong_kind.status_code == 400 and "Only a medication reminder" in wrong_kind.content.decode()
    assert not ClientReminder.objects.exists()


def test_the_reminder_api_takes_a_medication_of_the_same_client_only(textable, jamie, counselor, team):
    other = ClientFactory(primary_team=team)
    assign(other, counselor)
    mine = MedicationFactory(client=textable)
    theirs = MedicationFactory(client=other)
    hidden = MedicationFactory(client=jamie)
    api = api_login(counselor)
    body = {
        "client": textable.pk,
        "kind": "medication",
        "label": "Evening pill",
        "channel": "sms",
        "first_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        "recurrence": "daily",
    }
    for pk in (theirs.pk, hidden.pk):
        refused = api.post("/api/v1/reminders/", {**body, "medication": pk}, format="json")
        assert refused.status_code == 400 and "medication" in refused.json(), refused.json()
    assert not ClientReminder.objects.exists()
    made = api.post("/api/v1/reminders/", {**body, "medication": mine.pk}, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["medication"] == mine.pk and ClientReminder.objects.get().medication == mine


def test_a_peer_neither_sees_nor_sets_the_reminders_medication(textable, peer, counselor):
    medication = MedicationFactory(client=textable)
    ClientReminderFactory(client=textable, medication=medication, created_by=counselor)
    api = api_login(peer)
    listed = api.get("/api/v1/reminders/", {"client": textable.pk})
    assert listed.status_code == 200
    assert listed.json()["results"] and "medication" not in listed.json()["results"][0]
