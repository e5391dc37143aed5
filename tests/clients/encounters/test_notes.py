"""Session notes: drafts, signing and the lock, addenda, co-signature, restricted notes, peers."""

import pytest
from django.urls import reverse

from careteam.errors import DomainError
from careteam.models import Task, TaskKind, TaskStatus
from clients.encounters import services
from clients.models import EncounterNote, NoteAddendum, NoteStatus
from tests.concurrency import open_form
from tests.conftest import login
from tests.factories import AppointmentFactory, EncounterNoteFactory, UserFactory, assign

from .conftest import dap


def note_url(note, name="note-detail"):
    return reverse(f"clients:encounters:{name}", args=[note.client_id, note.pk])


def tab_url(client):
    return reverse("clients:encounters:tab", args=[client.pk])


@pytest.fixture
def signed_note(alice, counselor, attended):
    note = services.note_create(client=alice, acting_user=counselor, data=dap(), appointment=attended)
    return services.note_sign(note=note, acting_user=counselor)


@pytest.fixture
def trainee(alice, team, supervisor):
    """A counselor whose notes need a supervisor's co-signature, on Alice's care team."""
    user = UserFactory(username="trainee", role="counselor", notes_require_cosign=True)
    team.members.add(user)
    assign(alice, user, "other")
    return user


# --- writing and signing ------------------------------------------------------------------------


def test_a_counselor_writes_and_signs_a_note_on_an_attended_session(alice, counselor, attended):
    http = login(counselor)
    create = reverse("clients:encounters:note-create", args=[alice.pk]) + f"?appointment={attended.pk}"
    assert http.get(create).status_code == 200

    response = http.post(create, {**dap(), "appointment": attended.pk, "sign": "1"})

    note = EncounterNote.objects.get()
    assert response.status_code == 302 and response["Location"] == note_url(note)
    assert note.appointment == attended and note.status == NoteStatus.SIGNED
    assert note.signed_by == counselor and note.signed_at is not None and not note.requires_cosign


def test_a_note_needs_an_attended_appointment(alice, counselor, scheduled):
    with pytest.raises(DomainError, match="attended"):
        services.note_create(client=alice, acting_user=counselor, data=dap(), appointment=scheduled)


def test_a_note_without_an_appointment_is_allowed_for_crisis_work(alice, counselor):
    note = services.note_create(client=alice, acting_user=counselor, data=dap())
    assert note.appointment is None and note.status == NoteStatus.DRAFT


def test_soap_keeps_only_soap_sections(alice, counselor):
    note = services.note_create(
        client=alice,
        acting_user=counselor,
        data={"format": "soap", "subjective": "S", "objective": "O", "data": "ignored", "assessment": "A"},
    )
    assert (note.subjective, note.objective, note.data, note.assessment) == ("S", "O", "", "A")


def test_signing_requires_every_section_of_the_format(alice, counselor):
    note = services.note_create(client=alice, acting_user=counselor, data=dap(plan=""))

    with pytest.raises(DomainError, match="plan"):
        services.note_sign(note=note, acting_user=counselor)


def test_bad_note_input_is_refused_with_field_errors_and_nothing_saved(alice, counselor):
    response = login(counselor).post(
        reverse("clients:encounters:note-create", args=[alice.pk]),
        {"format": "dap", "data": "", "assessment": "", "plan": "", "minutes_spent": "-5"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert html.count('aria-invalid="true"') >= 2
    assert not EncounterNote.objects.exists()


def test_a_draft_is_edited_by_its_author(alice, counselor):
    note = services.note_create(client=alice, acting_user=counselor, data=dap())

    http = login(counselor)
    version = open_form(http, note_url(note, "note-update"))
    response = http.post(note_url(note, "note-update"), {**dap(plan="Meet Thursday."), **version})

    note.refresh_from_db()
    assert response.status_code == 302 and note.plan == "Meet Thursday." and note.status == NoteStatus.DRAFT


# --- the lock: page, API (test_api.py), service, admin -----------------------------------------------


def test_a_signed_note_cannot_be_edited_through_the_service(signed_note, counselor):
    with pytest.raises(DomainError, match="signed and locked"):
        services.note_update(note=signed_note, acting_user=counselor, data=dap(plan="changed"))

    signed_note.refresh_from_db()
    assert signed_note.plan == dap()["plan"]


def test_a_signed_note_cannot_be_edited_through_the_page(signed_note, counselor):
    http = login(counselor)

    shown = http.get(note_url(signed_note, "note-update"), follow=True)
    posted = http.post(note_url(signed_note, "note-update"), dap(plan="changed"))

    assert "signed and locked" in shown.content.decode()
    assert posted.status_code == 302 and posted["Location"] == note_url(signed_note)
    signed_note.refresh_from_db()
    assert signed_note.plan == dap()["plan"]


def test_a_signed_note_is_read_only_in_the_admin(signed_note, admin_user):
    http = login(admin_user)
    url = reverse("admin:clients_encounternote_change", args=[signed_note.pk])

    http.post(url, {**dap(plan="changed")})

    signed_note.refresh_from_db()
    assert signed_note.plan == dap()["plan"]
    assert 'name="plan"' not in http.get(url).content.decode()


def test_an_addendum_is_added_to_a_signed_note(signed_note, counselor):
    http = login(counselor)

    response = http.post(
        note_url(signed_note, "note-addendum"), {"text": "Client called: session was 40 min."}
    )

    assert response.status_code == 302
    addendum = NoteAddendum.objects.get()
    assert addendum.author == counselor and addendum.note == signed_note
    assert "session was 40 min" in http.get(note_url(signed_note)).content.decode()


def test_an_empty_addendum_is_refused(signed_note, counselor):
    response = login(counselor).post(note_url(signed_note, "note-addendum"), {"text": ""})

    assert response.status_code == 400 and 'aria-invalid="true"' in response.content.decode()
    assert not NoteAddendum.objects.exists()


def test_a_draft_takes_no_addendum(alice, counselor):
    note = services.note_create(client=alice, acting_user=counselor, data=dap())
    with pytest.raises(DomainError, match="draft"):
        services.note_addendum_add(note=note, acting_user=counselor, text="more")


# --- co-signature -----------------------------------------------------------------------------


def test_the_cosign_flow_creates_one_task_and_cosigning_closes_it(alice, trainee, supervisor):
    """GIVEN a trainee whose notes need co-signature WHEN they sign THEN one task reaches the
    supervisor (signing again changes nothing), the note is in the queue, and co-signing closes it."""
    note = services.note_create(client=alice, acting_user=trainee, data=dap())
    services.note_sign(note=note, acting_user=trainee)
    note.refresh_from_db()
    assert note.requires_cosign

    with pytest.raises(DomainError):
        services.note_sign(note=note, acting_user=trainee)
    tasks = Task.objects.filter(kind=TaskKind.COSIGN_NOTE)
    assert tasks.count() == 1 and tasks.get().assignee == supervisor

    http = login(supervisor)
    queue = http.get(reverse("clients:encounters:cosign-queue"))
    assert queue.status_code == 200 and alice.display_name in queue.content.decode()

    assert http.post(note_url(note, "note-cosign")).status_code == 302
    note.refresh_from_db()
    assert note.cosigned_by == supervisor and note.cosigned_at is not None
    assert tasks.get().status == TaskStatus.DONE
    assert alice.display_name not in http.get(reverse("clients:encounters:cosign-queue")).content.decode()


def test_only_a_supervisor_of_the_author_cosigns(alice, trainee, counselor, other_supervisor):
    note = services.note_sign(
        note=services.note_create(client=alice, acting_user=trainee, data=dap()), acting_user=trainee
    )
    for user in (counselor, other_supervisor):
        with pytest.raises(DomainError):
            services.note_cosign(note=note, acting_user=user)


def test_the_cosign_queue_is_not_for_counselors(counselor):
    assert login(counselor).get(reverse("clients:encounters:cosign-queue")).status_code == 404


# --- restricted notes -------------------------------------------------------------------------------


@pytest.fixture
def restricted_note(alice, counselor):
    note = services.note_create(
        client=alice, acting_user=counselor, data=dap(data="Processing a childhood loss.", restricted=True)
    )
    return services.note_sign(note=note, acting_user=counselor)


def test_a_restricted_note_is_invisible_to_a_teammate_on_the_page_and_tab(restricted_note, alice, teammate):
    http = login(teammate)

    assert http.get(note_url(restricted_note)).status_code == 404
    tab = http.get(tab_url(alice)).content.decode()
    assert "childhood loss" not in tab and "Restricted" not in tab


def test_a_restricted_note_is_visible_to_its_author_and_their_supervisor(
    restricted_note, alice, counselor, supervisor
):
    for user in (counselor, supervisor):
        http = login(user)
        assert "childhood loss" in http.get(note_url(restricted_note)).content.decode()
        assert "childhood loss" in http.get(tab_url(alice)).content.decode()


def test_an_unrestricted_note_is_visible_to_the_teammate(signed_note, teammate):
    assert login(teammate).get(note_url(signed_note)).status_code == 200


# --- peers and outsiders ----------------------------------------------------------------------------


def test_a_peer_sees_the_appointments_they_accompany_but_no_notes_nor_counselling_sessions(
    signed_note, alice, peer
):
    AppointmentFactory(client=alice, staff=peer, kind="peer", location="Corner cafe")
    http = login(peer)

    tab = http.get(tab_url(alice))
    html = tab.content.decode()
    assert tab.status_code == 200 and "Corner cafe" in html
    assert "Individual counseling" not in html  # the counsellor's attended session (minimum necessary)
    assert "Session notes" not in html and dap()["data"] not in html and "Write note" not in html
    assert http.get(note_url(signed_note)).status_code == 404
    assert http.get(reverse("clients:encounters:note-create", args=[alice.pk])).status_code == 403


def test_the_outsider_gets_404_on_every_note_page(signed_note, outsider):
    http = login(outsider)
    for name in ("note-detail", "note-update"):
        assert http.get(note_url(signed_note, name)).status_code == 404, name
    for name in ("note-sign", "note-cosign", "note-addendum"):
        assert http.post(note_url(signed_note, name), {"text": "x"}).status_code == 404, name
    assert (
        http.get(reverse("clients:encounters:note-create", args=[signed_note.client_id])).status_code == 404
    )


def test_note_panels_render_as_htmx_sections_with_a_link(signed_note, counselor, monkeypatch):
    from clients.encounters import views

    monkeypatch.setattr(
        views,
        "note_panels_for",
        lambda user, client, note: [{"key": "k", "label": "Goals addressed", "url": "/p/"}],
    )

    html = login(counselor).get(note_url(signed_note)).content.decode()

    assert (
        'hx-get="/p/"' in html and 'hx-trigger="load"' in html and '<a href="/p/">Goals addressed</a>' in html
    )


def test_factory_signed_note_is_locked(alice, counselor):
    assert EncounterNoteFactory(client=alice, author=counselor, signed=True).is_locked
