"""Bad input on the client record is refused with the message next to the field, the user's
other entries kept, and nothing saved — on the intake page, the edit page and the API."""

import datetime as dt
import html
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent
from clients.models import Client
from tests.conftest import api_login, client_form_data, login
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

FUTURE = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
REQUIRED = "This field is required."
BAD_PHONE = "Enter a valid phone number"
ASAM_MISMATCH = "0.5 is not a level of care in the ASAM Criteria, 4th edition (2023)."
NO_DISCHARGE_DATE = "A discharged client needs a discharge date."
NO_DISCHARGE_REASON = "Say why the client was discharged."
NO_TEXT_CONSENT = (
    "Text messages can be the preferred contact only once the client's consent to texts is "
    "recorded (Consents tab). Choose another way for now, or record the texting consent first."
)


def intake_data(team, **changes) -> dict:
    """A complete, valid intake form for a new person, with ``changes``."""
    data = {
        "legal_first_name": "Jordan",
        "legal_last_name": "Okonkwo",
        "date_of_birth": "1990-04-02",
        "preferred_language": "en",
        "phone": "(202) 555-0142",
        "city": "Baltimore",
        "preferred_channel": "phone",
        "time_zone": "America/New_York",
        "status": "active",
        "primary_team": str(team.pk),
    }
    data.update(changes)
    return data


def api_data(team, **changes) -> dict:
    data = intake_data(team, **changes)
    data["primary_team"] = team.pk
    return data


class _Controls(HTMLParser):
    """The attributes of every element that has an id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.by_id[attrs["id"]] = {"tag": tag, **attrs}


def control(response, field: str) -> dict:
    parser = _Controls()
    parser.feed(response.content.decode())
    return parser.by_id[f"id_{field}"]


def field_error(response, field: str) -> str:
    """The text of the error shown under ``field`` (empty if none)."""
    match = re.search(
        rf'<div class="invalid-feedback d-block" id="id_{field}_error">(.*?)</div>',
        response.content.decode(),
        re.DOTALL,
    )
    return html.unescape(match.group(1)) if match else ""


def assert_refused_next_to(response, errors: dict[str, str]) -> None:
    assert response.status_code == 400
    for field, message in errors.items():
        assert message in field_error(response, field), f"{field}: {field_error(response, field)!r}"
        assert control(response, field).get("aria-invalid") == "true", field


# --- intake --------------------------------------------------------------------------------------

INTAKE_CASES = {
    "a birth date in the future": ({"date_of_birth": FUTURE}, {"date_of_birth": "cannot be in the future"}),
    "a birth date before 1900": ({"date_of_birth": "1899-12-31"}, {"date_of_birth": "before 1900"}),
    "a five-digit phone number": ({"phone": "12345"}, {"phone": BAD_PHONE}),
    "words for a phone number": ({"phone": "not a phone"}, {"phone": BAD_PHONE}),
    "no legal first name": ({"legal_first_name": ""}, {"legal_first_name": REQUIRED}),
    "a blank legal first name": ({"legal_first_name": "   "}, {"legal_first_name": REQUIRED}),
    "no legal last name": ({"legal_last_name": ""}, {"legal_last_name": REQUIRED}),
    "an ASAM level from the other edition": (
        {"asam_edition": "4", "asam_level": "0.5"},
        {"asam_level": ASAM_MISMATCH},
    ),
    "discharged without a date or reason": (
        {"status": "discharged"},
        {"discharged_on": NO_DISCHARGE_DATE, "discharge_reason": NO_DISCHARGE_REASON},
    ),
    "texts preferred without consent to texts": (
        {"preferred_channel": "sms"},
        {"preferred_channel": NO_TEXT_CONSENT},
    ),
    "email preferred without an address": (
        {"preferred_channel": "email"},
        {"email": "email address is needed"},
    ),
    "quiet hours with a start but no end": (
        {"quiet_hours_start": "21:00"},
        {"quiet_hours_end": "both the start"},
    ),
    "discharged before admitted": (
        {"admitted_on": "2024-03-01", "discharged_on": "2024-02-01", "discharge_reason": "completed"},
        {"discharged_on": "Discharge cannot come before admission."},
    ),
}


@pytest.mark.parametrize(("bad_input", "errors"), INTAKE_CASES.values(), ids=INTAKE_CASES.keys())
def test_intake_refuses_bad_input_next_to_the_field_keeps_the_rest_and_saves_nothing(
    team, counselor, bad_input, errors
):
    clients_before = Client.objects.count()
    data = intake_data(team, **bad_input)

    response = login(counselor).post(reverse("clients:create"), data)

    assert_refused_next_to(response, errors)
    assert "Nothing has been saved yet" in response.content.decode()
    for kept in ("legal_last_name", "city"):
        if kept not in bad_input:
            assert control(response, kept)["value"] == data[kept]
    assert control(response, "city")["value"] == "Baltimore"
    assert Client.objects.count() == clients_before
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="clients.client").exists()


def test_intake_of_a_possible_duplicate_warns_and_saves_nothing_until_confirmed(alice, counselor, team):
    """GIVEN Alice Rivera on the counselor's caseload WHEN they open a record for "Alicia Rivera"
    born the same day THEN they see Alice as a possible match and nothing is saved; once they tick
    that this is someone else, the record is opened."""
    data = intake_data(
        team,
        legal_first_name="Alicia",
        legal_last_name="Rivera",
        date_of_birth=alice.date_of_birth.isoformat(),
    )
    http = login(counselor)
    clients_before = Client.objects.count()

    response = http.post(reverse("clients:create"), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Possible existing record" in page
    assert reverse("clients:detail", args=[alice.pk]) in page
    assert alice.record_number in page
    assert 'name="confirm_not_duplicate"' in page
    assert control(response, "legal_first_name")["value"] == "Alicia"
    assert Client.objects.count() == clients_before
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="clients.client").exists()

    response = http.post(reverse("clients:create"), {**data, "confirm_not_duplicate": "on"})

    assert response.status_code == 302
    created = Client.objects.get(legal_first_name="Alicia")
    assert response.url == reverse("clients:detail", args=[created.pk])
    assert Client.objects.count() == clients_before + 1


def test_a_possible_duplicate_in_another_team_is_only_counted_never_named(team, other_team, counselor):
    """GIVEN Bernadette Okafor on another team WHEN a counselor here starts an intake for
    "Bernadett Okafor" born the same day THEN they are told one similar record exists elsewhere,
    with nothing that identifies her; confirming still opens the new record."""
    theirs = ClientFactory(
        legal_first_name="Bernadette",
        legal_last_name="Okafor",
        preferred_name="Bernie",
        date_of_birth=dt.date(1984, 7, 19),
        primary_team=other_team,
    )
    data = intake_data(
        team, legal_first_name="Bernadett", legal_last_name="Okafor", date_of_birth="1984-07-19"
    )
    http = login(counselor)

    response = http.post(reverse("clients:create"), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "1 similar record exists in another team" in page
    assert "Bernadette" not in page
    assert "Bernie" not in page
    assert theirs.record_number not in page
    assert reverse("clients:detail", args=[theirs.pk]) not in page
    assert not Client.objects.filter(legal_first_name="Bernadett").exists()

    response = http.post(reverse("clients:create"), {**data, "confirm_not_duplicate": "on"})

    assert response.status_code == 302
    assert Client.objects.filter(legal_first_name="Bernadett", primary_team=team).exists()


def test_a_different_person_with_the_same_birthday_gets_no_warning(alice, counselor, team):
    data = intake_data(
        team,
        legal_first_name="Marcus",
        legal_last_name="Lindqvist",
        date_of_birth=alice.date_of_birth.isoformat(),
    )

    response = login(counselor).post(reverse("clients:create"), data)

    assert response.status_code == 302
    assert Client.objects.filter(legal_last_name="Lindqvist").exists()


# --- editing -------------------------------------------------------------------------------------

EDIT_CASES = {
    "a birth date in the future": ({"date_of_birth": FUTURE}, {"date_of_birth": "cannot be in the future"}),
    "an invalid phone number": ({"phone": "12345"}, {"phone": BAD_PHONE}),
    "no legal last name": ({"legal_last_name": ""}, {"legal_last_name": REQUIRED}),
    "an ASAM level from the other edition": (
        {"asam_edition": "4", "asam_level": "0.5"},
        {"asam_level": ASAM_MISMATCH},
    ),
    "discharged without a date or reason": (
        {"status": "discharged"},
        {"discharged_on": NO_DISCHARGE_DATE, "discharge_reason": NO_DISCHARGE_REASON},
    ),
    "texts preferred without consent to texts": (
        {"preferred_channel": "sms"},
        {"preferred_channel": NO_TEXT_CONSENT},
    ),
}


def stored(client) -> dict:
    return Client.objects.filter(pk=client.pk).values().get()


@pytest.mark.parametrize(("bad_input", "errors"), EDIT_CASES.values(), ids=EDIT_CASES.keys())
def test_the_edit_page_refuses_bad_input_and_leaves_the_record_as_it_was(alice, counselor, bad_input, errors):
    """GIVEN Alice's record WHEN her counselor saves a good change (city) together with a bad one
    THEN the page is refused with the message at the bad field and nothing at all is stored."""
    before = stored(alice)
    data = client_form_data(alice, city="Springfield", **bad_input)

    response = login(counselor).post(reverse("clients:update", args=[alice.pk]), data)

    assert_refused_next_to(response, errors)
    assert control(response, "city")["value"] == "Springfield"
    assert stored(alice) == before
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE, client=alice).exists()


API_CASES = {
    "a birth date in the future": ({"date_of_birth": FUTURE}, ["date_of_birth"]),
    "a birth date before 1900": ({"date_of_birth": "1899-12-31"}, ["date_of_birth"]),
    "a five-digit phone number": ({"phone": "12345"}, ["phone"]),
    "words for a phone number": ({"phone": "not a phone"}, ["phone"]),
    "a blank legal first name": ({"legal_first_name": ""}, ["legal_first_name"]),
    "a legal last name of spaces": ({"legal_last_name": "   "}, ["legal_last_name"]),
    "an ASAM level from the other edition": ({"asam_edition": "4", "asam_level": "0.5"}, ["asam_level"]),
    "discharged without a date or reason": ({"status": "discharged"}, ["discharged_on", "discharge_reason"]),
    "texts preferred without consent to texts": ({"preferred_channel": "sms"}, ["preferred_channel"]),
    "quiet hours with a start but no end": ({"quiet_hours_start": "21:00"}, ["quiet_hours_end"]),
}
API_MESSAGES = {
    "asam_level": ASAM_MISMATCH,
    "discharged_on": NO_DISCHARGE_DATE,
    "discharge_reason": NO_DISCHARGE_REASON,
    "preferred_channel": NO_TEXT_CONSENT,
}


def assert_api_field_errors(response, fields: list[str]) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    for field in fields:
        assert body.get(field), f"no message for {field}: {body}"
        assert all(isinstance(m, str) and m for m in body[field])
        if field in API_MESSAGES:
            assert API_MESSAGES[field] in body[field]


@pytest.mark.parametrize(("bad_input", "fields"), API_CASES.values(), ids=API_CASES.keys())
def test_the_api_refuses_to_create_a_record_from_bad_input(team, counselor, bad_input, fields):
    clients_before = Client.objects.count()

    response = api_login(counselor).post("/api/v1/clients/", api_data(team, **bad_input), format="json")

    assert_api_field_errors(response, fields)
    assert Client.objects.count() == clients_before
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="clients.client").exists()


def test_the_api_creates_a_record_from_good_input(team, counselor):
    response = api_login(counselor).post("/api/v1/clients/", api_data(team), format="json")

    assert response.status_code == 201, response.content
    assert Client.objects.filter(legal_last_name="Okonkwo").exists()


@pytest.mark.parametrize(("bad_input", "fields"), API_CASES.values(), ids=API_CASES.keys())
def test_an_api_patch_with_bad_input_is_refused_and_changes_nothing(alice, counselor, bad_input, fields):
    before = stored(alice)

    response = api_login(counselor).patch(
        f"/api/v1/clients/{alice.pk}/", {"city": "Springfield", **bad_input}, format="json"
    )

    assert_api_field_errors(response, fields)
    assert stored(alice) == before
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE, client=alice).exists()
