"""Give the roles their permissions on the directory and referrals (referrals.roles)."""

from django.db import migrations

from careteam.roles import grant_role_permissions
from referrals.roles import REFERRAL_ROLE_PERMISSIONS


def grant(apps, schema_editor):
    grant_role_permissions(apps, REFERRAL_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("careteam", "0004_roles"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
