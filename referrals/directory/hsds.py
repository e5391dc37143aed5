"""The directory as Open Referral HSDS 3.0 tables: reading, validating and writing CSV and JSON.

Two layouts carry the same tables:

* **CSV** (the HSDS "datapackage" layout): a folder or a ``.zip`` holding one CSV per table —
  ``organization.csv``, ``service.csv``, ``location.csv``, ``address.csv``,
  ``service_at_location.csv``, ``phone.csv``, ``schedule.csv``, ``taxonomy_term.csv``,
  ``attribute.csv`` (links a service to a taxonomy term: ``link_entity=service``, ``link_id``,
  ``taxonomy_term_id``) and ``language.csv`` — with HSDS 3.0 column names in the header row, plus a
  ``datapackage.json`` listing the resources. A missing table file means "no rows".
* **JSON**: one document ``{"organization": [{...}, ...], "service": [...], ...}`` with the same
  tables and the same column names as keys.

Our extensions to HSDS are extra columns on ``service``: ``accepts_electronic_referrals``,
``referral_email``, ``typical_response_days``, ``capacity`` (open / waitlist / full) and
``capacity_updated_at``. ``schedule.timezone`` holds an IANA zone name (``America/New_York``); a
numeric UTC offset (HSDS's own form, e.g. ``-5``) is accepted on import. A service open around the
clock has, per day, ``opens_at=00:00`` and ``closes_at=23:59`` (``23:59`` means "to midnight").

This module only converts between files and ``Tables`` (table name → list of row dicts of strings)
and describes the columns; ``referrals.directory.services`` validates and writes them.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

Tables = dict[str, list[dict[str, str]]]

# --- the columns of each table ------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One HSDS column: ``attr`` is the model attribute it fills (None: read for references or ignored)."""

    name: str
    attr: str | None = None
    kind: str = "text"  # text, int, decimal, date, time, datetime, bool
    required: bool = False
    ref: str | None = None  # the table an ``*_id`` column points to


def _cols(*names: str, **kinds: str) -> tuple[Column, ...]:
    return tuple(Column(n, n, kinds.get(n, "text")) for n in names)


ID = Column("id", None, "uuid", required=True)

TABLES: dict[str, tuple[Column, ...]] = {
    "organization": (
        ID,
        Column("name", "name", required=True),
        *_cols(
            "alternate_name",
            "description",
            "email",
            "website",
            "tax_status",
            "tax_id",
            "year_incorporated",
            "legal_status",
            year_incorporated="int",
        ),
    ),
    "taxonomy_term": (
        ID,
        Column("code", "code", required=True),
        Column("name", "name", required=True),
        Column("description", "description"),
        Column("parent_id", None, ref="taxonomy_term"),
        Column("taxonomy", "taxonomy"),
        Column("language", "language"),
        Column("term_uri", "term_uri"),
    ),
    "service": (
        ID,
        Column("organization_id", None, required=True, ref="organization"),
        Column("name", "name", required=True),
        *_cols(
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "interpretation_services",
            "application_process",
            "fees_description",
            "wait_time",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "accreditations",
            "licenses",
            "alert",
            # extensions
            "accepts_electronic_referrals",
            "referral_email",
            "typical_response_days",
            "capacity",
            "capacity_updated_at",
            minimum_age="int",
            maximum_age="int",
            accepts_electronic_referrals="bool",
            typical_response_days="int",
            capacity_updated_at="datetime",
        ),
    ),
    "location": (
        ID,
        Column("organization_id", None, ref="organization"),
        *_cols(
            "location_type",
            "url",
            "name",
            "alternate_name",
            "description",
            "transportation",
            "latitude",
            "longitude",
            latitude="decimal",
            longitude="decimal",
        ),
    ),
    "address": (
        ID,
        Column("location_id", None, required=True, ref="location"),
        Column("attention", "attention"),
        Column("address_1", "address_1", required=True),
        Column("address_2", "address_2"),
        Column("city", "city", required=True),
        Column("region", "region"),
        Column("state_province", "state_province", required=True),
        Column("postal_code", "postal_code", required=True),
        Column("country", "country", required=True),
        Column("address_type", "address_type"),
    ),
    "service_at_location": (
        ID,
        Column("service_id", None, required=True, ref="service"),
        Column("location_id", None, required=True, ref="location"),
        Column("description", "description"),
    ),
    "phone": (
        ID,
        Column("location_id", None, ref="location"),
        Column("service_id", None, ref="service"),
        Column("organization_id", None, ref="organization"),
        Column("contact_id"),
        Column("service_at_location_id"),
        Column("number", "number", required=True),
        *_cols("extension", "type", "description"),
    ),
    "schedule": (
        ID,
        Column("service_id", None, ref="service"),
        Column("location_id", None, ref="location"),
        Column("service_at_location_id", None, ref="service_at_location"),
        *_cols(
            "valid_from",
            "valid_to",
            "freq",
            "byday",
            "opens_at",
            "closes_at",
            "timezone",
            "description",
            "notes",
            valid_from="date",
            valid_to="date",
            opens_at="time",
            closes_at="time",
        ),
    ),
    "language": (
        ID,
        Column("service_id", None, ref="service"),
        Column("location_id"),
        Column("phone_id"),
        Column("name", "name", required=True),
        Column("code", "code", required=True),
        Column("note", "note"),
    ),
    "attribute": (
        ID,
        Column("link_id", None, required=True),
        Column("taxonomy_term_id", None, required=True, ref="taxonomy_term"),
        Column("link_type"),
        Column("link_entity", None, required=True),
        Column("value"),
        Column("label"),
    ),
}

# The order tables are written in: every table after the ones it points to.
TABLE_ORDER = tuple(TABLES)


def column_names(table: str) -> list[str]:
    return [c.name for c in TABLES[table]]


# --- reading ------------------------------------------------------------------------------------


class HsdsFormatError(Exception):
    """The file as a whole cannot be read (not a zip, not JSON, bad header): nothing is imported."""


@dataclass
class ParsedFile:
    """Tables read from a file, and how to name their rows in error messages."""

    tables: Tables
    file_names: dict[str, str] = field(default_factory=dict)  # table → "service.csv" / "service"
    first_row: int = 2  # CSV: the header is row 1; JSON: the first object is row 1

    def source(self, table: str) -> str:
        return self.file_names.get(table, table)


def _csv_rows(text: str, file_name: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None:
        return []
    if "id" not in reader.fieldnames:
        raise HsdsFormatError(f"{file_name}: the header row has no “id” column.")
    rows = []
    for row in reader:
        if None in row:
            raise HsdsFormatError(f"{file_name} row {reader.line_num}: more values than columns.")
        rows.append({k.strip(): (v or "") for k, v in row.items() if k})
    return rows


def read_csv_files(files: dict[str, str]) -> ParsedFile:
    """``files``: file name (``service.csv``) → its text. Unknown files are ignored."""
    tables: Tables = {}
    names = {}
    for table in TABLE_ORDER:
        name = f"{table}.csv"
        if name in files:
            tables[table] = _csv_rows(files[name], name)
            names[table] = name
    if not tables:
        raise HsdsFormatError("No HSDS tables found (expected organization.csv, service.csv, …).")
    return ParsedFile(tables=tables, file_names=names, first_row=2)


def read_zip(data: bytes) -> ParsedFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise HsdsFormatError("The file is not a zip archive.") from None
    files = {}
    for info in archive.infolist():
        base = Path(info.filename).name
        if base.endswith(".csv") and not info.is_dir():
            try:
                files[base] = archive.read(info).decode("utf-8")
            except UnicodeDecodeError:
                raise HsdsFormatError(f"{base} is not UTF-8 text.") from None
    return read_csv_files(files)


def read_folder(path: Path) -> ParsedFile:
    return read_csv_files({p.name: p.read_text(encoding="utf-8") for p in path.glob("*.csv")})


def _json_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_json(data: bytes | str) -> ParsedFile:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HsdsFormatError(f"The file is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise HsdsFormatError('The JSON document must be an object: {"organization": [...], ...}.')
    tables: Tables = {}
    for table in TABLE_ORDER:
        rows = doc.get(table)
        if rows is None:
            continue
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise HsdsFormatError(f"“{table}” must be a list of objects.")
        tables[table] = [{k: _json_value(v) for k, v in r.items()} for r in rows]
    if not tables:
        raise HsdsFormatError("No HSDS tables found (expected keys organization, service, …).")
    return ParsedFile(tables=tables, file_names={t: t for t in tables}, first_row=1)


def read_path(path: Path) -> ParsedFile:
    """A folder of CSVs, a ``.zip`` of them, or a ``.json`` document."""
    if path.is_dir():
        return read_folder(path)
    data = path.read_bytes()
    if path.suffix.lower() == ".json":
        return read_json(data)
    return read_zip(data)


def read_upload(name: str, data: bytes) -> ParsedFile:
    if name.lower().endswith(".json"):
        return read_json(data)
    return read_zip(data)


# --- writing ------------------------------------------------------------------------------------


def datapackage(tables: Tables) -> dict:
    return {
        "name": "careteam-directory",
        "profile": "tabular-data-package",
        "title": "careteam resource directory (Open Referral HSDS 3.0)",
        "resources": [
            {
                "name": table,
                "path": f"{table}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": [{"name": c, "type": "string"} for c in column_names(table)]},
            }
            for table in TABLE_ORDER
            if table in tables
        ],
    }


def table_csv(table: str, rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=column_names(table), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in column_names(table)})
    return out.getvalue()


def write_zip(tables: Tables) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(datapackage(tables), indent=2))
        for table in TABLE_ORDER:
            archive.writestr(f"{table}.csv", table_csv(table, tables.get(table, [])))
    return buffer.getvalue()


def write_folder(tables: Tables, path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / "datapackage.json").write_text(json.dumps(datapackage(tables), indent=2), encoding="utf-8")
    for table in TABLE_ORDER:
        (path / f"{table}.csv").write_text(table_csv(table, tables.get(table, [])), encoding="utf-8")


def write_json(tables: Tables) -> str:
    return json.dumps({t: tables.get(t, []) for t in TABLE_ORDER}, indent=2, ensure_ascii=False)
