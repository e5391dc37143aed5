"""Walk the audit trail's hash chain and report the first row that does not hold."""

from django.core.management.base import BaseCommand, CommandError

from careteam.audit import audit_verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's SHA-256 hash chain; exits non-zero at the first broken row."

    def handle(self, *args, **options):
        report = audit_verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at row {report.first_broken_id}: {report.problem}. "
                f"{report.checked} row(s) before it verified."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} row(s) verified."))
