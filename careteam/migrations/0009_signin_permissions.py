"""Supervisors see locked sign-ins, administrators lift them; the plain-text API tokens go.

rest_framework.authtoken kept every token in the clear and never expired it. Its table is dropped
rather than migrated: a token cannot be hashed into knox's format without issuing a new one, so
API callers ask for a new (hashed, expiring) token once.
"""

from django.db import migrations

from careteam.roles import Role, grant_role_permissions


def grant(apps, schema_editor):
    grant_role_permissions(
        apps,
        {
            Role.SUPERVISOR: ["axes.view_accessattempt"],
            Role.ADMIN: ["axes.view_accessattempt", "axes.delete_accessattempt"],
        },
    )


def drop_plain_text_tokens(apps, schema_editor):
    if "authtoken_token" in schema_editor.connection.introspection.table_names():
        schema_editor.execute(
            schema_editor.sql_delete_table % {"table": schema_editor.quote_name("authtoken_token")}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("careteam", "0008_signin"),
        ("axes", "0010_accessattemptexpiration"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(drop_plain_text_tokens, migrations.RunPython.noop),
    ]
