"""Verify the audit trail against its anchor, and optionally write a checkpoint."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from careteam.audit import audit_seal_pending, audit_verify, audit_write_checkpoint

STALE_PENDING = dt.timedelta(minutes=10)


class Command(BaseCommand):
    help = """Verify the audit trail (careteam_auditevent); exits non-zero, naming each problem, if anything
    fails. Rows are chained by a background step moments after they are written ("sealed", every ten
    seconds); rows not sealed yet are reported as pending, not checked. Checked, in seal order:
    (1) every row's SHA-256 hash over its content and the previous row's hash (an edited row);
    (2) every row's link to the row before it (a row deleted or rewritten in the middle);
    (3) every row's keyed MAC, HMAC-SHA-256 of its hash under AUDIT_HMAC_KEY, a key kept outside the
    database (a row rewritten and every later hash recomputed); (4) every checkpoint: its signature
    (same key), that the row it names is still there with the same hash, and that exactly as many rows
    exist up to it as it counted (rows deleted from the end, the table emptied). Checkpoints are read
    from AUDIT_CHECKPOINT_FILE (default var/audit-checkpoints.jsonl, where the "file" sink writes
    them every five minutes), or from --checkpoints FILE, e.g. the lines the "syslog" sink shipped.
    See docs/audit.md."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints",
            type=Path,
            help="read checkpoint lines from this file (syslog prefixes skipped) instead of the file sink's",
        )
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="seal pending rows first, and after a clean verification write a checkpoint to the sink",
        )

    def handle(self, *args, checkpoints: Path | None, checkpoint: bool, **options):
        path = checkpoints or (
            settings.AUDIT_CHECKPOINT_FILE if settings.AUDIT_CHECKPOINT_SINK == "file" else None
        )
        if checkpoints is not None and not checkpoints.exists():
            raise CommandError(f"No checkpoint file at {checkpoints}.")
        lines = path.read_text(encoding="utf-8").splitlines() if path is not None and path.exists() else []
        if checkpoint:
            audit_seal_pending()

        report = audit_verify(checkpoint_lines=lines)

        if not report.ok:
            where = (
                f"First broken row {report.first_broken_id}; "
                f"{report.verified_before_break} row(s) before it verified."
                if report.first_broken_id is not None
                else f"All {report.rows} row(s) hold; the checkpoints do not."
            )
            raise CommandError(
                f"Audit trail fails verification: {len(report.problems)} problem(s). {where}\n"
                + "\n".join(f"  - {problem}" for problem in report.problems)
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.rows} row(s) verified."))
        self.stdout.write("Hashes, links and keyed MACs hold for every sealed row.")
        if report.pending:
            age = timezone.now() - report.oldest_pending
            self.stdout.write(
                f"{report.pending} row(s) written since the last seal, pending "
                f"(oldest {age.total_seconds():.0f} s ago)."
            )
            if age > STALE_PENDING:
                self.stdout.write(
                    self.style.WARNING(
                        "Rows wait longer than they should to be sealed: is the worker running "
                        "(careteam.tasks.seal_audit_trail)? Until sealed, nothing vouches for them."
                    )
                )
        if report.checkpoints:
            self.stdout.write(f"{report.checkpoints} checkpoint(s) from {path} hold.")
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"No checkpoints read ({path or 'pass --checkpoints FILE for the syslog sink'}): "
                    "rows deleted from the end would go unnoticed."
                )
            )
        if checkpoint:
            written = audit_write_checkpoint()
            if written is None:
                self.stdout.write("The trail is empty: no checkpoint written.")
            else:
                self.stdout.write(
                    f"Checkpoint written ({settings.AUDIT_CHECKPOINT_SINK}): row {written.last_id}, "
                    f"{written.count} row(s)."
                )
