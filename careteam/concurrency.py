"""Optimistic concurrency: a save made from a stale copy of a record is refused, saying what changed.

No version column. A record's *version token* is computed from the current values of the fields an
edit covers (a form's fields, or the fields an API serializer writes). A page carries the token it
was rendered with in a hidden field; an API caller gets it as the ``ETag`` and sends it back in
``If-Match`` (``careteam.api_base.ConcurrencyControlMixin``). The service that writes the change
re-reads the row under its lock and calls ``require_unchanged``: if the token differs it raises
``StaleEditError`` and nothing is written. A change to a field the edit does not cover leaves the
token as it was, so it does not make the edit stale.

The token is a keyed hash (HMAC-SHA256 under the project's secret key), not a plain one: an ETag must
not let someone who sees only part of a record (a peer's minimum-necessary view) test guesses of the
rest offline. It is a short digest of the record's identity followed by one per field, so a stale
token still tells which fields changed. A form also carries the values it was opened with
(``concurrency_snapshot``, trusted only when it hashes to the token), so a refusal can show each
changed field as it was when the form was opened and as it is saved now.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

# The hidden fields a versioned form carries.
TOKEN_FIELD = "concurrency_token"  # noqa: S105 (a field name, not a secret)
SNAPSHOT_FIELD = "concurrency_snapshot"

_KEY_SALT = "careteam.concurrency.version-token"
# Per digest: 48 bits is plenty to notice that a value changed, and keeps a 30-field token short.
_DIGEST_BYTES = 6

STALE_MESSAGE = _(
    "Someone else changed this record since you opened it. Their changes are shown below; "
    "review and save again."
)
UNKNOWN_VERSION_MESSAGE = _(
    "Nothing was saved: this form did not say which version of the record it was opened from. "
    "Open the record again to see it as saved now, or save again to replace it with your entries."
)


# --- the token --------------------------------------------------------------------------------------


def canonical(value: Any) -> Any:
    """``value`` as plain JSON (str, int, float, bool, None, lists and string-keyed dicts), the same
    whichever way the row was read: dates and times in ISO 8601 (aware ones in UTC), related rows
    by primary key, sets sorted."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID | Promise):
        return str(value)
    if isinstance(value, models.Model):
        return canonical(value.pk)
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return str(value)  # phone numbers and other value objects: their string form


def identity_of(instance: models.Model | None, *, model: type[models.Model] | None = None) -> str:
    """Which record a token is about: ``app_label.model:pk`` (``…:new`` while there is no row yet,
    which needs ``model``)."""
    meta = (instance if instance is not None else model)._meta
    pk = instance.pk if instance is not None else None
    return f"{meta.label_lower}:{'new' if pk is None else pk}"


def values_of(
    instance: models.Model | None, fields: Iterable[str], *, model: type[models.Model] | None = None
) -> dict[str, Any]:
    """The canonical values of ``fields`` on ``instance``. A foreign key is its id (no query); a
    many-to-many field the sorted ids. With no row yet, each field's default (``None`` without
    ``model`` or without a default)."""
    if instance is None:
        return {name: _default(model, name) for name in fields}
    meta = instance._meta
    values: dict[str, Any] = {}
    for name in fields:
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist:
            values[name] = canonical(getattr(instance, name, None))
            continue
        if field.many_to_many:
            related = getattr(instance, name).all() if instance.pk is not None else []
            values[name] = sorted(canonical(obj.pk) for obj in related)
        elif field.concrete:
            values[name] = canonical(getattr(instance, field.attname))
        else:
            values[name] = None
    return values


def _default(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # What a new, unsaved row would hold: the default, or "" for a text field without one.
    return canonical(field.get_default()) if field.concrete and not field.many_to_many else None


def _digest(*parts: Any) -> bytes:
    message = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return salted_hmac(_KEY_SALT, message, algorithm="sha256").digest()[:_DIGEST_BYTES]


def token_for_values(identity: str, values: Mapping[str, Any]) -> str:
    """The token of a record with these (canonical) values: its identity's digest, then one digest
    per field in name order, base64url without padding."""
    values = canonical(values)
    raw = _digest("record", identity) + b"".join(
        _digest("field", name, values[name]) for name in sorted(values)
    )
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def token_for(
    instance: models.Model | None, fields: Iterable[str], *, model: type[models.Model] | None = None
) -> str:
    """The version token of ``instance`` over ``fields`` as they are now."""
    return token_for_values(identity_of(instance, model=model), values_of(instance, fields, model=model))


def tokens_match(sent: str | None, current: str) -> bool:
    return bool(sent) and constant_time_compare(sent, current)


def _b64decode(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def changed_fields(token: str | None, identity: str, values: Mapping[str, Any]) -> list[str] | None:
    """The fields of ``values`` that differ from those ``token`` was computed from, in name order;
    ``None`` when the token cannot say (missing, malformed, or computed over other fields)."""
    raw = _b64decode(token or "")
    names = sorted(values)
    if not raw or len(raw) != _DIGEST_BYTES * (1 + len(names)):
        return None
    values = canonical(values)
    chunks = [raw[i : i + _DIGEST_BYTES] for i in range(_DIGEST_BYTES, len(raw), _DIGEST_BYTES)]
    return [
        name
        for name, chunk in zip(names, chunks, strict=True)
        if not constant_time_compare(chunk, _digest("field", name, values[name]))
    ]


# --- the values a form was opened with ---------------------------------------------------------------


def encode_snapshot(identity: str, values: Mapping[str, Any]) -> str:
    """The values a form is opened with, for its hidden snapshot field. Not secret (they are the
    form's own initial values) and not signed: ``decode_snapshot`` trusts it only if it hashes to the
    token it came with."""
    payload = json.dumps({"id": identity, "v": canonical(values)}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(payload.encode()).decode("ascii").rstrip("=")


def decode_snapshot(snapshot: str | None, token: str | None) -> dict[str, Any] | None:
    """The values of a snapshot issued together with ``token``; ``None`` if it was not."""
    raw = _b64decode(snapshot or "")
    if not raw or not token:
        return None
    try:
        data = json.loads(raw.decode())
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("v"), dict):
        return None
    if not tokens_match(token, token_for_values(str(data.get("id")), data["v"])):
        return None
    return data["v"]


# --- refusing a stale save ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """The version an edit started from: the token it was given and the fields that token covers."""

    token: str
    fields: tuple[str, ...]


class StaleEditError(DomainError):
    """The record changed since the editor read it, or the edit did not say which version it read.

    ``changed``: the covered fields that differ (``None`` when the token could not say);
    ``current``: the canonical values now saved; ``token``: the current version, to carry on.
    """

    def __init__(self, *, changed: list[str] | None, current: dict[str, Any], token: str, identity: str):
        super().__init__(str(STALE_MESSAGE if changed is not None else UNKNOWN_VERSION_MESSAGE))
        self.changed = changed
        self.current = current
        self.token = token
        self.identity = identity


def require_unchanged(
    instance: models.Model | None,
    expected: Expected | None,
    *,
    model: type[models.Model] | None = None,
) -> None:
    """Refuse a stale edit: ``StaleEditError`` unless ``instance`` — read by the caller under its row
    lock, inside the transaction that writes the change — still has the values ``expected`` was
    computed from. ``instance`` is ``None`` for a record that does not exist yet (give ``model``).
    ``expected=None`` checks nothing (a caller with no version to give: a task, ``If-Match: *``)."""
    if expected is None:
        return
    identity = identity_of(instance, model=model)
    current = values_of(instance, expected.fields, model=model)
    token = token_for_values(identity, current)
    if tokens_match(expected.token, token):
        return
    raise StaleEditError(
        changed=changed_fields(expected.token, identity, current),
        current=current,
        token=token,
        identity=identity,
    )


# --- forms ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One line of a refusal: what a field said when the form was opened, and what is saved now."""

    name: str
    label: str
    started: str
    now: str


def _flat_choices(choices) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, label in choices:
        if isinstance(label, list | tuple):
            flat.update(_flat_choices(label))
        else:
            flat[str(key)] = label
    return flat


def display_value(value: Any, form_field: forms.Field | None = None) -> str:
    """A canonical value as a person reads it, using the form field's choices and formats."""
    if value is None or value == "" or value == [] or value == {}:
        return gettext("(empty)")
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(form_field, forms.ModelChoiceField):
        keys = value if isinstance(value, list) else [value]
        model = form_field.queryset.model
        names = {str(obj.pk): str(obj) for obj in model._default_manager.filter(pk__in=keys)}
        return ", ".join(names.get(str(k), str(k)) for k in keys)
    choices = getattr(form_field, "choices", None) if form_field is not None else None
    if choices:
        flat = _flat_choices(choices)
        keys = value if isinstance(value, list) else [value]
        return ", ".join(str(flat.get(str(k), k)) for k in keys)
    if isinstance(value, list):
        return "; ".join(display_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, str):
        if isinstance(form_field, forms.DateTimeField) and (when := parse_datetime(value)):
            return formats.localize(timezone.localtime(when) if timezone.is_aware(when) else when)
        if isinstance(form_field, forms.DateField) and (day := parse_date(value)):
            return formats.localize(day)
        if isinstance(form_field, forms.TimeField) and (time := parse_time(value)):
            return formats.localize(time)
    return str(value)


_NO_RECORD = object()


class ConcurrencyFormMixin:
    """An edit form that carries the version of the record it was opened from.

    List it before ``forms.Form`` / ``forms.ModelForm``. A ModelForm bound to a saved instance is
    versioned by that instance; any other form names its record with ``version_of=`` (``None`` for
    one that does not exist yet, with ``concurrency_model`` saying what it would be). The version
    covers ``concurrency_fields`` (default: the form's own fields), so a change to anything else
    does not make the form stale. A form with no record (``IntakeForm``) carries nothing.

    The view passes ``form.expected_version()`` to the service that writes; when the service raises
    ``StaleEditError``, ``form.refuse_stale(exc)`` (called by ``clients.chart_views.add_service_errors``)
    keeps every entry, switches the hidden fields to the version now saved — so saving again on
    purpose succeeds — and lists the changed fields in ``form.concurrency_conflict``, which
    ``includes/form_errors.html`` shows.
    """

    concurrency_fields: tuple[str, ...] | None = None
    concurrency_model: type[models.Model] | None = None
    # Labels of covered fields the form does not show as such (a list split into rows).
    concurrency_labels: Mapping[str, Any] = {}

    def __init__(self, *args, version_of: Any = _NO_RECORD, **kwargs):
        super().__init__(*args, **kwargs)
        self.concurrency_conflict: list[FieldChange] = []
        self.stale = False
        record = version_of
        if record is _NO_RECORD:
            instance = getattr(self, "instance", None)
            if instance is not None and instance.pk is not None:
                record = instance
        self.tracks_version = record is not _NO_RECORD
        if not self.tracks_version:
            return
        self._version_fields = tuple(self.concurrency_fields or self.fields)
        # No id: a page may hold two versioned forms (a plan draft's header and relapse sections).
        for name in (TOKEN_FIELD, SNAPSHOT_FIELD):
            self.fields[name] = forms.CharField(widget=forms.HiddenInput(attrs={"id": False}), required=False)
        if not self.is_bound:
            identity = identity_of(record, model=self.concurrency_model)
            values = values_of(record, self._version_fields, model=self.concurrency_model)
            self.initial[TOKEN_FIELD] = token_for_values(identity, values)
            self.initial[SNAPSHOT_FIELD] = encode_snapshot(identity, values)

    def _posted(self, name: str) -> str:
        return str(self.data.get(self.add_prefix(name), "") or "") if self.is_bound else ""

    def expected_version(self) -> Expected | None:
        """What the service checks the stored record against (``None``: the form is not versioned)."""
        if not self.tracks_version:
            return None
        return Expected(token=self._posted(TOKEN_FIELD), fields=self._version_fields)

    def _label(self, name: str) -> str:
        if name in self.concurrency_labels:
            return str(self.concurrency_labels[name])
        field = self.fields.get(name)
        if field is not None and field.label:
            return str(field.label)
        return name.replace("_", " ").capitalize()

    def refuse_stale(self, exc: StaleEditError) -> None:
        """Show a stale save's refusal: entries kept, the new version carried, the changes listed."""
        started = decode_snapshot(self._posted(SNAPSHOT_FIELD), self._posted(TOKEN_FIELD))
        data = self.data.copy()
        data[self.add_prefix(TOKEN_FIELD)] = exc.token
        data[self.add_prefix(SNAPSHOT_FIELD)] = encode_snapshot(exc.identity, exc.current)
        self.data = data
        order = {name: i for i, name in enumerate(self._version_fields)}
        unknown = gettext("(not known)")
        self.concurrency_conflict = [
            FieldChange(
                name=name,
                label=self._label(name),
                started=display_value(started.get(name), self.fields.get(name)) if started else unknown,
                now=display_value(exc.current.get(name), self.fields.get(name)),
            )
            for name in sorted(exc.changed or (), key=lambda n: order.get(n, len(order)))
        ]
        self.stale = True
        self.add_error(None, exc.message)
