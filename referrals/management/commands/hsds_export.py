"""Export the resource directory as Open Referral HSDS 3.0 (CSV folder, zip, or JSON)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from careteam.models import User
from referrals.directory import hsds
from referrals.directory.services import hsds_export

from .hsds_import import FORMAT_HELP


class Command(BaseCommand):
    help = (
        "Export the directory as HSDS 3.0: a folder of CSVs, a .zip of them, or one JSON document."
        + FORMAT_HELP
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write: a folder (csv), a .zip file, or a .json file.")
        parser.add_argument(
            "--format",
            choices=["csv", "zip", "json"],
            default="",
            help="Default: from the path (.zip → zip, .json → json, anything else → a folder of CSVs).",
        )
        parser.add_argument("--user", default="", help="Username recorded in the audit trail as exporting.")

    def handle(self, *args, path, format, user, **options):
        acting_user = None
        if user:
            acting_user = User.objects.filter(username=user).first()
            if acting_user is None:
                raise CommandError(f"No user “{user}”.")
        target = Path(path)
        fmt = format or {".zip": "zip", ".json": "json"}.get(target.suffix.lower(), "csv")
        tables = hsds_export(acting_user=acting_user, fmt=fmt)
        if fmt == "zip":
            target.write_bytes(hsds.write_zip(tables))
        elif fmt == "json":
            target.write_text(hsds.write_json(tables), encoding="utf-8")
        else:
            hsds.write_folder(tables, target)
        total = sum(len(rows) for rows in tables.values())
        self.stdout.write(self.style.SUCCESS(f"Exported {total} row(s) to {target} ({fmt})."))
