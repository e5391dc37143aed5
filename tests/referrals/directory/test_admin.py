"""The directory's admin: import page with per-row errors, export download, inlines, no deletes."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from careteam.models import AuditAction, AuditEvent
from referrals.directory import hsds
from referrals.directory.services import directory_tables
from referrals.models import Organization, Service
from tests.conftest import login
from tests.factories.directory import service_with_everything

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:referrals_hsds_import")
EXPORT = reverse("admin:referrals_hsds_export")
CHANGELIST = reverse("admin:referrals_organization_changelist")

ORG = "11111111-1111-4111-8111-111111111111"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_the_organization_list_links_to_import_and_export(admin_role_user):
    page = login(admin_role_user).get(CHANGELIST).content.decode()
    assert IMPORT in page and EXPORT in page and "Export HSDS (zip)" in page


def test_an_admin_exports_a_zip_and_it_is_audited(admin_role_user):
    service_with_everything(name="Weekly groceries")
    response = login(admin_role_user).get(EXPORT)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "Weekly groceries" in archive.read("service.csv").decode()
    assert AuditEvent.objects.filter(
        user=admin_role_user, action=AuditAction.EXPORT, detail__event="hsds_export"
    ).exists()


def test_an_admin_imports_an_export_without_duplicating(admin_role_user):
    service_with_everything()
    data = hsds.write_zip(directory_tables())
    services = Service.objects.count()
    response = login(admin_role_user).post(IMPORT, {"file": upload("directory.zip", data)})
    assert response.status_code == 302
    assert Service.objects.count() == services


def test_an_invalid_upload_shows_each_error_by_file_row_and_field_and_imports_nothing(admin_role_user):
    data = zip_of({"organization.csv": f"id,name,website\r\n{ORG},Northside,\r\n{ORG[:-1]}2,,not a url\r\n"})
    response = login(admin_role_user).post(IMPORT, {"file": upload("bad.zip", data)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported: 2 errors" in page
    assert "<td>organization.csv</td><td>3</td><td>name</td><td>this field is required.</td>" in page
    assert "<td>organization.csv</td><td>3</td><td>website</td>" in page
    assert not Organization.objects.filter(hsds_id=ORG).exists()


def test_a_partial_upload_imports_the_valid_rows(admin_role_user):
    data = zip_of({"organization.csv": f"id,name\r\n{ORG},Northside\r\n{ORG[:-1]}2,\r\n"})
    response = login(admin_role_user).post(IMPORT, {"file": upload("bad.zip", data), "partial": "on"})
    assert response.status_code == 200
    assert "Imported the valid rows" in response.content.decode()
    assert Organization.objects.filter(hsds_id=ORG).exists()


def test_a_file_that_is_not_hsds_is_refused(admin_role_user):
    response = login(admin_role_user).post(IMPORT, {"file": upload("notes.zip", b"not a zip")})
    assert response.status_code == 400 and "not a zip archive" in response.content.decode()
    response = login(admin_role_user).post(IMPORT, {"file": upload("notes.txt", b"x")})
    assert response.status_code == 400 and "Upload a .zip" in response.content.decode()


def test_staff_without_the_directory_edit_role_may_not_import(db):
    from tests.factories import UserFactory

    staff = UserFactory(username="staffer", role="supervisor", is_staff=True)
    assert login(staff).get(IMPORT).status_code == 403


def test_organizations_and_services_cannot_be_deleted(admin_user):
    service = service_with_everything()
    http = login(admin_user)
    assert http.get(reverse("admin:referrals_service_delete", args=[service.pk])).status_code == 403
    org_delete = reverse("admin:referrals_organization_delete", args=[service.organization.pk])
    assert http.get(org_delete).status_code == 403


def test_the_service_page_has_its_inlines(admin_user):
    service = service_with_everything()
    page = (
        login(admin_user).get(reverse("admin:referrals_service_change", args=[service.pk])).content.decode()
    )
    for prefix in ("languages", "phones", "schedules", "service_at_locations"):
        assert f'name="{prefix}-TOTAL_FORMS"' in page
