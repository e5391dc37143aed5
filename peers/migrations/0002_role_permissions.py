"""Give the roles their permissions on peer support (peers.roles)."""

from django.db import migrations

from careteam.roles import grant_role_permissions
from peers.roles import PEER_ROLE_PERMISSIONS


def grant(apps, schema_editor):
    grant_role_permissions(apps, PEER_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("peers", "0001_initial"), ("careteam", "0004_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
