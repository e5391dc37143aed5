"""Give the roles their permissions on the outbox (outreach.roles)."""

from django.db import migrations

from careteam.roles import grant_role_permissions
from outreach.roles import OUTREACH_ROLE_PERMISSIONS


def grant(apps, schema_editor):
    grant_role_permissions(apps, OUTREACH_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0001_initial"),
        ("careteam", "0004_roles"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
