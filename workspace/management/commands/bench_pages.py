"""Time the main pages for one user: median and p95 server time and the query count of each."""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from careteam import access
from careteam.models import Team, User


class Command(BaseCommand):
    help = (
        "Request the caseload, Today, worklist, referral worklist, supervisor dashboard (page, huddle "
        "list, metrics API) and each chart "
        "tab of one client N times as USER and print median / p95 server time and queries per page. "
        "Read-only apart from audit rows. With --team, benchmark that team's supervisor and filter "
        "the dashboard to the team."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--user", default=None, help="username (default: counselor, or the team's supervisor)"
        )
        parser.add_argument("--team", default=None, help="team name: time the pages for a supervisor of it")
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--client", type=int, help="client id for the chart pages (default: the first)")
        parser.add_argument("--only", default="", help="comma-separated page names to time (default: all)")

    def handle(
        self, *args, user: str | None, team: str | None, runs: int, client: int | None, only: str, **options
    ):
        chosen_team = None
        if team:
            chosen_team = Team.objects.filter(name=team).first()
            if chosen_team is None:
                raise CommandError(f"No team {team!r}.")
            if user is None:
                supervisor = chosen_team.supervisors.order_by("pk").first()
                if supervisor is None:
                    raise CommandError(f"Team {team!r} has no supervisor; pass --user.")
                user = supervisor.username
        user = user or "counselor"
        try:
            staff = User.objects.get(username=user)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {user!r}; run seed_demo first or pass --user.") from exc
        visible = access.clients_visible_to(staff)
        if chosen_team is not None:
            visible = visible.filter(primary_team=chosen_team)
        target = visible.filter(pk=client).first() if client else visible.order_by("pk").first()
        if target is None:
            raise CommandError(f"{user} sees no client to open.")
        pages = {
            "caseload": reverse("clients:list"),
            "today": reverse("workspace:today"),
            "worklist": reverse("workspace:worklist"),
            "referral worklist": reverse("referrals:worklist"),
            "chart overview": reverse("clients:detail", args=[target.pk]),
            "chart care team": reverse("clients:care-team", args=[target.pk]),
            "chart appointments & notes": reverse("clients:encounters:tab", args=[target.pk]),
            "chart assessments": reverse("clients:assessments", args=[target.pk]),
            "chart treatment plan": reverse("plans:client-plan", args=[target.pk]),
            "api clients list": "/api/v1/clients/",
        }
        notes = []
        try:
            dashboard = reverse("dashboards:dashboard")
        except NoReverseMatch:
            notes.append("dashboard skipped: no URL named dashboards:dashboard in this build.")
        else:
            query = f"?team={chosen_team.pk}" if chosen_team is not None else ""
            pages["dashboard"] = dashboard + query
            pages["dashboard huddle list"] = reverse("dashboards:drilldown", args=["risk.list"]) + query
            pages["dashboard metrics api"] = "/api/v1/metrics/" + query
        if only:
            wanted = {name.strip() for name in only.split(",")}
            unknown = wanted - set(pages)
            if unknown:
                raise CommandError(
                    f"Unknown page(s): {', '.join(sorted(unknown))}. Pages: {', '.join(pages)}."
                )
            pages = {name: url for name, url in pages.items() if name in wanted}

        http = HttpClient(HTTP_HOST="localhost")
        http.force_login(staff)
        scope = f" in {chosen_team.name}" if chosen_team is not None else ""
        self.stdout.write(
            f"{user} ({visible.count()} visible clients{scope}), chart of client {target.pk}, "
            f"{runs} runs each, database {connection.vendor}\n"
        )
        for note in notes:
            self.stdout.write(note)
        self.stdout.write(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'status':>7}")
        failed = []
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
            if 300 <= status < 400:  # a 403 for a role without the page is a real answer; a redirect is not
                failed.append(f"{name} ({status})")
        if failed:
            # A redirect is timed as if it were the page: say so rather than leave figures that look real.
            raise CommandError(
                "Redirected, so these figures are not the pages themselves: "
                + ", ".join(failed)
                + ". A 302 to two-factor enrolment means CARETEAM_MFA_REQUIRED is on (the benchmark "
                "signs in without a second factor): run it with CARETEAM_MFA_REQUIRED=0."
            )
