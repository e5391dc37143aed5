"""Intake: preferred contact and status start unchosen, so no record is opened on a guess."""

import re

import pytest
from django.urls import reverse

from clients.models import Client
from tests.clients.test_validation import intake_data
from tests.conftest import login

pytestmark = pytest.mark.django_db


def selected_options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', select)


@pytest.mark.parametrize("field", ["preferred_channel", "status"])
def test_the_intake_form_starts_with_nothing_chosen(counselor, field):
    page = login(counselor).get(reverse("clients:create")).content.decode()
    assert selected_options(page, field) in ([], [""])


@pytest.mark.parametrize(
    ("field", "error"),
    [
        ("preferred_channel", "Choose how the client prefers to be contacted."),
        ("status", "Choose the client&#x27;s status in the program."),
    ],
)
def test_intake_without_a_choice_is_refused_with_a_clear_error(team, counselor, field, error):
    data = intake_data(team)
    del data[field]
    response = login(counselor).post(reverse("clients:create"), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Client.objects.exists()


def test_a_client_with_no_phone_is_not_refused_for_a_phone_nobody_chose(team, counselor):
    """GIVEN a client with only an email address
    WHEN the counselor opens the intake form
    THEN "Phone call" is not preselected (which used to refuse the record for want of a phone),
    and choosing email opens it."""
    http = login(counselor)
    page = http.get(reverse("clients:create")).content.decode()
    assert "phone" not in selected_options(page, "preferred_channel")
    data = intake_data(team, phone="", email="jordan@example.org", preferred_channel="email")
    response = http.post(reverse("clients:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Client.objects.get().preferred_channel == "email"


def test_editing_a_record_keeps_its_current_choices(alice, counselor):
    page = login(counselor).get(reverse("clients:update", args=[alice.pk])).content.decode()
    assert selected_options(page, "preferred_channel") == [alice.preferred_channel]
    assert selected_options(page, "status") == [alice.status]
