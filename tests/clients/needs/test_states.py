"""The need status table, walked pair by pair through ``need_set_status``, and the rule it holds for
every caller: a need closed without being met carries a note saying why."""

import pytest

from careteam.errors import DomainError
from careteam.models import AuditAction, AuditEvent
from careteam.statemachine import StaleStateError
from clients.models import Need, NeedStatus
from clients.needs import services
from clients.needs.states import NEED_STATES, NOTE_REQUIRED, NOTE_REQUIRED_MESSAGE
from tests.conftest import api_login
from tests.factories import NeedFactory

N = NeedStatus
LEGAL = [pair for pair in NEED_STATES.all_pairs() if NEED_STATES.can_move(*pair)]
ILLEGAL = [pair for pair in NEED_STATES.all_pairs() if not NEED_STATES.can_move(*pair)]


def set_status_url(need):
    return f"/api/v1/needs/{need.pk}/set-status/"


def test_a_need_is_referred_or_closed_while_open_and_reopened_once_closed():
    assert {a: set(NEED_STATES.targets(a)) for a in N.values} == {
        N.OPEN: {N.REFERRED, N.MET, N.UNMET_CLOSED, N.DECLINED},
        N.REFERRED: {N.OPEN, N.MET, N.UNMET_CLOSED, N.DECLINED},
        N.MET: {N.OPEN},
        N.UNMET_CLOSED: {N.OPEN, N.MET},
        N.DECLINED: {N.OPEN, N.MET},
    }
    assert {N.UNMET_CLOSED, N.DECLINED} == NOTE_REQUIRED


@pytest.mark.parametrize(("start", "to"), LEGAL)
def test_every_legal_move_is_made_and_audited(start, to, alice, counselor):
    need = NeedFactory(client=alice, status=start)

    services.need_set_status(need=need, status=to, acting_user=counselor, note="Talked it over with her.")

    need.refresh_from_db()
    assert need.status == to and need.status_changed_at is not None
    audit = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(need.pk))
    assert audit.detail == {"from": start, "status": to}


@pytest.mark.parametrize(("start", "to"), ILLEGAL)
def test_every_illegal_move_is_refused_and_nothing_changes(start, to, alice, counselor):
    need = NeedFactory(client=alice, status=start)

    with pytest.raises(DomainError) as exc:
        services.need_set_status(need=need, status=to, acting_user=counselor, note="Talked it over with her.")

    assert (exc.value.message, exc.value.field) == (NEED_STATES.refusal(start, to), "status")
    need.refresh_from_db()
    assert need.status == start
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(need.pk)).exists()


@pytest.mark.parametrize("status", N.values)
def test_setting_the_status_a_need_already_has_is_refused(status, alice, counselor):
    need = NeedFactory(client=alice, status=status)

    with pytest.raises(DomainError, match="already"):
        services.need_set_status(need=need, status=status, acting_user=counselor, note="again")


@pytest.mark.parametrize("to", sorted(NOTE_REQUIRED))
@pytest.mark.parametrize("note", ["", "   "])
def test_the_service_refuses_closing_a_need_unmet_without_a_note(to, note, alice, counselor):
    """GIVEN an open need WHEN anyone — a page, the API, a referral, the admin — closes it as not met
    or declined with no note THEN the service itself refuses, on the ``note`` field."""
    need = NeedFactory(client=alice)

    with pytest.raises(DomainError) as exc:
        services.need_set_status(need=need, status=to, acting_user=counselor, note=note)

    assert (exc.value.message, exc.value.field) == (str(NOTE_REQUIRED_MESSAGE), "note")
    need.refresh_from_db()
    assert need.status == N.OPEN


def test_a_need_met_needs_no_note_and_a_given_note_is_kept(alice, counselor):
    need = NeedFactory(client=alice)
    services.need_set_status(need=need, status=N.MET, acting_user=counselor)
    assert Need.objects.get(pk=need.pk).status == N.MET

    services.need_set_status(need=need, status=N.OPEN, acting_user=counselor)
    services.need_set_status(need=need, status=N.DECLINED, acting_user=counselor, note="  Family helps now ")
    assert Need.objects.get(pk=need.pk).closed_note == "Family helps now"


def test_the_api_answers_a_close_without_a_note_with_400_on_the_note_field(alice, counselor):
    need = NeedFactory(client=alice)

    response = api_login(counselor).post(set_status_url(need), {"status": "unmet_closed"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"note": [str(NOTE_REQUIRED_MESSAGE)]}
    need.refresh_from_db()
    assert need.status == N.OPEN


def test_the_api_answers_a_move_not_in_the_table_with_400_on_the_status_field(alice, counselor):
    need = NeedFactory(client=alice, status=N.MET)

    response = api_login(counselor).post(
        set_status_url(need), {"status": "declined", "note": "Changed her mind"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"status": [NEED_STATES.refusal(N.MET, N.DECLINED)]}
    need.refresh_from_db()
    assert need.status == N.MET


def test_a_move_from_a_stale_read_does_not_overwrite_someone_elses(alice, counselor, supervisor):
    """GIVEN two people with the same open need on screen
    WHEN one marks it met and the other, still seeing it open, closes it as declined
    THEN the second is refused and the need stays met."""
    need = NeedFactory(client=alice)
    stale = Need.objects.get(pk=need.pk)
    services.need_set_status(need=need, status=N.MET, acting_user=counselor)

    with pytest.raises(StaleStateError):
        services.need_set_status(need=stale, status=N.DECLINED, acting_user=supervisor, note="She said no")

    need.refresh_from_db()
    assert need.status == N.MET
