"""Writing and verifying the append-only, hash-chained audit trail.

Every service that touches client information calls ``audit_log`` inside its
own transaction; list pages call ``audit_log_many`` with the clients shown.
The request's address and path reach the audit row through a context
variable set by ``careteam.middleware.AuditContextMiddleware``, so services
need not be handed the request.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model

from .models import AuditAction, AuditEvent, User

GENESIS_HASH = "0" * 64
# Any constant: the key of the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 0x6361726574656D  # "caretem"


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    path: str = ""
    user: object = None  # request.user (lazy); for events raised by signals, e.g. role changes in admin


_NO_REQUEST = RequestContext()
_request_context: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "careteam_audit_request", default=_NO_REQUEST
)


def request_user() -> User | None:
    """The user of the request being served, if any and if authenticated."""
    user = _request_context.get().user
    return user if user is not None and user.is_authenticated else None


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


def _lock_chain() -> None:
    """Serialise appends so two transactions never chain onto the same row.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the database is
    opened with ``transaction_mode=IMMEDIATE``, so the write lock is already
    held from the start of the transaction.
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
    """Append several audit rows in one insert, chained in order."""
    entries = list(entries)
    if not entries:
        return []
    ctx = _request_context.get()
    _lock_chain()
    prev = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first() or GENESIS_HASH
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
            reason=reason,
            changed_fields=sorted(entry.changed_fields),
            detail=entry.detail or {},
            prev_hash=prev,
        )
        row.row_hash = row.compute_hash()
        prev = row.row_hash
        rows.append(row)
    return AuditEvent.objects.bulk_create(rows)


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


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def audit_verify_chain(*, batch_size: int = 5000) -> ChainReport:
    """Walk the trail in id order and report the first row whose hash does not hold."""
    prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return ChainReport(checked=checked, first_broken_id=None)
        for row in batch:
            if row.prev_hash != prev:
                return ChainReport(checked, row.id, "its previous-hash does not match the row before it")
            if row.compute_hash() != row.row_hash:
                return ChainReport(checked, row.id, "its content does not match its hash (edited)")
            prev = row.row_hash
            checked += 1
            last_id = row.id


def changed_field_names(instance: Model, before: dict, fields: Iterable[str]) -> list[str]:
    """Names of ``fields`` whose value on ``instance`` differs from the ``before`` snapshot."""
    return [f for f in fields if before.get(f) != getattr(instance, f)]


def snapshot(instance: Model, fields: Iterable[str]) -> dict:
    return {f: getattr(instance, f) for f in fields}
