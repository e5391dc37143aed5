"""Writes to the resource directory: HSDS import and export, and keeping a service's capacity current.

``hsds_import`` validates every row of every table before it writes anything. By default one bad
row means nothing is imported; with ``partial=True`` the valid rows are imported and rows that
depend on a bad row (a service whose organization row has errors, …) are reported and skipped.
Rows are matched on their HSDS ``id`` (``hsds_id``), so importing an export updates the same rows;
taxonomy terms are also matched on (taxonomy, code), service languages on (service, code) and
services-at-locations on (service, location), so a directory from elsewhere never collides with
ours. Import adds and updates; it never deletes (retire a service with ``status=inactive``).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction, User
from referrals.models import (
    Address,
    Capacity,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    TaxonomyTerm,
)

from . import hsds
from .hsds import Column, ParsedFile, Tables

MODELS: dict[str, type[models.Model]] = {
    "organization": Organization,
    "taxonomy_term": TaxonomyTerm,
    "service": Service,
    "location": Location,
    "address": Address,
    "service_at_location": ServiceAtLocation,
    "phone": Phone,
    "schedule": Schedule,
    "language": ServiceLanguage,
}

# Which model foreign key each reference column fills.
REFERENCE_ATTRS = {
    "organization_id": "organization_id",
    "service_id": "service_id",
    "location_id": "location_id",
    "service_at_location_id": "service_at_location_id",
    "parent_id": "parent_id",
}

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQUENCIES = {"WEEKLY", "DAILY"}
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_OFFSET = re.compile(r"^[+-]?\d{1,2}(\.\d+)?$")


# --- capacity -----------------------------------------------------------------------------------


@transaction.atomic
def service_capacity_update(*, service: Service, capacity: str, acting_user: User | None) -> Service:
    """Record whether a service is taking people now (open / waitlist / full) and when we learned it."""
    if capacity not in Capacity.values:
        raise DomainError("Choose open, waitlist or full.", field="capacity")
    before = service.capacity
    service.capacity = capacity
    service.capacity_updated_at = timezone.now()
    service.save(update_fields=["capacity", "capacity_updated_at", "updated_at"])
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        obj=service,
        changed_fields=["capacity", "capacity_updated_at"],
        detail={"capacity": {"from": before, "to": capacity}},
    )
    return service


# --- import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    source: str  # "service.csv" (CSV) or "service" (JSON)
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.source} row {self.row}: {self.field}: {self.message}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # rows left out because of errors (partial)
    ignored: Counter = field(default_factory=Counter)  # rows we do not keep (e.g. location languages)
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if not self.imported:
            return f"Nothing imported: {len(self.errors)} error(s)."
        text = "; ".join(
            f"{t}: {self.created[t]} new, {self.updated[t]} updated"
            for t in hsds.TABLE_ORDER
            if self.created[t] or self.updated[t]
        )
        if self.skipped:
            text += f". Skipped {sum(self.skipped.values())} row(s) with errors"
        return text or "Nothing to import."


@dataclass
class _Row:
    table: str
    number: int
    hsds_id: uuid.UUID | None
    values: dict  # model attribute → parsed value
    refs: dict  # reference column → uuid (or None)
    raw: dict
    errors: list[tuple[str, str]] = field(default_factory=list)
    match_pk: int | None = None  # an existing row matched by id or natural key


def _parse(column: Column, text: str):
    """Parse one cell; raises ValueError with a message people can act on."""
    text = text.strip()
    kind = column.kind
    if kind == "text":
        return text
    if text == "":
        return None
    if kind == "uuid":
        try:
            return uuid.UUID(text)
        except ValueError:
            raise ValueError(f"“{text}” is not a UUID.") from None
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"“{text}” is not a whole number.") from None
    if kind == "decimal":
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{text}” is not a number.") from None
    if kind == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(f"“{text}” is not true or false.")
    if kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"“{text}” is not a date (YYYY-MM-DD).") from None
    if kind == "time":
        try:
            return dt.time.fromisoformat(text)
        except ValueError:
            raise ValueError(f"“{text}” is not a time (HH:MM).") from None
    if kind == "datetime":
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"“{text}” is not a date and time (ISO 8601).") from None
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    raise AssertionError(kind)


def _zone_name(text: str) -> str:
    """An IANA zone name, or a UTC offset in hours (HSDS's own form) turned into one."""
    if text == "":
        return ""
    if _OFFSET.match(text):
        hours = float(text)
        if hours != int(hours) or not -14 <= hours <= 12:
            raise ValueError(
                f"“{text}”: give a whole-hour UTC offset or an IANA zone such as America/Chicago."
            )
        # Etc/GMT zones count the other way round: UTC-5 is Etc/GMT+5.
        return "UTC" if hours == 0 else f"Etc/GMT{-int(hours):+d}"
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"“{text}” is not a time zone (e.g. America/Chicago).") from None
    return text


class _Importer:
    def __init__(self, parsed: ParsedFile):
        self.parsed = parsed
        self.rows: dict[str, list[_Row]] = {t: [] for t in hsds.TABLE_ORDER}
        self.valid: dict[str, dict[uuid.UUID, _Row]] = {t: {} for t in hsds.TABLE_ORDER}
        self.invalid: dict[str, dict[uuid.UUID, _Row]] = {t: {} for t in hsds.TABLE_ORDER}
        self.existing: dict[str, dict[uuid.UUID, int]] = {}
        self.report = ImportReport()

    # ---- validation ----

    def existing_ids(self, table: str) -> dict[uuid.UUID, int]:
        if table not in self.existing:
            self.existing[table] = dict(MODELS[table].objects.values_list("hsds_id", "pk"))
        return self.existing[table]

    def validate(self) -> None:
        for table in hsds.TABLE_ORDER:
            seen: dict[uuid.UUID, int] = {}
            for index, raw in enumerate(self.parsed.tables.get(table, [])):
                row = self._read_row(table, index + self.parsed.first_row, raw)
                if row is None:
                    continue
                if row.hsds_id is not None:
                    if row.hsds_id in seen:
                        row.errors.append(("id", f"the same id is already on row {seen[row.hsds_id]}."))
                    else:
                        seen[row.hsds_id] = row.number
                self.rows[table].append(row)
            self._check_references(table)
            self._check_natural_keys(table)
            for row in self.rows[table]:
                if row.hsds_id is None:
                    continue
                (self.invalid if row.errors else self.valid)[table][row.hsds_id] = row
            if table == "taxonomy_term":
                self._check_parents()

    def _read_row(self, table: str, number: int, raw: dict) -> _Row | None:
        values, refs, errors = {}, {}, []
        if table == "attribute" and raw.get("link_entity", "").strip() not in ("service", ""):
            self.report.ignored[table] += 1  # attributes of other entities: we keep service needs only
            return None
        if table == "language" and not raw.get("service_id", "").strip():
            self.report.ignored[table] += 1  # languages of a location or a phone: not kept
            return None
        hsds_id = None
        for column in hsds.TABLES[table]:
            text = raw.get(column.name, "") or ""
            if column.required and not text.strip():
                errors.append((column.name, "this field is required."))
                continue
            try:
                if column.name == "id":
                    hsds_id = _parse(column, text)
                elif column.ref is not None:
                    refs[column.name] = _parse(Column(column.name, kind="uuid"), text)
                elif column.name == "link_id":
                    refs["link_id"] = _parse(Column(column.name, kind="uuid"), text)
                elif column.name == "timezone":
                    values["timezone"] = _zone_name(text.strip())
                elif column.attr is not None:
                    values[column.attr] = _parse(column, text)
            except ValueError as exc:
                errors.append((column.name, str(exc)))
        row = _Row(table, number, hsds_id, values, refs, raw, errors)
        self._clean_values(row)
        self._table_rules(row)
        return row

    def _clean_values(self, row: _Row) -> None:
        """The model's own field checks (lengths, e-mail and URL format, choices, ranges)."""
        model = MODELS.get(row.table)
        if model is None:
            return
        for name, value in list(row.values.items()):
            model_field = model._meta.get_field(name)
            if (value in ("", None) and not model_field.blank and model_field.has_default()) or (
                value is None and isinstance(model_field, models.BooleanField)
            ):
                row.values[name] = model_field.get_default()
        instance = model(**row.values)
        exclude = [f.name for f in model._meta.fields if f.name not in row.values]
        failed = {name for name, _ in row.errors}
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name not in failed:
                    row.errors.append((name, " ".join(m.rstrip(".") + "." for m in messages)))

    def _table_rules(self, row: _Row) -> None:
        v = row.values
        if row.table == "service":
            low, high = v.get("minimum_age"), v.get("maximum_age")
            if low is not None and high is not None and low > high:
                row.errors.append(("maximum_age", "is below minimum_age."))
        elif row.table == "schedule":
            byday = [d.strip().upper() for d in (v.get("byday") or "").split(",") if d.strip()]
            wrong = [d for d in byday if d not in DAYS]
            if wrong:
                row.errors.append(("byday", f"unknown day(s) {', '.join(wrong)}: use MO,TU,WE,TH,FR,SA,SU."))
            else:
                v["byday"] = ",".join(byday)
            v["freq"] = (v.get("freq") or "WEEKLY").upper()
            if v["freq"] not in FREQUENCIES:
                row.errors.append(
                    ("freq", f"“{v['freq']}” is not supported: use WEEKLY (with byday) or DAILY.")
                )
            failed = {name for name, _ in row.errors}
            if not failed & {"opens_at", "closes_at"} and (v.get("opens_at") is None) != (
                v.get("closes_at") is None
            ):
                row.errors.append(
                    ("closes_at" if v.get("opens_at") else "opens_at", "give both opening and closing times.")
                )
            if v.get("valid_from") and v.get("valid_to") and v["valid_from"] > v["valid_to"]:
                row.errors.append(("valid_to", "is before valid_from."))
            if not any(row.refs.get(c) for c in ("service_id", "location_id", "service_at_location_id")):
                row.errors.append(
                    ("service_id", "a schedule belongs to a service, a location or a service at a location.")
                )
        elif row.table == "phone" and not any(
            row.refs.get(c) for c in ("service_id", "location_id", "organization_id")
        ):
            row.errors.append(("service_id", "a phone belongs to a service, a location or an organization."))

    def _resolve(self, row: _Row, column: str, table: str) -> None:
        """Check that a reference points at a valid row of the file or at a row already in the directory."""
        target = row.refs.get(column)
        if target is None:
            return
        if target in self.valid[table]:
            return
        if target in self.invalid[table]:
            other = self.invalid[table][target]
            row.errors.append(
                (column, f"points to {self.parsed.source(table)} row {other.number}, which has errors.")
            )
            return
        if target in self.existing_ids(table):
            return
        row.errors.append((column, f"no {table} with id {target} in the file or the directory."))

    def _check_references(self, table: str) -> None:
        for row in self.rows[table]:
            for column in hsds.TABLES[table]:
                if column.ref is not None and column.ref != table:
                    self._resolve(row, column.name, column.ref)
            if table == "attribute":
                self._resolve(row, "link_id", "service")

    def _check_parents(self) -> None:
        """Taxonomy terms may name a parent later in the file: checked once the whole table is read."""
        changed = True
        while changed:  # a term whose parent turned out invalid becomes invalid too
            changed = False
            for term_id, row in list(self.valid["taxonomy_term"].items()):
                self._resolve(row, "parent_id", "taxonomy_term")
                if row.errors:
                    del self.valid["taxonomy_term"][term_id]
                    self.invalid["taxonomy_term"][term_id] = row
                    changed = True

    def _check_natural_keys(self, table: str) -> None:
        """Match or refuse rows that would collide with a unique pair (taxonomy+code, service+code, …)."""
        if table == "taxonomy_term":
            key = lambda r: (r.values.get("taxonomy"), r.values.get("code"))  # noqa: E731
            existing = {(t, c): pk for pk, t, c in TaxonomyTerm.objects.values_list("pk", "taxonomy", "code")}
        elif table == "language":
            key = lambda r: (self._target_pk_key("service", r.refs.get("service_id")), r.values.get("code"))  # noqa: E731
            existing = {
                (("db", s), c): pk
                for pk, s, c in ServiceLanguage.objects.values_list("pk", "service_id", "code")
            }
        elif table == "service_at_location":
            key = lambda r: (  # noqa: E731
                self._target_pk_key("service", r.refs.get("service_id")),
                self._target_pk_key("location", r.refs.get("location_id")),
            )
            existing = {
                (("db", s), ("db", loc)): pk
                for pk, s, loc in ServiceAtLocation.objects.values_list("pk", "service_id", "location_id")
            }
        else:
            return
        seen: dict[tuple, int] = {}
        ids = self.existing_ids(table)
        for row in self.rows[table]:
            k = key(row)
            if k in seen:
                row.errors.append(
                    (
                        "code" if table != "service_at_location" else "location_id",
                        f"the same pair is already on row {seen[k]}.",
                    )
                )
                continue
            seen[k] = row.number
            pk = existing.get(k)
            if pk is not None and ids.get(row.hsds_id) not in (None, pk):
                row.errors.append(("id", "another row in the directory already has this pair."))
            elif pk is not None:
                row.match_pk = pk

    def _target_pk_key(self, table: str, ref: uuid.UUID | None):
        """How a reference will be stored: the database key if the row exists, else the file's id."""
        if ref is None:
            return None
        pk = self.existing_ids(table).get(ref)
        return ("db", pk) if pk is not None else ("file", ref)

    def collect_errors(self) -> None:
        for table in hsds.TABLE_ORDER:
            for row in self.rows[table]:
                for name, message in row.errors:
                    self.report.errors.append(RowError(self.parsed.source(table), row.number, name, message))
                if row.errors:
                    self.report.skipped[table] += 1

    # ---- writing ----

    def write(self) -> None:
        pks: dict[str, dict[uuid.UUID, int]] = {t: dict(self.existing_ids(t)) for t in MODELS}
        for table, model in MODELS.items():
            parents = []
            for row in self.rows[table]:
                if row.errors:
                    continue
                attrs = dict(row.values)
                for column, value in row.refs.items():
                    target = next(c.ref for c in hsds.TABLES[table] if c.name == column)
                    if table == "taxonomy_term" and column == "parent_id":
                        parents.append((row, value))
                        continue
                    attrs[REFERENCE_ATTRS[column]] = pks[target][value] if value is not None else None
                pk = row.match_pk or pks[table].get(row.hsds_id)
                if pk is None:
                    obj = model.objects.create(hsds_id=row.hsds_id, **attrs)
                    self.report.created[table] += 1
                else:
                    obj = model.objects.get(pk=pk)
                    for name, value in attrs.items():
                        setattr(obj, name, value)
                    obj.save()
                    self.report.updated[table] += 1
                pks[table][row.hsds_id] = obj.pk
            for row, parent in parents:
                TaxonomyTerm.objects.filter(pk=pks[table][row.hsds_id]).update(
                    parent_id=pks[table][parent] if parent is not None else None
                )
        if "attribute" in self.parsed.tables:
            links: dict[int, set[int]] = {}
            for row in self.rows["service"]:
                if not row.errors:
                    links[pks["service"][row.hsds_id]] = set()
            for row in self.rows["attribute"]:
                if row.errors:
                    continue
                service_pk = pks["service"][row.refs["link_id"]]
                links.setdefault(service_pk, set()).add(pks["taxonomy_term"][row.refs["taxonomy_term_id"]])
                self.report.created["attribute"] += 1
            for service in Service.objects.filter(pk__in=links):
                service.taxonomy_terms.set(links[service.pk])


@transaction.atomic
def hsds_import(
    *, parsed: ParsedFile, acting_user: User | None, partial: bool = False, source_name: str = ""
) -> ImportReport:
    """Validate every row, then import all of them — or, with ``partial``, the valid ones."""
    importer = _Importer(parsed)
    importer.validate()
    importer.collect_errors()
    report = importer.report
    if partial or report.ok:
        importer.write()
        report.imported = True
    if report.ok:
        report.skipped.clear()
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        detail={
            "event": "hsds_import",
            "source": source_name,
            "partial": partial,
            "imported": report.imported,
            "created": dict(report.created),
            "updated": dict(report.updated),
            "errors": len(report.errors),
        },
    )
    return report


# --- export -------------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def directory_tables() -> Tables:
    """The whole directory as HSDS tables of strings (one query per table)."""
    tables: Tables = {}
    for table, model in MODELS.items():
        lookups = {"id": "hsds_id"}
        for column in hsds.TABLES[table]:
            if column.ref is not None:
                fk = REFERENCE_ATTRS[column.name].removesuffix("_id")
                lookups[column.name] = f"{fk}__hsds_id"
            elif column.attr is not None:
                lookups[column.name] = column.attr
        rows = []
        for values in model.objects.order_by("pk").values(*lookups.values()):
            rows.append({name: _cell(values[lookup]) for name, lookup in lookups.items()})
        tables[table] = rows
    # In identifier order, not row order: a re-import may link the same pairs in another order, and
    # the same directory should export the same document.
    links = Service.taxonomy_terms.through.objects.order_by(
        "service__hsds_id", "taxonomyterm__hsds_id"
    ).values_list("service__hsds_id", "taxonomyterm__hsds_id")
    tables["attribute"] = [
        {
            "id": str(uuid.uuid5(service_id, str(term_id))),
            "link_id": str(service_id),
            "taxonomy_term_id": str(term_id),
            "link_type": "service_category",
            "link_entity": "service",
            "value": "",
            "label": "",
        }
        for service_id, term_id in links
    ]
    return {t: tables.get(t, []) for t in hsds.TABLE_ORDER}


def hsds_export(*, acting_user: User | None, fmt: str = "zip") -> Tables:
    """The directory's tables for a download or a file; the export is audited."""
    tables = directory_tables()
    audit_log(
        user=acting_user,
        action=AuditAction.EXPORT,
        detail={"event": "hsds_export", "format": fmt, "rows": {t: len(r) for t, r in tables.items()}},
    )
    return tables
