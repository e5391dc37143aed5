"""The audit trail's anchor and its sealing (issue 14; careteam/audit.py, docs/audit.md).

- ``row_mac``: HMAC-SHA-256 of ``row_hash`` under AUDIT_HMAC_KEY, a key outside the database.
- ``seal_seq``: rows are written unsealed (no seal_seq, hashes or MAC) so audited requests do not queue
  on one lock; ``audit_seal_pending`` chains them later in this order. ``row_hash`` becomes nullable.
- The UPDATE trigger now lets exactly one UPDATE through: filling the four sealing columns of an
  unsealed row, every other column unchanged. DELETE stays refused.
- PostgreSQL refuses TRUNCATE (TRUNCATE skips row triggers, so a statement-level one). It lets TRUNCATE
  through only when the session says ``SET careteam.allow_audit_truncate = 'on'``: the test database
  sets that (tests/conftest.py) so pytest-django can flush between transactional tests. No switch is
  protection against the table's owner, who can drop any trigger: the MACs and checkpoints are.

Rows written before this migration are sealed here, in id order (the order they were chained in),
under the key configured when it runs (AUDIT_HMAC_KEY, or the one derived from SECRET_KEY), with the
triggers set aside for that inside this migration's transaction. They are anchored as of now; what
happened to them before is for their hash chain to tell.

SQLite rebuilds the table to change a column, which drops its triggers: any later migration that
changes this table must install them again (as ``install_triggers`` does here).
"""

import importlib

from django.db import migrations, models

append_only = importlib.import_module("careteam.migrations.0003_audit_append_only")

SEALING = ("seal_seq", "prev_hash", "row_hash", "row_mac")

PG_INSTALL = """
CREATE OR REPLACE FUNCTION careteam_audit_append_only() RETURNS trigger AS $$
DECLARE
    sealing text[] := ARRAY['seal_seq', 'prev_hash', 'row_hash', 'row_mac'];
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seal_seq IS NULL AND NEW.seal_seq IS NOT NULL
       AND to_jsonb(NEW) - sealing = to_jsonb(OLD) - sealing THEN
        RETURN NEW;  -- sealing: the chain columns of an unsealed row filled in, nothing else changed
    END IF;
    RAISE EXCEPTION 'careteam_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION careteam_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('careteam.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'careteam_auditevent is append-only: TRUNCATE refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER careteam_auditevent_no_truncate
    BEFORE TRUNCATE ON careteam_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION careteam_audit_no_truncate();
"""
PG_TRUNCATE_REMOVE = """
DROP TRIGGER IF EXISTS careteam_auditevent_no_truncate ON careteam_auditevent;
DROP FUNCTION IF EXISTS careteam_audit_no_truncate();
"""
SQLITE_NO_UPDATE = """
CREATE TRIGGER careteam_auditevent_no_update BEFORE UPDATE ON careteam_auditevent
WHEN NOT (OLD.seal_seq IS NULL AND NEW.seal_seq IS NOT NULL AND {unchanged})
BEGIN SELECT RAISE(ABORT, 'careteam_auditevent is append-only: UPDATE refused'); END;
"""


def sqlite_no_update(apps) -> str:
    model = apps.get_model("careteam", "AuditEvent")
    columns = [f.column for f in model._meta.concrete_fields if f.name not in SEALING]
    return SQLITE_NO_UPDATE.format(unchanged=" AND ".join(f"NEW.{c} IS OLD.{c}" for c in columns))


def seal_existing(apps, schema_editor):
    from careteam.audit import row_mac

    AuditEvent = apps.get_model("careteam", "AuditEvent")
    rows = list(AuditEvent.objects.order_by("id").values_list("id", "row_hash"))
    if not rows:
        return
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(
            "ALTER TABLE careteam_auditevent DISABLE TRIGGER careteam_auditevent_append_only"
        )
    else:  # SQLite rebuilt the table above, without its triggers; install_triggers puts them back
        for statement in append_only.SQLITE_REMOVE:
            schema_editor.execute(statement)
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE careteam_auditevent SET seal_seq = %s, row_mac = %s WHERE id = %s",
            [(seq, row_mac(row_hash), pk) for seq, (pk, row_hash) in enumerate(rows, start=1)],
        )
    if postgresql:
        schema_editor.execute(
            "ALTER TABLE careteam_auditevent ENABLE TRIGGER careteam_auditevent_append_only"
        )


def install_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # params=None: the function bodies are PL/pgSQL, not queries with placeholders.
        schema_editor.execute(PG_INSTALL, params=None)
    elif vendor == "sqlite":
        # SQLite has no TRUNCATE; its "DELETE FROM" without WHERE runs the DELETE trigger.
        for statement in append_only.SQLITE_REMOVE:
            schema_editor.execute(statement)
        schema_editor.execute(sqlite_no_update(apps), params=None)
        schema_editor.execute(append_only.SQLITE_INSTALL[1], params=None)  # no DELETE


def restore_0003_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_TRUNCATE_REMOVE, params=None)
        schema_editor.execute(append_only.PG_REMOVE, params=None)
        schema_editor.execute(append_only.PG_INSTALL, params=None)
    elif vendor == "sqlite":
        for statement in append_only.SQLITE_REMOVE + append_only.SQLITE_INSTALL:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("careteam", "0010_organizations_emergency_access")]
    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="row_mac",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seal_seq",
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="row_hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, restore_0003_triggers),
    ]
