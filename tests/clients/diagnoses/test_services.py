"""Diagnoses: the shipped code set, the code search, recording and moving a diagnosis, the status table."""

import datetime as dt

import pytest
from django.utils import timezone

from careteam.errors import DomainError
from careteam.models import AuditAction, AuditEvent
from careteam.statemachine import StaleStateError
from clients.diagnoses import selectors, services
from clients.diagnoses.states import DIAGNOSIS_STATES
from clients.models import Diagnosis, DiagnosisCode, DiagnosisStatus, DiagnosisType
from tests.factories import DiagnosisCodeFactory, DiagnosisFactory

pytestmark = pytest.mark.django_db

S = DiagnosisStatus


def code(c: str) -> DiagnosisCode:
    return DiagnosisCode.objects.get(code=c)


def record(client, user, c="F11.20", dtype=DiagnosisType.SECONDARY, **extra):
    return services.diagnosis_record(
        client=client, acting_user=user, data={"code": code(c), "diagnosis_type": dtype, **extra}
    )


# --- the shipped code set (migration 0014) ---------------------------------------------------------


def test_the_migration_ships_the_behavioral_health_codes_with_their_official_descriptions():
    assert code("F11.20").description == "Opioid dependence, uncomplicated"
    assert code("F11.20").billable and code("F11.20").is_active
    assert code("F11").description == "Opioid related disorders" and not code("F11").billable
    assert code("Z59.00").description == "Homelessness unspecified"
    assert code("Z59.01").description == "Sheltered homelessness"
    assert code("Z59.02").description == "Unsheltered homelessness"
    assert code("Z59.0").billable is False  # a heading: Z59.00-Z59.02 are the codes
    fentanyl = code("T40.411A")
    assert fentanyl.description == (
        "Poisoning by fentanyl or fentanyl analogs, accidental (unintentional), initial encounter"
    )
    assert fentanyl.billable and not code("T40.411").billable
    assert code("T42.4X1A").description.startswith("Poisoning by benzodiazepines, accidental")
    assert code("Z71.41").description == "Alcohol abuse counseling and surveillance of alcoholic"
    assert code("Z79.891").description == "Long term (current) use of opiate analgesic"
    assert code("Z91.51").description == "Personal history of suicidal behavior"
    # Outside the subset: no cardiology, no injuries other than the overdose codes.
    assert not DiagnosisCode.objects.filter(code__startswith="I10").exists()
    assert not DiagnosisCode.objects.filter(code__startswith="T39").exists()
    assert DiagnosisCode.objects.exclude(release="FY2026 April 1").count() == 0


def test_loading_the_shipped_subset_again_changes_nothing():
    import importlib

    from django.apps import apps as global_apps
    from django.db import connection

    migration = importlib.import_module("clients.migrations.0014_icd10cm_codes")
    before = DiagnosisCode.objects.count()
    DiagnosisCode.objects.filter(code="F11.20").update(description="Edited by hand")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.load_subset(global_apps, editor)
    assert DiagnosisCode.objects.count() == before
    assert code("F11.20").description == "Opioid dependence, uncomplicated"


# --- code search ----------------------------------------------------------------------------------


def test_a_code_prefix_finds_the_family_with_or_without_the_dot():
    with_dot = [c.code for c in selectors.diagnosis_codes_search("F11.2")]
    without = [c.code for c in selectors.diagnosis_codes_search("F112")]
    assert with_dot == without
    assert with_dot[0] == "F11.2" and "F11.20" in with_dot
    assert all(c.startswith("F11.2") for c in with_dot)
    family = [c.code for c in selectors.diagnosis_codes_search("f11", limit=50)]
    assert family[0] == "F11" and "F11.10" in family


def test_words_must_all_appear_in_the_description():
    found = list(selectors.diagnosis_codes_search("opioid dependence", limit=50))
    assert "F11.20" in [c.code for c in found]
    assert all("opioid" in c.description.lower() and "dependence" in c.description.lower() for c in found)
    assert "F11.10" not in [c.code for c in found]  # opioid abuse
    assert [c.code for c in selectors.diagnosis_codes_search("unsheltered homelessness")] == ["Z59.02"]


def test_the_search_skips_retired_codes_and_caps_the_results():
    DiagnosisCode.objects.filter(code="F11.20").update(is_active=False)
    assert "F11.20" not in [c.code for c in selectors.diagnosis_codes_search("F11.2")]
    assert len(selectors.diagnosis_codes_search("F", limit=500)) == selectors.SEARCH_LIMIT_MAX
    assert list(selectors.diagnosis_codes_search("   ")) == []
    assert list(selectors.diagnosis_codes_search("zzzz nothing")) == []


# --- recording ------------------------------------------------------------------------------------


def test_recording_copies_the_official_description_and_is_audited(alice, counselor):
    dx = record(alice, counselor, dtype=DiagnosisType.PRIMARY, onset_date=dt.date(2024, 3, 1))
    assert dx.description == "Opioid dependence, uncomplicated"
    assert dx.recorded_by == counselor and dx.status == S.ACTIVE
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="clients.diagnosis", object_id=str(dx.pk)
    )
    assert event.client_id == alice.pk and event.detail["code"] == "F11.20"


def test_a_second_active_primary_is_refused_with_a_clear_message(alice, counselor):
    record(alice, counselor, dtype=DiagnosisType.PRIMARY)
    with pytest.raises(DomainError) as exc:
        record(alice, counselor, c="F10.20", dtype=DiagnosisType.PRIMARY)
    assert exc.value.field == "diagnosis_type"
    assert "already has an active primary diagnosis" in exc.value.message
    assert Diagnosis.objects.filter(client=alice).count() == 1
    # As secondary it is fine; and once the primary is resolved, a new primary is too.
    record(alice, counselor, c="F10.20")
    first = Diagnosis.objects.get(client=alice, diagnosis_type=DiagnosisType.PRIMARY)
    services.diagnosis_set_status(diagnosis=first, status=S.RESOLVED, acting_user=counselor)
    record(alice, counselor, c="F10.20", dtype=DiagnosisType.PRIMARY)


def test_a_heading_or_a_retired_code_is_refused(alice, counselor):
    with pytest.raises(DomainError, match="category heading"):
        record(alice, counselor, c="F11")
    retired = DiagnosisCodeFactory(code="F99.9", description="Old code", is_active=False)
    with pytest.raises(DomainError, match="not in the current"):
        services.diagnosis_record(client=alice, acting_user=counselor, data={"code": retired})
    assert not Diagnosis.objects.filter(client=alice).exists()


def test_an_onset_in_the_future_is_refused(alice, counselor):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        record(alice, counselor, onset_date=timezone.localdate() + dt.timedelta(days=1))
    assert not Diagnosis.objects.exists()


def test_changing_the_code_refreshes_the_description_and_a_type_change_to_a_second_primary_is_refused(
    alice, counselor
):
    record(alice, counselor, dtype=DiagnosisType.PRIMARY)
    dx = record(alice, counselor, c="F10.20")
    dx = services.diagnosis_update(diagnosis=dx, acting_user=counselor, data={"code": code("F10.21")})
    assert dx.description == code("F10.21").description
    with pytest.raises(DomainError, match="already has an active primary"):
        services.diagnosis_update(
            diagnosis=dx, acting_user=counselor, data={"diagnosis_type": DiagnosisType.PRIMARY}
        )
    dx.refresh_from_db()
    assert dx.diagnosis_type == DiagnosisType.SECONDARY
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CHANGE, object_type="clients.diagnosis", object_id=str(dx.pk)
        ).count()
        == 1
    )


# --- status ---------------------------------------------------------------------------------------


def test_the_status_table():
    assert DIAGNOSIS_STATES.targets(S.ACTIVE) == [S.RESOLVED, S.ENTERED_IN_ERROR]
    assert DIAGNOSIS_STATES.targets(S.RESOLVED) == [S.ACTIVE, S.ENTERED_IN_ERROR]
    assert DIAGNOSIS_STATES.terminal == {S.ENTERED_IN_ERROR}


@pytest.mark.parametrize(("current", "to"), DIAGNOSIS_STATES.all_pairs())
def test_every_move_not_in_the_table_is_refused(alice, counselor, current, to):
    dx = DiagnosisFactory(client=alice, status=current, status_reason="x")
    if DIAGNOSIS_STATES.can_move(current, to):
        services.diagnosis_set_status(diagnosis=dx, status=to, acting_user=counselor, reason="because")
        assert Diagnosis.objects.get(pk=dx.pk).status == to
    else:
        with pytest.raises(DomainError):
            services.diagnosis_set_status(diagnosis=dx, status=to, acting_user=counselor, reason="because")
        assert Diagnosis.objects.get(pk=dx.pk).status == current


def test_resolving_keeps_the_row_with_its_date_and_reactivating_clears_it(alice, counselor):
    dx = record(alice, counselor, onset_date=dt.date(2024, 1, 1))
    services.diagnosis_set_status(diagnosis=dx, status=S.RESOLVED, acting_user=counselor)
    dx.refresh_from_db()
    assert dx.status == S.RESOLVED and dx.resolved_date == timezone.localdate()
    services.diagnosis_set_status(diagnosis=dx, status=S.ACTIVE, acting_user=counselor)
    dx.refresh_from_db()
    assert dx.status == S.ACTIVE and dx.resolved_date is None
    with pytest.raises(DomainError, match="before its onset"):
        services.diagnosis_set_status(
            diagnosis=dx, status=S.RESOLVED, acting_user=counselor, resolved_date=dt.date(2023, 12, 31)
        )
    with pytest.raises(DomainError, match="future"):
        services.diagnosis_set_status(
            diagnosis=dx,
            status=S.RESOLVED,
            acting_user=counselor,
            resolved_date=timezone.localdate() + dt.timedelta(days=1),
        )
    dx.refresh_from_db()
    assert dx.status == S.ACTIVE


def test_entered_in_error_needs_a_reason_and_keeps_the_row(alice, counselor):
    dx = record(alice, counselor, dtype=DiagnosisType.PRIMARY)
    with pytest.raises(DomainError) as exc:
        services.diagnosis_set_status(diagnosis=dx, status=S.ENTERED_IN_ERROR, acting_user=counselor)
    assert exc.value.field == "reason"
    services.diagnosis_set_status(
        diagnosis=dx, status=S.ENTERED_IN_ERROR, acting_user=counselor, reason="Wrong client"
    )
    dx.refresh_from_db()
    assert dx.status == S.ENTERED_IN_ERROR and dx.status_reason == "Wrong client"
    with pytest.raises(DomainError, match="final"):
        services.diagnosis_set_status(diagnosis=dx, status=S.ACTIVE, acting_user=counselor)
    with pytest.raises(DomainError, match="not edited"):
        services.diagnosis_update(diagnosis=dx, acting_user=counselor, data={"comment": "x"})
    # The primary slot is free again.
    record(alice, counselor, c="F10.20", dtype=DiagnosisType.PRIMARY)


def test_reactivating_a_primary_when_another_is_active_is_refused(alice, counselor):
    old = record(alice, counselor, dtype=DiagnosisType.PRIMARY)
    services.diagnosis_set_status(diagnosis=old, status=S.RESOLVED, acting_user=counselor)
    record(alice, counselor, c="F10.20", dtype=DiagnosisType.PRIMARY)
    old.refresh_from_db()
    with pytest.raises(DomainError, match="already has an active primary"):
        services.diagnosis_set_status(diagnosis=old, status=S.ACTIVE, acting_user=counselor)
    assert Diagnosis.objects.get(pk=old.pk).status == S.RESOLVED


def test_a_status_move_on_a_stale_copy_is_refused(alice, counselor):
    dx = record(alice, counselor)
    stale = Diagnosis.objects.get(pk=dx.pk)
    services.diagnosis_set_status(diagnosis=dx, status=S.RESOLVED, acting_user=counselor)
    with pytest.raises(StaleStateError):
        services.diagnosis_set_status(
            diagnosis=stale, status=S.ENTERED_IN_ERROR, acting_user=counselor, reason="dup"
        )


# --- selectors ------------------------------------------------------------------------------------


def test_active_diagnoses_lists_the_primary_first(alice, counselor):
    secondary = record(alice, counselor, c="F10.20")
    primary = record(alice, counselor, c="F11.20", dtype=DiagnosisType.PRIMARY)
    resolved = record(alice, counselor, c="Z59.01")
    services.diagnosis_set_status(diagnosis=resolved, status=S.RESOLVED, acting_user=counselor)
    assert list(selectors.active_diagnoses(alice)) == [primary, secondary]
    assert list(selectors.diagnoses_for_client(counselor, alice)) == [primary, secondary, resolved]
    assert list(selectors.diagnoses_for_client(counselor, alice, include_inactive=False)) == [
        primary,
        secondary,
    ]


def test_peers_and_outsiders_get_no_diagnoses(alice, counselor, peer, outsider):
    dx = record(alice, counselor)
    assert not selectors.diagnoses_can_see(peer)
    assert list(selectors.diagnoses_for_client(peer, alice)) == []
    assert not selectors.diagnosis_list_for_user(peer).exists()
    assert not selectors.diagnosis_list_for_user(outsider).exists()
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.diagnosis_get_for_user(outsider, dx.pk)
    assert selectors.diagnosis_get_for_user(counselor, dx.pk) == dx
