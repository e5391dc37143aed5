"""Give the roles their permissions on treatment plans (plans.roles)."""

from django.db import migrations

from careteam.roles import grant_role_permissions
from plans.roles import PLAN_ROLE_PERMISSIONS


def grant(apps, schema_editor):
    grant_role_permissions(apps, PLAN_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial"), ("careteam", "0004_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
