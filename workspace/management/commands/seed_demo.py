"""Fill a development database with the demo program: two teams, their staff logins and about 40 clients.

The demo counts as seeded once any client belongs to a demo team ("Harbor
Outpatient" or "Riverside Crisis & Recovery"); a second run adds nothing and
only resets the demo logins' passwords and roles. See ``workspace.demo``.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from careteam.roles import Role
from clients.models import ClientStatus
from workspace.demo import DEMO_STAFF, DemoSeedError, demo_summary, seed_demo


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

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a production site; seed_demo would create logins "
                "with a published password. Nothing was changed. Pass --force to seed anyway."
            )
        password = settings.CARETEAM_DEMO_PASSWORD
        started = time.monotonic()
        try:
            result = seed_demo(password=password)
        except DemoSeedError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started

        summary = demo_summary()
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Seeded the demo program in {elapsed:.1f} s."))
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Demo data already seeded ({summary['clients']} clients on the demo teams): "
                    "nothing added; the demo logins' passwords and roles were reset."
                )
            )
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
        self.stdout.write("")
        self.stdout.write(f'Demo logins (password "{password}" for all):')
        for spec, user in zip(DEMO_STAFF, result.staff, strict=True):
            where = spec.team or "all teams"
            role = Role(spec.role).label
            self.stdout.write(f"  {spec.username:<12} {user!s:<30} {role}, {where}")
