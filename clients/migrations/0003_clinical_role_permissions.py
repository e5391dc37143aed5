"""Give the roles their permissions on assessments, appointments and notes (clients.roles)."""

from django.db import migrations

from careteam.roles import grant_role_permissions
from clients.roles import CLINICAL_ROLE_PERMISSIONS


def grant(apps, schema_editor):
    grant_role_permissions(apps, CLINICAL_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0002_assessments_appointments_notes"),
        ("careteam", "0004_roles"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
