"""Load the full ICD-10-CM code set from an official CDC/NCHS (or CMS) release file.

    manage.py load_icd10cm icd10cm_order_2026.txt --release FY2026
    manage.py load_icd10cm icd10cm_codes_2026.txt
    manage.py load_icd10cm icd10cm_tabular_2026.xml

The layout is recognised from the file (``clients.diagnoses.icd10cm``). New codes are added,
descriptions of known ones updated, and codes the release no longer lists marked inactive — never
deleted: diagnoses reference them. ``--partial`` loads a file of some codes only and retires nothing.
Loading the same file again changes nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clients.diagnoses.icd10cm import ReleaseFileError, read_release_file
from clients.diagnoses.services import diagnosis_codes_load


def _release_from_name(path: Path) -> str:
    """ "FY2026" from icd10cm_order_2026.txt; "" when the name says no year."""
    match = re.search(r"(20\d\d)", path.name)
    return f"FY{match.group(1)}" if match else ""


class Command(BaseCommand):
    help = "Load ICD-10-CM codes from an official release file (order file, codes file or tabular XML)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="icd10cm_order_YYYY.txt, icd10cm_codes_YYYY.txt or the tabular XML")
        parser.add_argument(
            "--release",
            default="",
            help="Release label stored on each code (default: FY<year in the file name>)",
        )
        parser.add_argument(
            "--partial", action="store_true", help="The file holds some codes only: mark none inactive."
        )

    def handle(self, *args, path: str, release: str, partial: bool, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            kind, rows = read_release_file(file)
        except ReleaseFileError as exc:
            raise CommandError(
                f"Nothing loaded: {file.name} is not an ICD-10-CM release file ({exc})."
            ) from None
        if not rows:
            raise CommandError(f"Nothing loaded: {file.name} holds no codes.")
        release = (release or _release_from_name(file))[:16]
        result = diagnosis_codes_load(
            rows=rows, release=release, full=not partial, headings_listed=kind != "codes"
        )
        for problem in result.problems:
            self.stderr.write(problem)
        self.stdout.write(
            self.style.SUCCESS(
                f"Read {len(rows)} codes ({kind} file, release {release or 'not given'}): "
                f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
                f"{result.reactivated} back in use, {result.deactivated} marked inactive."
            )
        )
