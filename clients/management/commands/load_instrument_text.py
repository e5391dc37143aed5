"""Load an organisation's licensed item text for a shipped instrument (DAST-10, BARC-10, C-SSRS).

    manage.py load_instrument_text dast10.json

The file reads ``{"code": "dast10", "items": {"q1": "…", …, "q10": "…"}}`` (optionally
``"instructions": "…"``). Every item key must be given and no other; loading the same
file again changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from careteam.errors import DomainError
from clients.assessments.services import instrument_load_text
from clients.models import Instrument


class Command(BaseCommand):
    help = "Load licensed item text for an instrument from a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path", help='JSON file: {"code": "dast10", "items": {"q1": "text", ...}}')

    def handle(self, *args, path: str, **options):
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path} is not valid JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("code"), str):
            raise CommandError('The file must be an object with "code" (e.g. "dast10") and "items".')
        texts = data.get("items")
        if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
            raise CommandError('"items" must be an object of item keys to text, e.g. {"q1": "…"}.')
        instructions = data.get("instructions", "")
        if not isinstance(instructions, str):
            raise CommandError('"instructions" must be text.')
        try:
            instrument = Instrument.objects.get(code=data["code"])
        except Instrument.DoesNotExist:
            known = ", ".join(Instrument.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"No instrument with code {data['code']!r}. Known codes: {known}.") from None
        try:
            changed = instrument_load_text(
                instrument=instrument, texts=texts, acting_user=None, instructions=instructions
            )
        except DomainError as exc:
            raise CommandError(f"Nothing loaded. {exc.message}") from None
        if changed:
            self.stdout.write(self.style.SUCCESS(f"Loaded text for {instrument.name}: {', '.join(changed)}."))
        else:
            self.stdout.write(f"{instrument.name} already has this text; nothing changed.")
