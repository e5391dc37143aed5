"""Create the role groups with their model permissions (careteam.roles.ROLE_PERMISSIONS)."""

from django.db import migrations

from careteam.roles import ROLE_PERMISSIONS, grant_role_permissions


def create_roles(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("careteam", "0003_audit_append_only"),
        ("clients", "0001_initial"),
    ]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
