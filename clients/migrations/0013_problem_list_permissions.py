"""Give the roles their permissions on diagnoses, medications, prescriber recommendations and allergies."""

from django.db import migrations

from careteam.roles import grant_role_permissions
from clients.roles import PROBLEM_LIST_ROLE_PERMISSIONS


def grant(apps, schema_editor):
    grant_role_permissions(apps, PROBLEM_LIST_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0012_clinical_core"),
        ("careteam", "0004_roles"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
