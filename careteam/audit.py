"""Writing and verifying the append-only, hash-chained audit trail.

Every service that touches client information calls ``audit_log`` inside its
own transaction; list pages call ``audit_log_many`` with the clients shown.
The request's address and path reach the audit row through a context
variable set by ``careteam.middleware.AuditContextMiddleware``, so services
need not be handed the request.

What the database owner cannot rewrite (docs/audit.md):

- ``row_hash`` chains each row to the one before (SHA-256): an edited row breaks it.
- ``row_mac`` is HMAC-SHA-256 of ``row_hash`` under ``AUDIT_HMAC_KEY``, a key kept
  outside the database: whoever edits a row and recomputes every later hash
  cannot recompute the MACs.
- Signed checkpoints (last id, its hash, rows up to it, time), written outside
  the database by ``write_audit_checkpoint`` every five minutes to the sink
  ``AUDIT_CHECKPOINT_SINK`` names: rows deleted from the end, or all of them,
  leave a checkpoint pointing at rows that are no longer there.

``audit_verify`` (the function and the management command) checks all three.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count, Min, Model
from django.utils import timezone

from .models import AuditAction, AuditEvent, User

GENESIS_HASH = "0" * 64
# Any constant: the key of the PostgreSQL advisory lock that serialises sealing (never appends).
_CHAIN_LOCK_KEY = 0x6361726574656D  # "caretem"


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    path: str = ""
    user: object = None  # request.user (lazy); for events raised by signals, e.g. role changes in admin
    # Why the user may see the client of this request: a break-glass justification (DESIGN: "every
    # view under it is audited with the reason"). Rows written without their own reason carry it.
    reason: str = ""


_NO_REQUEST = RequestContext()
_request_context: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "careteam_audit_request", default=_NO_REQUEST
)


def request_user() -> User | None:
    """The user of the request being served, if any and if authenticated."""
    user = _request_context.get().user
    return user if user is not None and user.is_authenticated else None


@contextlib.contextmanager
def audit_reason(reason: str):
    """Within this block, audit rows written without a reason of their own carry ``reason``."""
    if not reason:
        yield
        return
    token = _request_context.set(dataclasses.replace(_request_context.get(), reason=reason))
    try:
        yield
    finally:
        _request_context.reset(token)


def set_request_context(ctx: RequestContext) -> contextvars.Token:
    return _request_context.set(ctx)


def reset_request_context(token: contextvars.Token) -> None:
    _request_context.reset(token)


@dataclass(frozen=True)
class Entry:
    """One thing to record; ``audit_log_many`` takes several at once."""

    action: str
    client_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    changed_fields: tuple[str, ...] = ()
    detail: dict | None = None


# --- the keyed anchor ----------------------------------------------------------------------------


@cache
def _derived_key(secret_key: str) -> bytes:
    # Derived, not SECRET_KEY itself, and under its own label: neither key reveals the other.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"careteam-audit-hmac").derive(
        secret_key.encode()
    )


def audit_hmac_key() -> bytes:
    """``AUDIT_HMAC_KEY``; unset, a key derived from ``SECRET_KEY`` by HKDF-SHA-256 (RFC 5869)."""
    configured = settings.AUDIT_HMAC_KEY
    return configured.encode() if configured else _derived_key(settings.SECRET_KEY)


def row_mac(row_hash: str) -> str:
    """HMAC-SHA-256 (RFC 2104) of a row's hash: only a holder of the key can make one."""
    return hmac.new(audit_hmac_key(), row_hash.encode(), hashlib.sha256).hexdigest()


def _lock_chain() -> None:
    """Serialise sealing so two sealers never chain onto the same row.

    PostgreSQL: a transaction-scoped advisory lock, held by the sealer only for
    its own short transaction. SQLite: the database is opened with
    ``transaction_mode=IMMEDIATE``, so the write lock is already held from the
    start of the transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def _describe(obj: Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


@transaction.atomic
def audit_log_many(
    *, user: User | None, entries: Iterable[Entry], reason: str = "", username: str = ""
) -> list[AuditEvent]:
    """Append several audit rows in one insert.

    Rows are written unsealed, with no lock: chaining each row to the one before
    inside the request's transaction would make every audited request wait for
    every other one to commit (measured: ``manage.py audit_benchmark``, docs/audit.md).
    ``audit_seal_pending`` chains them in order moments later."""
    entries = list(entries)
    if not entries:
        return []
    ctx = _request_context.get()
    user_id = user.pk if user is not None and user.is_authenticated else None
    name = username or (user.get_username() if user_id else "")
    rows = []
    for entry in entries:
        row = AuditEvent(
            user_id=user_id,
            username=name,
            client_id=entry.client_id,
            object_type=entry.object_type,
            object_id=entry.object_id,
            action=entry.action,
            ip_address=ctx.ip_address,
            path=ctx.path[:300],
            reason=reason or ctx.reason,
            changed_fields=sorted(entry.changed_fields),
            detail=entry.detail or {},
        )
        rows.append(row)
    return AuditEvent.objects.bulk_create(rows)


def _write_seals(seals: list[tuple[int, str, str, str, int]]) -> None:
    """(seal_seq, prev_hash, row_hash, row_mac, id) onto unsealed rows. Not bulk_update: its CASE per row
    is quadratic. PostgreSQL: one UPDATE ... FROM (VALUES ...); SQLite: one cheap statement per row."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(["(%s::bigint, %s, %s, %s, %s::bigint)"] * len(seals))
            cursor.execute(
                f"UPDATE {table} AS t SET seal_seq = v.seq, prev_hash = v.prev, row_hash = v.hash, "  # noqa: S608
                f"row_mac = v.mac FROM (VALUES {values}) AS v(seq, prev, hash, mac, id) "
                "WHERE t.id = v.id AND t.seal_seq IS NULL",
                [value for seal in seals for value in seal],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET seal_seq = %s, prev_hash = %s, row_hash = %s, row_mac = %s "  # noqa: S608
                "WHERE id = %s AND seal_seq IS NULL",
                seals,
            )


def audit_seal_pending(*, batch_size: int = 1000) -> int:
    """Chain the rows written since the last seal onto the trail, in id order, and return how many.

    Under the chain lock, in transactions of ``batch_size`` rows: each gets the next ``seal_seq``, the
    previous sealed row's hash, its own hash (read back from the database, so exactly what
    ``audit_verify`` will recompute) and its MAC. The triggers allow this one UPDATE (migration 0011).
    A row whose transaction commits after a later id was sealed is simply sealed next time."""
    sealed = 0
    while True:
        with transaction.atomic():
            _lock_chain()
            last = (
                AuditEvent.objects.filter(seal_seq__isnull=False)
                .order_by("-seal_seq")
                .values_list("seal_seq", "row_hash")
                .first()
            )
            seq, prev = last or (0, GENESIS_HASH)
            rows = list(AuditEvent.objects.filter(seal_seq__isnull=True).order_by("id")[:batch_size])
            for row in rows:
                seq += 1
                row.seal_seq, row.prev_hash = seq, prev
                row.row_hash = row.compute_hash()
                row.row_mac = row_mac(row.row_hash)
                prev = row.row_hash
            if rows:
                _write_seals([(r.seal_seq, r.prev_hash, r.row_hash, r.row_mac, r.pk) for r in rows])
        sealed += len(rows)
        if len(rows) < batch_size:
            return sealed


def audit_log(
    *,
    user: User | None,
    action: str,
    client=None,
    obj: Model | None = None,
    changed_fields: Iterable[str] = (),
    reason: str = "",
    detail: dict | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one audit row. ``client`` is the person served the event concerns."""
    object_type, object_id = _describe(obj)
    entry = Entry(
        action=action,
        client_id=getattr(client, "pk", client),
        object_type=object_type,
        object_id=object_id,
        changed_fields=tuple(changed_fields),
        detail=detail,
    )
    return audit_log_many(user=user, entries=[entry], reason=reason, username=username)[0]


def audit_clients_listed(*, user: User, clients: Iterable, detail: dict | None = None) -> None:
    """Record that a list page or API list showed these clients (one row per client)."""
    audit_client_ids_listed(user=user, client_ids=[c.pk for c in clients], detail=detail)


def audit_client_ids_listed(*, user: User, client_ids: Iterable[int], detail: dict | None = None) -> None:
    """``audit_clients_listed`` from ids (e.g. a page of rows' ``client_id``): one row per distinct client,
    in order of first appearance, with no need to load the clients."""
    audit_log_many(
        user=user,
        entries=[
            Entry(
                action=AuditAction.LIST,
                client_id=pk,
                object_type="clients.client",
                object_id=str(pk),
                detail=detail,
            )
            for pk in dict.fromkeys(client_ids)
        ],
    )


# --- checkpoints: the anchor outside the database --------------------------------------------------

CHECKPOINT_LOGGER = "careteam.audit.checkpoint"
_CHECKPOINT_LABEL = b"careteam-audit-checkpoint\n"  # so no row MAC can pass for a checkpoint signature


@dataclass(frozen=True)
class Checkpoint:
    """The trail as it stood: its newest row, that row's hash, and how many rows there were up to it."""

    last_id: int
    last_hash: str
    count: int
    at: str  # ISO 8601, UTC

    def _payload(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode()

    def signature(self) -> str:
        return hmac.new(audit_hmac_key(), _CHECKPOINT_LABEL + self._payload(), hashlib.sha256).hexdigest()

    def to_line(self) -> str:
        return json.dumps({**asdict(self), "sig": self.signature()}, sort_keys=True, separators=(",", ":"))


def parse_checkpoint(line: str) -> tuple[Checkpoint | None, str]:
    """A checkpoint from one line (a syslog prefix before the JSON is skipped) and what is wrong with it."""
    start, end = line.find("{"), line.rfind("}")
    try:
        data = json.loads(line[start : end + 1]) if start >= 0 else None
        checkpoint = Checkpoint(
            last_id=int(data["last_id"]),
            last_hash=str(data["last_hash"]),
            count=int(data["count"]),
            at=data["at"],
        )
        sig = str(data["sig"])
    except (TypeError, ValueError, KeyError):
        return None, "is not a checkpoint"
    if not hmac.compare_digest(sig, checkpoint.signature()):
        return None, "has a signature that does not verify (forged, altered, or signed with another key)"
    return checkpoint, ""


class CheckpointSink:
    """Where checkpoints are written. ``latest`` is the newest this sink knows of, or None."""

    def write(self, line: str) -> None:
        raise NotImplementedError

    def latest(self) -> Checkpoint | None:
        return None


class FileCheckpointSink(CheckpointSink):
    """JSON lines appended to a file (``AUDIT_CHECKPOINT_FILE``, under var/ by default)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def write(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())

    def latest(self) -> Checkpoint | None:
        try:
            with self.path.open("rb") as f:
                f.seek(max(0, f.seek(0, os.SEEK_END) - 4096))
                tail = f.read().decode("utf-8", "replace").splitlines()
        except FileNotFoundError:
            return None
        return parse_checkpoint(tail[-1])[0] if tail else None


class LoggerCheckpointSink(CheckpointSink):
    """Each line logged at INFO to the logger ``careteam.audit.checkpoint``, for syslog or a log shipper."""

    _latest: Checkpoint | None = None  # this process's last; after a restart one repeat is harmless

    def write(self, line: str) -> None:
        logging.getLogger(CHECKPOINT_LOGGER).info(line)
        LoggerCheckpointSink._latest = parse_checkpoint(line)[0]

    def latest(self) -> Checkpoint | None:
        return LoggerCheckpointSink._latest


def checkpoint_sink() -> CheckpointSink:
    """The sink ``AUDIT_CHECKPOINT_SINK`` names: "file" (default) or "syslog"."""
    kind = settings.AUDIT_CHECKPOINT_SINK
    if kind == "file":
        return FileCheckpointSink(settings.AUDIT_CHECKPOINT_FILE)
    if kind == "syslog":
        return LoggerCheckpointSink()
    raise ImproperlyConfigured(f'AUDIT_CHECKPOINT_SINK must be "file" or "syslog", not {kind!r}.')


def audit_write_checkpoint(
    *, only_if_grown: bool = False, sink: CheckpointSink | None = None
) -> Checkpoint | None:
    """Sign the newest sealed row, its hash and the number of sealed rows up to it, and write that
    outside the database. (Seal first to include the newest rows.) Nothing is written for an empty
    trail, nor (``only_if_grown``) when the sink's newest checkpoint already names that row."""
    sink = sink or checkpoint_sink()
    last = (
        AuditEvent.objects.filter(seal_seq__isnull=False)
        .order_by("-seal_seq")
        .values_list("id", "row_hash", "seal_seq")
        .first()
    )
    if last is None:
        return None
    latest = sink.latest() if only_if_grown else None
    if latest is not None and (latest.last_id, latest.last_hash) == last[:2]:
        return None
    count = AuditEvent.objects.filter(seal_seq__lte=last[2]).count()
    at = timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds")
    checkpoint = Checkpoint(last_id=last[0], last_hash=last[1], count=count, at=at)
    sink.write(checkpoint.to_line())
    return checkpoint


# --- verification ----------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    rows: int = 0  # sealed rows read
    pending: int = 0  # rows written but not sealed yet: not chained, not verified, not a problem
    oldest_pending: dt.datetime | None = None
    checkpoints: int = 0  # valid checkpoints checked against the rows
    problems: list[str] = field(default_factory=list)
    first_broken_id: int | None = None
    verified_before_break: int = 0  # rows that held before the first broken row
    first_row_problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify(*, checkpoint_lines: Iterable[str] = (), batch_size: int = 5000) -> VerifyReport:
    """Check the whole trail, in seal order: each row's hash, its link to the row before, its keyed
    MAC, and every checkpoint line (its signature; the row it names is there with that hash; exactly
    that many rows up to it). Rows not sealed yet are counted as pending. Collects every problem
    found rather than stopping at the first."""
    report = VerifyReport()
    expected: dict[int, list[tuple[int, Checkpoint]]] = {}
    for number, line in enumerate(checkpoint_lines, start=1):
        if not line.strip():
            continue
        checkpoint, wrong = parse_checkpoint(line)
        if checkpoint is None:
            report.problems.append(f"checkpoint line {number} {wrong}")
        else:
            expected.setdefault(checkpoint.last_id, []).append((number, checkpoint))
            report.checkpoints += 1

    def row_problem(row_id: int, what: str) -> None:
        report.problems.append(f"row {row_id}: {what}")
        if report.first_broken_id is None:
            report.first_broken_id, report.first_row_problem = row_id, what

    prev, last_id, last_seq = GENESIS_HASH, 0, 0
    sealed = AuditEvent.objects.filter(seal_seq__isnull=False).order_by("seal_seq")
    while batch := list(sealed.filter(seal_seq__gt=last_seq)[:batch_size]):
        for row in batch:
            report.rows += 1
            if row.prev_hash != prev:
                row_problem(
                    row.id, "its previous-hash does not match the row before it (rows deleted or rewritten)"
                )
            if row.compute_hash() != row.row_hash:
                row_problem(row.id, "its content does not match its hash (edited)")
            elif not hmac.compare_digest(row.row_mac, row_mac(row.row_hash)):
                row_problem(
                    row.id,
                    "its keyed MAC does not match its hash (rewritten, hashes recomputed, by someone without "
                    "the key; or AUDIT_HMAC_KEY is not the key the trail was written with)",
                )
            if report.first_broken_id is None:
                report.verified_before_break += 1
            for number, checkpoint in expected.pop(row.id, ()):
                said = f"checkpoint line {number} ({checkpoint.at})"
                if checkpoint.last_hash != row.row_hash:
                    report.problems.append(f"{said}: row {row.id} had another hash then (rewritten)")
                if checkpoint.count != report.rows:
                    counts = f"{checkpoint.count} row(s) up to row {row.id} then, {report.rows} now"
                    report.problems.append(f"{said}: {counts} (rows deleted)")
            prev, last_id, last_seq = row.row_hash, row.id, row.seal_seq
    for pending in expected.values():
        for number, checkpoint in pending:
            then = f"row {checkpoint.last_id} and {checkpoint.count} row(s) up to it then"
            now = f"the trail now ends at row {last_id or '-'} with {report.rows} row(s)"
            report.problems.append(
                f"checkpoint line {number} ({checkpoint.at}): {then}; {now} "
                "(rows deleted from the end, or the table emptied)"
            )
    pending = AuditEvent.objects.filter(seal_seq__isnull=True).aggregate(
        n=Count("id"), oldest=Min("occurred_at")
    )
    report.pending, report.oldest_pending = pending["n"], pending["oldest"]
    return report


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def audit_verify_chain(*, batch_size: int = 5000) -> ChainReport:
    """The rows alone (hashes, links, MACs; no checkpoints): the first row that does not hold."""
    report = audit_verify(batch_size=batch_size)
    return ChainReport(report.verified_before_break, report.first_broken_id, report.first_row_problem)


def changed_field_names(instance: Model, before: dict, fields: Iterable[str]) -> list[str]:
    """Names of ``fields`` whose value on ``instance`` differs from the ``before`` snapshot."""
    return [f for f in fields if before.get(f) != getattr(instance, f)]


def snapshot(instance: Model, fields: Iterable[str]) -> dict:
    return {f: getattr(instance, f) for f in fields}
