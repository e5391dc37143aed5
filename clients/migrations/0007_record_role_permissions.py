"""Give the roles their permissions on needs, consents, disclosures and logged contacts."""

from django.db import migrations

from careteam.roles import grant_role_permissions
from clients.roles import RECORD_ROLE_PERMISSIONS


def grant(apps, schema_editor):
    grant_role_permissions(apps, RECORD_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0006_consent_recipients"),
        ("careteam", "0004_roles"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
