"""Readers of the official ICD-10-CM release files (CDC/NCHS, public domain), one shape out of each.

The code set is published every fiscal year (and, since FY2024, again on April 1) at
https://www.cdc.gov/nchs/icd/icd-10-cm/ and https://www.cms.gov/medicare/coding-billing/icd-10-codes
in three forms, all read here:

- the order file ``icd10cm_order_YYYY.txt``: fixed width — order number (5), space, code without the
  dot (7), space, header flag (1: "1" valid for coding, "0" a heading), space, short description (60),
  space, long description;
- the codes file ``icd10cm_codes_YYYY.txt``: the code without the dot padded to 8, then the long
  description (valid codes only, no headings);
- the tabular XML ``icd10cm_tabular_YYYY.xml``: nested ``<diag>`` elements (``<name>``, ``<desc>``);
  codes that take a 7th character (injuries, poisonings) are listed without it and a ``<sevenChrDef>``
  on the code or an ancestor names the characters. They are expanded here as the order file lists
  them: the code padded with the placeholder "X" to six characters, then the 7th character, its
  description the code's with ", <extension>" after it (T40.411 + A → T40.411A "…, initial
  encounter"); the code without the 7th character is then a heading.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DESCRIPTION_MAX = 300  # DiagnosisCode.description
# A code as the release files write it, without the dot: a letter, a digit, then 1 to 5 characters.
CODE_PATTERN = re.compile(r"^[A-Z][0-9][0-9A-Z]{1,5}$")


@dataclass(frozen=True)
class CodeRow:
    """One code as a release file gives it: ``code`` with the dot, the official long description."""

    code: str
    description: str
    billable: bool


class ReleaseFileError(ValueError):
    """The file is not one of the three official layouts (or is damaged)."""


def with_dot(code: str) -> str:
    """``F1120`` → ``F11.20``; a three-character category has no dot; a dotted code is kept."""
    code = code.strip().upper()
    if "." in code or len(code) <= 3:
        return code
    return f"{code[:3]}.{code[3:]}"


def without_dot(code: str) -> str:
    return code.strip().upper().replace(".", "")


def _clean(description: str) -> str:
    return " ".join(description.split())[:DESCRIPTION_MAX]


def read_order_file(lines: Iterable[str]) -> Iterator[CodeRow]:
    """Rows of ``icd10cm_order_YYYY.txt`` (headings included, flag "0")."""
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if len(line) < 17 or not line[:5].strip().isdigit() or line[14] not in "01":
            raise ReleaseFileError(f"line {number}: not an ICD-10-CM order-file line")
        code = line[6:13].strip()
        if not CODE_PATTERN.match(code):
            raise ReleaseFileError(f"line {number}: {code!r} is not an ICD-10-CM code")
        # The long description starts at column 77; a line without one (never in an official
        # file) falls back to the short one.
        description = line[77:].strip() or line[16:76].strip()
        if not code or not description:
            raise ReleaseFileError(f"line {number}: no code or no description")
        yield CodeRow(with_dot(code), _clean(description), line[14] == "1")


def read_codes_file(lines: Iterable[str]) -> Iterator[CodeRow]:
    """Rows of ``icd10cm_codes_YYYY.txt`` (valid codes only)."""
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        code, _, description = line.partition(" ")
        if not CODE_PATTERN.match(code) or not description.strip():
            raise ReleaseFileError(f"line {number}: not an ICD-10-CM codes-file line")
        yield CodeRow(with_dot(code), _clean(description), True)


def _seven_chr(diag: ET.Element) -> dict[str, str] | None:
    node = diag.find("sevenChrDef")
    if node is None:
        return None
    return {ext.get("char", ""): _clean(ext.text or "") for ext in node.findall("extension")}


def _walk(diag: ET.Element, inherited: dict[str, str] | None) -> Iterator[CodeRow]:
    name = (diag.findtext("name") or "").strip()
    description = _clean(diag.findtext("desc") or "")
    seventh = _seven_chr(diag) or inherited
    children = diag.findall("diag")
    if seventh and not children:
        # A leaf that takes a 7th character: it is a heading, the coded forms are below it.
        yield CodeRow(name, description, False)
        stem = without_dot(name).ljust(6, "X")
        for char, extension in seventh.items():
            yield CodeRow(with_dot(stem + char), _clean(f"{description}, {extension}"), True)
        return
    yield CodeRow(name, description, not children)
    for child in children:
        yield from _walk(child, seventh)


def read_tabular_xml(path: Path | str) -> Iterator[CodeRow]:
    """Every code of the tabular XML, headings included, 7th characters expanded."""
    try:
        # An official file an administrator passes to a management command, not uploaded input; the
        # bundled expat neither fetches external entities nor expands entities without bound.
        root = ET.parse(path).getroot()  # noqa: S314
    except ET.ParseError as exc:
        raise ReleaseFileError(f"not well-formed XML: {exc}") from exc
    if root.tag != "ICD10CM.tabular":
        raise ReleaseFileError("not an ICD-10-CM tabular XML file")
    for section in root.iter("section"):
        for diag in section.findall("diag"):
            yield from _walk(diag, None)


def read_release_file(path: Path | str) -> tuple[str, list[CodeRow]]:
    """The rows of an official release file, whichever of the three layouts it is, with its kind
    ("order", "codes" or "xml")."""
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(512).lstrip()
    if head.startswith(b"<"):
        return "xml", list(read_tabular_xml(path))
    with path.open(encoding="utf-8", errors="replace") as fh:
        lines = fh.read().splitlines()
    first = next((line for line in lines if line.strip()), "")
    if first[:5].strip().isdigit() and first[5:6] == " ":
        return "order", list(read_order_file(lines))
    return "codes", list(read_codes_file(lines))
