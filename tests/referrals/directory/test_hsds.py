"""HSDS import and export: round trips, validation by row and field, all-or-nothing and partial imports."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from careteam.models import AuditAction, AuditEvent
from referrals.directory import hsds
from referrals.directory.services import directory_tables, hsds_export, hsds_import
from referrals.models import (
    Address,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    TaxonomyTerm,
)
from tests.factories.directory import ScheduleFactory, ServiceFactory, service_with_everything

pytestmark = pytest.mark.django_db

DIRECTORY_MODELS = (
    Organization,
    Service,
    ServiceLanguage,
    Location,
    Address,
    ServiceAtLocation,
    Phone,
    Schedule,
    TaxonomyTerm,
)


def counts() -> dict:
    return {m.__name__: m.objects.count() for m in DIRECTORY_MODELS}


def wipe_directory() -> None:
    for model in (
        Schedule,
        Phone,
        ServiceLanguage,
        ServiceAtLocation,
        Address,
        Service,
        Location,
        Organization,
    ):
        model.objects.all().delete()
    TaxonomyTerm.objects.all().delete()


@pytest.fixture
def directory():
    first = service_with_everything(
        accepts_electronic_referrals=True, referral_email="intake@lakeside.example.org", capacity="waitlist"
    )
    ScheduleFactory(
        service=first, byday="SA", opens_at="22:00", closes_at="06:00", timezone="America/Chicago"
    )
    second = ServiceFactory(organization=first.organization, categories=["housing", "food"], minimum_age=18)
    ScheduleFactory(service=second, byday="MO,TU,WE,TH,FR,SA,SU", opens_at="00:00", closes_at="23:59")
    return first, second


def test_an_export_imported_again_gives_the_same_directory(admin_user, directory):
    """GIVEN a directory WHEN it is exported as a zip and that zip imported THEN nothing is duplicated
    and a second export is identical to the first."""
    before = counts()
    tables = hsds_export(acting_user=admin_user)
    report = hsds_import(parsed=hsds.read_zip(hsds.write_zip(tables)), acting_user=admin_user)
    assert report.ok and report.imported
    assert counts() == before
    assert report.updated["service"] == 2 and not report.created["service"]
    assert directory_tables() == tables


def test_an_export_imported_into_an_empty_directory_rebuilds_it(admin_user, directory):
    tables = directory_tables()
    data = hsds.write_zip(tables)
    before = counts()
    wipe_directory()
    assert Service.objects.count() == 0

    report = hsds_import(parsed=hsds.read_zip(data), acting_user=admin_user)

    assert report.ok, [str(e) for e in report.errors]
    assert counts() == before
    assert directory_tables() == tables
    service = Service.objects.get(hsds_id=directory[0].hsds_id)
    assert service.referral_email == "intake@lakeside.example.org"
    assert service.capacity == "waitlist"
    assert set(service.taxonomy_terms.values_list("code", flat=True)) == {"food"}
    assert set(
        Service.objects.get(hsds_id=directory[1].hsds_id).taxonomy_terms.values_list("code", flat=True)
    ) == {
        "food",
        "housing",
    }


def test_the_json_document_round_trips_too(admin_user, directory, tmp_path):
    path = tmp_path / "directory.json"
    path.write_text(hsds.write_json(directory_tables()))
    tables = directory_tables()
    wipe_directory()
    report = hsds_import(parsed=hsds.read_path(path), acting_user=admin_user)
    assert report.ok
    assert directory_tables() == tables


def test_the_zip_holds_one_csv_per_table_with_hsds_columns_and_a_datapackage(directory):
    archive = zipfile.ZipFile(io.BytesIO(hsds.write_zip(directory_tables())))
    names = set(archive.namelist())
    assert {f"{t}.csv" for t in hsds.TABLE_ORDER} | {"datapackage.json"} == names
    header = archive.read("service.csv").decode().splitlines()[0].split(",")
    assert header[:3] == ["id", "organization_id", "name"]
    assert {"accepts_electronic_referrals", "referral_email", "capacity"} <= set(header)
    package = json.loads(archive.read("datapackage.json"))
    assert {r["path"] for r in package["resources"]} == {f"{t}.csv" for t in hsds.TABLE_ORDER}
    attribute = archive.read("attribute.csv").decode()
    assert "service" in attribute and str(directory[0].hsds_id) in attribute


def _zip_with(tables: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in tables.items():
            archive.writestr(name, text)
    return buffer.getvalue()


ORG_A = "11111111-1111-4111-8111-111111111111"
ORG_B = "22222222-2222-4222-8222-222222222222"
SERVICE_OK = "33333333-3333-4333-8333-333333333333"
SERVICE_BAD = "44444444-4444-4444-8444-444444444444"
SERVICE_OF_BAD_ORG = "55555555-5555-4555-8555-555555555555"

BAD_FILES = {
    "organization.csv": (
        "id,name,email,website\r\n"
        f"{ORG_A},Northside Food Bank,info@northside.example.org,https://northside.example.org\r\n"
        f"{ORG_B},,not-an-email,\r\n"
    ),
    "service.csv": (
        "id,organization_id,name,capacity,minimum_age,accepts_electronic_referrals\r\n"
        f"{SERVICE_OK},{ORG_A},Weekly groceries,open,,true\r\n"
        f"{SERVICE_BAD},{ORG_A},Hot meals,overflowing,eighteen,maybe\r\n"
        f"{SERVICE_OF_BAD_ORG},{ORG_B},Diapers,open,,false\r\n"
    ),
    "schedule.csv": (
        "id,service_id,byday,opens_at,closes_at,timezone\r\n"
        f'66666666-6666-4666-8666-666666666666,{SERVICE_OK},"MO,XX",25:00,17:00,Mars/Base\r\n'
    ),
}


def test_an_invalid_file_reports_row_and_field_and_imports_nothing(admin_user):
    before = counts()
    report = hsds_import(parsed=hsds.read_zip(_zip_with(BAD_FILES)), acting_user=admin_user)

    assert not report.imported
    messages = [str(e) for e in report.errors]
    assert "organization.csv row 3: name: this field is required." in messages
    assert any(m.startswith("organization.csv row 3: email:") for m in messages)
    assert any(m.startswith("service.csv row 3: capacity:") and "overflowing" in m for m in messages)
    assert "service.csv row 3: minimum_age: “eighteen” is not a whole number." in messages
    assert "service.csv row 3: accepts_electronic_referrals: “maybe” is not true or false." in messages
    assert (
        "service.csv row 4: organization_id: points to organization.csv row 3, which has errors." in messages
    )
    assert "schedule.csv row 2: byday: unknown day(s) XX: use MO,TU,WE,TH,FR,SA,SU." in messages
    assert "schedule.csv row 2: opens_at: “25:00” is not a time (HH:MM)." in messages
    assert any(m.startswith("schedule.csv row 2: timezone:") for m in messages)
    assert counts() == before
    assert not Organization.objects.filter(name="Northside Food Bank").exists()
    audit = AuditEvent.objects.filter(action=AuditAction.CHANGE, detail__event="hsds_import").get()
    assert audit.user == admin_user and audit.detail["imported"] is False


def test_a_partial_import_keeps_the_valid_rows_and_skips_rows_that_depend_on_bad_ones(admin_user):
    files = {k: v for k, v in BAD_FILES.items() if k != "schedule.csv"}
    report = hsds_import(parsed=hsds.read_zip(_zip_with(files)), acting_user=admin_user, partial=True)

    assert report.imported
    assert Organization.objects.filter(hsds_id=ORG_A, name="Northside Food Bank").exists()
    assert not Organization.objects.filter(hsds_id=ORG_B).exists()
    service = Service.objects.get(hsds_id=SERVICE_OK)
    assert service.accepts_electronic_referrals and service.organization.hsds_id.hex == ORG_A.replace("-", "")
    assert not Service.objects.filter(hsds_id__in=[SERVICE_BAD, SERVICE_OF_BAD_ORG]).exists()
    assert report.skipped == {"organization": 1, "service": 2}


def test_references_to_rows_already_in_the_directory_resolve(admin_user):
    existing = ServiceFactory()
    files = {
        "phone.csv": "id,service_id,number,type\r\n"
        f"77777777-7777-4777-8777-777777777777,{existing.hsds_id},555-0111,voice\r\n"
    }
    report = hsds_import(parsed=hsds.read_zip(_zip_with(files)), acting_user=admin_user)
    assert report.ok
    assert existing.phones.get().number == "555-0111"


def test_an_unknown_reference_is_reported(admin_user):
    files = {
        "phone.csv": "id,service_id,number\r\n77777777-7777-4777-8777-777777777777,"
        "88888888-8888-4888-8888-888888888888,555-0111\r\n"
    }
    report = hsds_import(parsed=hsds.read_zip(_zip_with(files)), acting_user=admin_user)
    assert [str(e) for e in report.errors] == [
        "phone.csv row 2: service_id: no service with id 88888888-8888-4888-8888-888888888888 in the file or "
        "the directory."
    ]
    assert not Phone.objects.exists()


def test_json_rows_are_numbered_from_one():
    doc = {"organization": [{"id": ORG_A, "name": "Ok"}, {"id": "nope", "name": "Bad id"}]}
    report = hsds_import(parsed=hsds.read_json(json.dumps(doc)), acting_user=None)
    assert [str(e) for e in report.errors] == ["organization row 2: id: “nope” is not a UUID."]


def test_terms_from_another_directory_match_ours_by_code(admin_user):
    doc = {
        "taxonomy_term": [{"id": ORG_A, "code": "food", "name": "Food", "taxonomy": "careteam-needs"}],
        "organization": [{"id": ORG_B, "name": "Pantry"}],
        "service": [{"id": SERVICE_OK, "organization_id": ORG_B, "name": "Groceries"}],
        "attribute": [
            {"id": SERVICE_BAD, "link_id": SERVICE_OK, "link_entity": "service", "taxonomy_term_id": ORG_A}
        ],
    }
    terms = TaxonomyTerm.objects.count()
    report = hsds_import(parsed=hsds.read_json(json.dumps(doc)), acting_user=admin_user)
    assert report.ok, [str(e) for e in report.errors]
    assert TaxonomyTerm.objects.count() == terms
    assert list(Service.objects.get(hsds_id=SERVICE_OK).taxonomy_terms.values_list("code", flat=True)) == [
        "food"
    ]


def test_a_file_that_is_not_a_zip_is_refused_whole():
    with pytest.raises(hsds.HsdsFormatError):
        hsds.read_zip(b"plain text")


def test_the_commands_export_and_import_a_folder_and_a_json_file(admin_user, directory, tmp_path, capsys):
    call_command("hsds_export", str(tmp_path / "out"), "--user", "admin")
    assert (tmp_path / "out" / "service.csv").exists()
    call_command("hsds_export", str(tmp_path / "d.json"), "--format", "json")
    assert json.loads((tmp_path / "d.json").read_text())["service"][0]["name"]
    before = counts()
    call_command("hsds_import", str(tmp_path / "out"), "--user", "admin")
    call_command("hsds_import", str(tmp_path / "d.json"))
    assert counts() == before
    assert "updated" in capsys.readouterr().out
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT, detail__event="hsds_export")
    assert exports.count() == 2 and exports.filter(user=admin_user).count() == 1


def test_the_import_command_fails_with_the_row_errors(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    for name, text in BAD_FILES.items():
        (folder / name).write_text(text)
    with pytest.raises(CommandError) as excinfo:
        call_command("hsds_import", str(folder))
    assert "organization.csv row 3: name: this field is required." in str(excinfo.value)
    assert not Organization.objects.filter(hsds_id=ORG_A).exists()
