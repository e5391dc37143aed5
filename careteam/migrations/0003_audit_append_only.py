"""The database itself refuses UPDATE and DELETE on the audit trail."""

from django.db import migrations

PG_INSTALL = """
CREATE OR REPLACE FUNCTION careteam_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'careteam_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER careteam_auditevent_append_only
    BEFORE UPDATE OR DELETE ON careteam_auditevent
    FOR EACH ROW EXECUTE FUNCTION careteam_audit_append_only();
"""
PG_REMOVE = """
DROP TRIGGER IF EXISTS careteam_auditevent_append_only ON careteam_auditevent;
DROP FUNCTION IF EXISTS careteam_audit_append_only();
"""
SQLITE_INSTALL = [
    """CREATE TRIGGER careteam_auditevent_no_update BEFORE UPDATE ON careteam_auditevent
       BEGIN SELECT RAISE(ABORT, 'careteam_auditevent is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER careteam_auditevent_no_delete BEFORE DELETE ON careteam_auditevent
       BEGIN SELECT RAISE(ABORT, 'careteam_auditevent is append-only: DELETE refused'); END;""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS careteam_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS careteam_auditevent_no_delete;",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # params=None: the function body's "%" is PL/pgSQL's, not a query placeholder.
        schema_editor.execute(PG_INSTALL, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_INSTALL:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(
            f"No append-only triggers for {vendor}; careteam supports PostgreSQL and SQLite."
        )


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REMOVE)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("careteam", "0002_initial")]
    operations = [migrations.RunPython(install, remove)]
