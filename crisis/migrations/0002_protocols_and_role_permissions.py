"""Ship the two caring-contact protocols and give the roles their crisis permissions (crisis.roles)."""

from django.db import migrations

from careteam.roles import grant_role_permissions
from crisis.protocols import SHIPPED_PROTOCOLS
from crisis.roles import CRISIS_ROLE_PERMISSIONS


def forwards(apps, schema_editor):
    Protocol = apps.get_model("crisis", "CaringContactProtocol")
    for spec in SHIPPED_PROTOCOLS:
        Protocol.objects.get_or_create(name=spec["name"], defaults=spec)
    grant_role_permissions(apps, CRISIS_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("crisis", "0001_initial"), ("careteam", "0004_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
