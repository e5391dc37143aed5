"""Import an Open Referral HSDS 3.0 directory (CSV folder or zip, or JSON) into the resource directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from careteam.models import User
from referrals.directory import hsds
from referrals.directory.services import hsds_import

FORMAT_HELP = """
CSV: a folder or .zip with one file per table, HSDS 3.0 column names in the header row:
organization.csv, service.csv, location.csv, address.csv, service_at_location.csv,
phone.csv, schedule.csv, taxonomy_term.csv, attribute.csv (link_entity=service, link_id,
taxonomy_term_id: a service's needs) and language.csv (+ datapackage.json). Missing files
mean "no rows". JSON: one document {"organization": [{...}], "service": [...], ...} with
the same tables and column names. Extension columns on service: accepts_electronic_referrals,
referral_email, typical_response_days, capacity (open/waitlist/full), capacity_updated_at.
schedule.timezone: an IANA zone (or a UTC offset in hours). Rows match on their HSDS id, so
re-importing updates rather than duplicates; nothing is deleted.
"""


class Command(BaseCommand):
    help = (
        "Import an HSDS 3.0 directory. Every row is validated first; any error imports nothing "
        "(unless --partial) and lists 'table.csv row N: field: message'." + FORMAT_HELP
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A folder of CSV files, a .zip of them, or a .json document.")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Import the valid rows; report and skip invalid rows and the rows that depend on them.",
        )
        parser.add_argument("--user", default="", help="Username recorded in the audit trail as importing.")

    def handle(self, *args, path, partial, user, **options):
        acting_user = None
        if user:
            acting_user = User.objects.filter(username=user).first()
            if acting_user is None:
                raise CommandError(f"No user “{user}”.")
        source = Path(path)
        if not source.exists():
            raise CommandError(f"{path} does not exist.")
        try:
            parsed = hsds.read_path(source)
        except (hsds.HsdsFormatError, OSError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from None
        report = hsds_import(parsed=parsed, acting_user=acting_user, partial=partial, source_name=source.name)
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.imported:
            raise CommandError(
                f"Nothing imported: {len(report.errors)} error(s).\n" + "\n".join(map(str, report.errors))
            )
        self.stdout.write(self.style.SUCCESS(report.summary()))
