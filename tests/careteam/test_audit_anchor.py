"""The audit trail's anchor against its own database owner (issue 14 item 5, docs/audit.md): a keyed MAC
on every row and signed checkpoints outside the database, so that ``audit_verify`` catches an edited row,
a row rewritten with every later hash recomputed, rows deleted from the end, an emptied table and a
forged checkpoint; and PostgreSQL refuses TRUNCATE.

Each attack plays someone with the table owner's powers: the append-only triggers dropped (the test
transaction's rollback restores them), but no AUDIT_HMAC_KEY."""

import hashlib
import hmac
import io
import json
import logging

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from careteam.audit import (
    CHECKPOINT_LOGGER,
    GENESIS_HASH,
    audit_hmac_key,
    audit_log,
    audit_seal_pending,
    audit_write_checkpoint,
)
from careteam.models import AuditAction, AuditEvent
from careteam.tasks import write_audit_checkpoint
from tests.careteam.test_audit import make_chain

pytestmark = pytest.mark.django_db


def verify(*args) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def checkpoint_lines() -> list[str]:
    return django_settings.AUDIT_CHECKPOINT_FILE.read_text().splitlines()


def execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def drop_append_only_triggers() -> None:
    """Play the table's owner: the UPDATE and DELETE triggers (migration 0003) go; the test's rollback
    puts them back."""
    statements = {
        "postgresql": ["DROP TRIGGER IF EXISTS careteam_auditevent_append_only ON careteam_auditevent"],
        "sqlite": [
            "DROP TRIGGER IF EXISTS careteam_auditevent_no_update",
            "DROP TRIGGER IF EXISTS careteam_auditevent_no_delete",
        ],
    }
    for statement in statements[connection.vendor]:
        execute(statement)


def recompute_from(first: AuditEvent) -> None:
    """Rewrite ``first`` (already edited in memory) and every later row with hashes that chain again,
    the way an attacker with SQL access and the published hashing rule would. The MACs they cannot make."""
    drop_append_only_triggers()
    prev = first.prev_hash
    for row in AuditEvent.objects.filter(id__gte=first.id).order_by("id"):
        if row.id == first.id:
            row = first
        row.prev_hash = prev
        row.row_hash = row.compute_hash()
        execute(
            "UPDATE careteam_auditevent SET reason = %s, prev_hash = %s, row_hash = %s WHERE id = %s",
            [row.reason, row.prev_hash, row.row_hash, row.id],
        )
        prev = row.row_hash


# --- a clean trail -------------------------------------------------------------------------------


def test_a_clean_trail_with_its_checkpoints_passes():
    make_chain(3)
    audit_write_checkpoint()
    make_chain(2)
    audit_write_checkpoint()

    output = verify()

    assert "Audit chain intact: 5 row(s) verified." in output
    assert "2 checkpoint(s)" in output


def test_every_row_carries_a_mac_under_the_key_kept_outside_the_database(settings):
    settings.AUDIT_HMAC_KEY = "an operator's key from the secret store"

    [row] = make_chain(1)

    stored = AuditEvent.objects.get(pk=row.pk)
    key = b"an operator's key from the secret store"
    assert stored.row_mac == hmac.new(key, stored.row_hash.encode(), hashlib.sha256).hexdigest()
    assert "intact" in verify()


def test_without_its_own_key_the_mac_key_is_derived_from_secret_key_and_is_not_secret_key(settings):
    settings.AUDIT_HMAC_KEY = ""

    key = audit_hmac_key()

    assert len(key) == 32
    assert key != settings.SECRET_KEY.encode()


def test_the_trail_fails_under_another_key(settings):
    """An operator who lost or changed AUDIT_HMAC_KEY is told so rather than shown a clean trail."""
    settings.AUDIT_HMAC_KEY = "the key the trail was written with"
    rows = make_chain(2)
    settings.AUDIT_HMAC_KEY = "some other key"

    with pytest.raises(CommandError, match=rf"row {rows[0].pk}: .*keyed MAC.*AUDIT_HMAC_KEY is not the key"):
        verify()


def test_no_checkpoints_is_said_but_not_a_failure():
    make_chain(1)

    output = verify()

    assert "intact" in output
    assert "No checkpoints read" in output


# --- each kind of tampering ----------------------------------------------------------------------


def test_an_edited_row_is_caught():
    rows = make_chain(4)
    audit_write_checkpoint()
    drop_append_only_triggers()
    execute("UPDATE careteam_auditevent SET reason = %s WHERE id = %s", ["nothing to see", rows[1].pk])

    with pytest.raises(CommandError, match=rf"row {rows[1].pk}: .*edited"):
        verify()


def test_a_row_rewritten_with_every_later_hash_recomputed_is_caught_by_its_mac():
    """GIVEN five rows WHEN someone rewrites the second and recomputes the hash chain from there on
    THEN the chain itself holds again, but the rewritten row's MAC does not, and later ones neither."""
    rows = make_chain(5)
    forged = AuditEvent.objects.get(pk=rows[1].pk)
    forged.reason = "routine check"
    recompute_from(forged)

    with pytest.raises(CommandError) as failure:
        verify()

    message = str(failure.value)
    assert f"First broken row {rows[1].pk}; 1 row(s) before it verified." in message
    assert f"row {rows[1].pk}: its keyed MAC does not match" in message
    assert "previous-hash" not in message  # the chain alone would have passed
    assert "edited" not in message


def test_rows_deleted_from_the_end_after_a_checkpoint_are_caught():
    """GIVEN five rows and a checkpoint WHEN the newest two are deleted (trigger dropped)
    THEN what is left chains perfectly, and only the checkpoint shows rows are missing."""
    rows = make_chain(5)
    audit_write_checkpoint()
    drop_append_only_triggers()
    execute("DELETE FROM careteam_auditevent WHERE id >= %s", [rows[3].pk])

    with pytest.raises(CommandError) as failure:
        verify()

    message = str(failure.value)
    assert f"row {rows[4].pk} and 5 row(s) up to it then" in message
    assert f"the trail now ends at row {rows[2].pk} with 3 row(s)" in message
    assert "rows deleted from the end" in message


def test_rows_deleted_from_the_end_and_replaced_by_as_many_new_ones_are_caught():
    """Deleting the newest rows and writing as many again keeps the count but not the checkpointed row."""
    rows = make_chain(3)
    audit_write_checkpoint()
    drop_append_only_triggers()
    execute("DELETE FROM careteam_auditevent WHERE id = %s", [rows[2].pk])
    make_chain(1)

    with pytest.raises(CommandError, match=rf"row {rows[2].pk} and 3 row\(s\) up to it then"):
        verify()


def test_a_row_deleted_from_the_middle_and_the_chain_recomputed_is_caught():
    rows = make_chain(4)
    audit_write_checkpoint()
    drop_append_only_triggers()
    execute("DELETE FROM careteam_auditevent WHERE id = %s", [rows[1].pk])
    after = AuditEvent.objects.get(pk=rows[2].pk)
    after.prev_hash = AuditEvent.objects.get(pk=rows[0].pk).row_hash
    recompute_from(after)

    with pytest.raises(CommandError) as failure:
        verify()

    message = str(failure.value)
    assert f"row {rows[2].pk}: its keyed MAC does not match" in message
    assert f"row {rows[3].pk} had another hash then" in message
    assert f"4 row(s) up to row {rows[3].pk} then, 3 now (rows deleted)" in message


def test_an_emptied_trail_is_caught():
    make_chain(3)
    audit_write_checkpoint()
    drop_append_only_triggers()
    execute("DELETE FROM careteam_auditevent")

    with pytest.raises(CommandError, match=r"the trail now ends at row - with 0 row\(s\) .*table emptied"):
        verify()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_a_truncated_trail_is_caught():
    make_chain(3)
    audit_write_checkpoint()
    execute("DROP TRIGGER careteam_auditevent_no_truncate ON careteam_auditevent")
    execute("TRUNCATE careteam_auditevent")

    with pytest.raises(CommandError, match=r"with 0 row\(s\) .*table emptied"):
        verify()


def test_a_checkpoint_line_altered_to_claim_fewer_rows_is_caught():
    """GIVEN a checkpoint WHEN someone with the file edits its count (to match rows they deleted)
    THEN its signature no longer verifies."""
    make_chain(3)
    audit_write_checkpoint()
    data = json.loads(checkpoint_lines()[0])
    data["count"] = 2
    django_settings.AUDIT_CHECKPOINT_FILE.write_text(json.dumps(data) + "\n")

    with pytest.raises(CommandError, match="checkpoint line 1 has a signature that does not verify"):
        verify()


def test_a_checkpoint_forged_without_the_key_is_caught():
    rows = make_chain(2)
    audit_write_checkpoint()
    forged = {
        "last_id": rows[1].pk,
        "last_hash": rows[1].row_hash,
        "count": 2,
        "at": "2026-01-01T00:00:00+00:00",
    }
    forged["sig"] = hmac.new(b"a guess", json.dumps(forged).encode(), hashlib.sha256).hexdigest()
    with django_settings.AUDIT_CHECKPOINT_FILE.open("a") as f:
        f.write(json.dumps(forged) + "\nnot json at all\n")

    with pytest.raises(CommandError) as failure:
        verify()

    message = str(failure.value)
    assert "checkpoint line 2 has a signature that does not verify" in message
    assert "checkpoint line 3 is not a checkpoint" in message
    assert "All 2 row(s) hold; the checkpoints do not." in message


# --- writing checkpoints -------------------------------------------------------------------------


def test_the_periodic_task_writes_a_checkpoint_only_when_the_trail_grew():
    write_audit_checkpoint.delay()
    assert not django_settings.AUDIT_CHECKPOINT_FILE.exists()  # nothing to anchor yet

    rows = make_chain(2)
    write_audit_checkpoint.delay()
    write_audit_checkpoint.delay()
    [line] = checkpoint_lines()
    assert json.loads(line) | {"at": "", "sig": ""} == {
        "last_id": rows[1].pk,
        "last_hash": rows[1].row_hash,
        "count": 2,
        "at": "",
        "sig": "",
    }

    make_chain(1)
    write_audit_checkpoint.delay()
    assert len(checkpoint_lines()) == 2


def test_beat_writes_a_checkpoint_every_five_minutes():
    entry = django_settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]
    assert entry == {"task": "careteam.tasks.write_audit_checkpoint", "schedule": 300.0}


def test_audit_verify_can_write_a_checkpoint_after_a_clean_verification():
    make_chain(2)

    output = verify("--checkpoint")

    assert "Checkpoint written (file)" in output
    assert len(checkpoint_lines()) == 1
    assert "1 checkpoint(s)" in verify()


def test_audit_verify_writes_no_checkpoint_over_a_broken_trail():
    rows = make_chain(2)
    drop_append_only_triggers()
    execute("UPDATE careteam_auditevent SET reason = %s WHERE id = %s", ["x", rows[0].pk])

    with pytest.raises(CommandError):
        verify("--checkpoint")

    assert not django_settings.AUDIT_CHECKPOINT_FILE.exists()


def test_the_syslog_sink_logs_checkpoints_and_audit_verify_reads_the_shipped_lines(
    settings, caplog, tmp_path
):
    """GIVEN the syslog sink WHEN a checkpoint is written THEN it goes to the logger for the shipper, and
    audit_verify --checkpoints reads those lines back, syslog prefix and all."""
    settings.AUDIT_CHECKPOINT_SINK = "syslog"
    rows = make_chain(2)
    caplog.set_level(logging.INFO, logger=CHECKPOINT_LOGGER)

    audit_write_checkpoint()

    [record] = [r for r in caplog.records if r.name == CHECKPOINT_LOGGER]
    assert not settings.AUDIT_CHECKPOINT_FILE.exists()
    shipped = tmp_path / "shipped.log"
    shipped.write_text(f"Dec  5 08:00:00 app1 careteam[123]: {record.getMessage()}\n")
    assert "1 checkpoint(s)" in verify("--checkpoints", str(shipped))

    drop_append_only_triggers()
    execute("DELETE FROM careteam_auditevent WHERE id = %s", [rows[1].pk])
    with pytest.raises(CommandError, match="rows deleted from the end"):
        verify("--checkpoints", str(shipped))


def test_audit_verify_help_says_what_it_checks_and_where_the_anchor_lives(capsys):
    with pytest.raises(SystemExit):
        call_command("audit_verify", "--help")
    text = " ".join(capsys.readouterr().out.split()).replace("- ", "-")  # argparse wraps at hyphens
    for phrase in (
        "keyed MAC",
        "AUDIT_HMAC_KEY",
        "outside the database",
        "AUDIT_CHECKPOINT_FILE",
        "var/audit-checkpoints.jsonl",
    ):
        assert phrase in text


# --- TRUNCATE ------------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE (DELETE is refused)")
def test_postgresql_refuses_to_truncate_the_trail():
    make_chain(2)

    with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"), transaction.atomic():
        # The test database allows TRUNCATE for pytest-django's flush (tests/conftest.py); production not.
        execute("SET LOCAL careteam.allow_audit_truncate = 'off'")
        execute("TRUNCATE careteam_auditevent")

    assert AuditEvent.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="flushing with TRUNCATE is PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transactional_test_that_writes_audit_rows_is_still_flushed_afterwards():
    """pytest-django empties every table with TRUNCATE after this test: the guard lets the test database."""
    audit_log(user=None, action=AuditAction.VIEW, reason="flushed after")
    assert AuditEvent.objects.exclude(prev_hash=GENESIS_HASH).count() >= 0


# --- sealing: rows are written without a lock and chained moments later ---------------------------


def test_a_row_is_written_unsealed_and_the_seal_chains_it():
    """GIVEN a row just written WHEN audit_verify runs THEN it is pending, not broken; the seal (the
    worker's job every ten seconds) then chains it after the rows before, with its MAC."""
    [first] = make_chain(1)
    row = audit_log(user=None, action=AuditAction.VIEW, reason="just now")
    stored = AuditEvent.objects.get(pk=row.pk)
    assert (stored.seal_seq, stored.prev_hash, stored.row_hash, stored.row_mac) == (None, "", None, "")

    output = verify()
    assert "Audit chain intact: 1 row(s) verified." in output
    assert "1 row(s) written since the last seal, pending" in output

    assert audit_seal_pending() == 1
    sealed = AuditEvent.objects.get(pk=row.pk)
    assert sealed.seal_seq == first.seal_seq + 1
    assert sealed.prev_hash == first.row_hash
    assert sealed.row_hash == sealed.compute_hash()
    assert "Audit chain intact: 2 row(s) verified." in verify()


def test_the_only_update_the_database_allows_is_sealing_an_unsealed_row():
    [sealed] = make_chain(1)
    pending = audit_log(user=None, action=AuditAction.VIEW, reason="pending")
    attempts = [
        # the content of a row not sealed yet
        ("UPDATE careteam_auditevent SET reason = 'covered up' WHERE id = %s", [pending.pk]),
        # sealing it while changing its content
        (
            "UPDATE careteam_auditevent SET seal_seq = 99, row_hash = 'x', reason = 'gone' WHERE id = %s",
            [pending.pk],
        ),
        # sealing a sealed row again
        ("UPDATE careteam_auditevent SET row_hash = 'x', row_mac = 'y' WHERE id = %s", [sealed.pk]),
        ("UPDATE careteam_auditevent SET seal_seq = NULL WHERE id = %s", [sealed.pk]),
    ]
    for sql, params in attempts:
        with pytest.raises(DatabaseError, match="append-only: UPDATE refused"), transaction.atomic():
            execute(sql, params)

    assert AuditEvent.objects.get(pk=pending.pk).reason == "pending"
    assert AuditEvent.objects.get(pk=sealed.pk).row_hash == sealed.row_hash


def test_a_checkpoint_seals_first_and_anchors_only_sealed_rows():
    make_chain(2)
    audit_log(user=None, action=AuditAction.VIEW, reason="pending")

    write_audit_checkpoint.delay()

    [line] = checkpoint_lines()
    assert json.loads(line)["count"] == 3
    assert AuditEvent.objects.filter(seal_seq__isnull=True).count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_do_not_wait_for_each_other_and_a_late_commit_is_sealed_after():
    """GIVEN a request that wrote an audit row and is still in its transaction WHEN another request
    writes and commits, and the sealer runs THEN the second did not wait for the first, the sealer
    chains what is committed, and the first row, committed later with the lower id, is chained after."""
    import threading

    from django.db import connections

    wrote, release, done = threading.Event(), threading.Event(), threading.Event()
    slow = {}

    def slow_request():
        try:
            with transaction.atomic():
                slow["row"] = audit_log(user=None, action=AuditAction.VIEW, reason="slow request")
                wrote.set()
                release.wait(10)
        finally:
            connections.close_all()
            done.set()

    thread = threading.Thread(target=slow_request)
    thread.start()
    assert wrote.wait(10)
    fast = audit_log(user=None, action=AuditAction.VIEW, reason="fast request")  # would block on a lock
    assert fast.pk > slow["row"].pk
    assert audit_seal_pending() == 1
    release.set()
    assert done.wait(10)
    thread.join()

    assert audit_seal_pending() == 1
    order = list(AuditEvent.objects.order_by("seal_seq").values_list("reason", flat=True))
    assert order == ["fast request", "slow request"]
    audit_write_checkpoint()
    assert "Audit chain intact: 2 row(s) verified." in verify()
