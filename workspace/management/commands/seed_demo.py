"""Fill a development database with the demo program: two teams, their staff logins and about 40 clients.

The demo counts as seeded once any client belongs to a demo team ("Harbor
Outpatient" or "Riverside Crisis & Recovery"); a second run adds nothing and
changes no login unless ``--reset-logins`` is given. See ``workspace.demo``.

The demo's history leaves messages due at once (partners' referral emails, reminders). With the
console backends they are sent here, into ``var/outbox/seeded-messages.log``, so the worker does
not print them over the login list when ``make run`` starts; later messages print as usual.
"""

import contextlib
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from careteam.roles import Role
from clients.models import ClientStatus
from outreach import dispatch
from workspace.demo import DEMO_STAFF, DemoSeedError, demo_summary, seed_demo

CONSOLE_BACKEND = "outreach.backends.console.ConsoleBackend"


class Command(BaseCommand):
    help = (
        "Create the demo teams, staff logins and clients (idempotent). "
        "Refuses to run with DEBUG off unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even though DEBUG is off. The demo logins share a published password: "
            "never use this on a database that holds real people.",
        )
        parser.add_argument(
            "--reset-logins",
            action="store_true",
            help="Put the demo logins back as seeded: password, role, active, team places.",
        )

    def _send_seeded_messages(self) -> tuple[int, str] | None:
        """Send what the seed left due now, into a log file, when every backend is the console."""
        if set(settings.OUTREACH_BACKENDS.values()) != {CONSOLE_BACKEND}:
            return None  # real providers: the worker sends them, as it would any message
        folder = settings.VAR_DIR / "outbox"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "seeded-messages.log"
        sent = 0
        with path.open("a", encoding="utf-8") as log, contextlib.redirect_stdout(log):
            while ids := dispatch.claim_due(500):
                for pk in ids:
                    dispatch.send_one(pk)
                sent += len(ids)
        return sent, str(path)

    def handle(self, *args, force: bool = False, reset_logins: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a production site; seed_demo would create logins "
                "with a published password. Nothing was changed. Pass --force to seed anyway."
            )
        password = settings.CARETEAM_DEMO_PASSWORD
        started = time.monotonic()
        try:
            result = seed_demo(password=password, reset_logins=reset_logins)
        except DemoSeedError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started

        summary = demo_summary()
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Seeded the demo program in {elapsed:.1f} s."))
        elif reset_logins:
            self.stdout.write(
                self.style.WARNING(
                    f"Demo data already seeded ({summary['clients']} clients on the demo teams): "
                    "nothing added; the demo logins' passwords, roles and team places were put back."
                )
            )
        else:
            self.stdout.write(
                f"Demo data already seeded ({summary['clients']} clients on the demo teams): nothing "
                "changed. Logins keep their passwords; --reset-logins puts them back."
            )
        delivered = self._send_seeded_messages()
        teams = ", ".join(f"{name} {n}" for name, n in sorted(summary["teams"].items()))
        statuses = ", ".join(
            f"{summary['statuses'][status]} {status}"
            for status in ClientStatus
            if status in summary["statuses"]
        )
        self.stdout.write(f"  clients            {summary['clients']} ({teams})")
        self.stdout.write(f"  by status          {statuses}")
        self.stdout.write(
            f"  care-team places   {summary['assignments']} ({summary['ended_assignments']} ended)"
        )
        self.stdout.write(f"  supportive people  {summary['supportive_people']}")
        if delivered and delivered[0]:
            self.stdout.write(f"  messages due now   {delivered[0]} sent to {delivered[1]}")
        self.stdout.write("")
        if result.created or reset_logins:
            self.stdout.write(f'Demo logins (password "{password}" for all):')
        else:
            self.stdout.write(f'Demo logins (password "{password}" unless changed since):')
        for spec, user in zip(DEMO_STAFF, result.staff, strict=True):
            where = spec.team or "all teams"
            role = Role(spec.role).label
            self.stdout.write(f"  {spec.username:<12} {user!s:<30} {role}, {where}")
