"""Time the main pages for one user: median and p95 server time and the query count of each."""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careteam import access
from careteam.models import User


class Command(BaseCommand):
    help = (
        "Request the caseload, Today, worklist and each chart tab of one client N times as USER "
        "and print median / p95 server time and queries per page. Read-only apart from audit rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", default="counselor")
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--client", type=int, help="client id for the chart pages (default: the first)")

    def handle(self, *args, user: str, runs: int, client: int | None, **options):
        try:
            staff = User.objects.get(username=user)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {user!r}; run seed_demo first or pass --user.") from exc
        visible = access.clients_visible_to(staff)
        target = visible.filter(pk=client).first() if client else visible.order_by("pk").first()
        if target is None:
            raise CommandError(f"{user} sees no client to open.")
        pages = {
            "caseload": reverse("clients:list"),
            "today": reverse("workspace:today"),
            "worklist": reverse("workspace:worklist"),
            "chart overview": reverse("clients:detail", args=[target.pk]),
            "chart care team": reverse("clients:care-team", args=[target.pk]),
            "chart appointments & notes": reverse("clients:encounters:tab", args=[target.pk]),
            "chart assessments": reverse("clients:assessments", args=[target.pk]),
            "chart treatment plan": reverse("plans:client-plan", args=[target.pk]),
            "api clients list": "/api/v1/clients/",
        }
        http = HttpClient(HTTP_HOST="localhost")
        http.force_login(staff)
        self.stdout.write(
            f"{user} ({visible.count()} visible clients), chart of client {target.pk}, "
            f"{runs} runs each, database {connection.vendor}\n"
        )
        self.stdout.write(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'status':>7}")
        for name, url in pages.items():
            timings, queries, status = [], 0, 0
            for _ in range(runs):
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = http.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                queries, status = len(ctx.captured_queries), response.status_code
            timings.sort()
            p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
            self.stdout.write(
                f"{name:32} {statistics.median(timings):10.1f} {p95:8.1f} {queries:8d} {status:7d}"
            )
