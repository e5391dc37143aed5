"""Soak the embedded default: web, worker and beat under ``careteam.supervise`` for hours, messages flowing.

    make soak                      # two hours (SOAK_SECONDS=7200), in var/soak/
    manage.py soak --duration 600  # on the database and var dir the settings point at

Every round (``--every`` seconds) it schedules ``--messages`` text reminders due a few seconds
later, signs in as the demo counselor and opens the caseload, and asks /healthz. Every
``--kill-every`` seconds it kills the worker with SIGKILL, as the out-of-memory killer or a crash
would: the supervisor must bring it back and no message may be lost or sent twice. At the end it
waits for the last messages to fall due and be sent, stops everything and writes a report
(Markdown, also printed): messages scheduled / sent once / sent twice / never sent, delay from due
to sent, page and health failures, restarts per process, memory of each process tree and the size
of the two SQLite files at the start and the end.

Run it on a seeded database (``make soak`` migrates and seeds first) with the console backends.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import os
import re
import signal
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from careteam import supervise
from careteam.models import Team, User
from clients.models import Client, Consent
from outreach.models import MessageStatus, ScheduledMessage
from outreach.services import message_schedule

ROOT = Path(settings.BASE_DIR)
SENT_LINE = re.compile(r"\[outreach\] SENT sms message=(\d+) .*key=(soak-\S+)")


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and its descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


class Browser:
    """A signed-in demo counselor, with nothing but the standard library."""

    def __init__(self, base: str, username: str, password: str):
        self.base = base
        self.username, self.password = username, password
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, ""

    def sign_in(self) -> bool:
        status, page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            return False
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token[1], "login": self.username, "password": self.password}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - our own server
            self.base + "/accounts/login/", data=data, headers={"Referer": self.base + "/accounts/login/"}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return "/accounts/login/" not in response.url
        except urllib.error.HTTPError:
            return False


class Command(BaseCommand):
    help = "Run web, worker and beat for a long time with messages flowing; report what was lost or doubled."

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=7200, help="seconds (default 7200)")
        parser.add_argument("--every", type=int, default=30, help="seconds between rounds (default 30)")
        parser.add_argument("--messages", type=int, default=5, help="reminders scheduled a round (default 5)")
        parser.add_argument(
            "--kill-every",
            type=int,
            default=1800,
            help="seconds between worker kills (default 1800; 0: never)",
        )
        parser.add_argument("--port", type=int, default=int(os.environ.get("CARETEAM_PORT", 8799)))
        parser.add_argument("--report", default=None, help="report file (default var/soak-report.md)")

    def handle(self, *args, **opts):
        if set(settings.OUTREACH_BACKENDS.values()) != {"outreach.backends.console.ConsoleBackend"}:
            raise CommandError("soak counts the console backend's lines: unset the real providers.")
        var = Path(settings.VAR_DIR)
        log_path = var / "soak-processes.log"
        report_path = Path(opts["report"] or var / "soak-report.md")
        base = f"http://127.0.0.1:{opts['port']}"
        client = self._soak_client()

        env_port = os.environ.get("CARETEAM_PORT")
        os.environ["CARETEAM_PORT"] = str(opts["port"])
        os.environ.setdefault("CARETEAM_MFA_REQUIRED", "0")
        procfile = (ROOT / "Procfile.dev").read_text()
        log = log_path.open("w", encoding="utf-8")
        runner = supervise.Supervisor(supervise.parse_procfile(procfile), out=log)
        thread = threading.Thread(target=runner.run, daemon=True)
        os.chdir(ROOT)
        thread.start()

        stats = Counter()
        scheduled: list[int] = []
        memory: dict[str, list[int]] = {}
        sizes_start = self._sizes(var)
        started = time.monotonic()
        next_kill = started + opts["kill_every"] if opts["kill_every"] else None
        browser = Browser(base, "counselor", settings.CARETEAM_DEMO_PASSWORD)
        signed_in = False
        n = 0
        try:
            self._wait_for_web(base)
            while time.monotonic() - started < opts["duration"]:
                round_started = time.monotonic()
                due = timezone.now() + dt.timedelta(seconds=5)
                for _ in range(opts["messages"]):
                    n += 1
                    message = message_schedule(
                        client=client,
                        template_key="client-reminder",
                        channel="sms",
                        source_kind="client_reminder",
                        due_at=due,
                        idempotency_key=f"soak-{os.getpid()}-{n}",
                        context={"label": f"soak {n}"},
                    )
                    scheduled.append(message.pk)
                signed_in = signed_in or browser.sign_in()
                status, _ = browser.get("/clients/")
                stats["pages"] += 1
                if status != 200 or not signed_in:
                    stats["page_failures"] += 1
                    signed_in = False
                health, _ = browser.get("/healthz")
                stats["health_checks"] += 1
                if health != 200:
                    stats["health_failures"] += 1
                for managed in runner.processes:
                    if managed.proc is not None and managed.proc.poll() is None:
                        memory.setdefault(managed.name, []).append(_tree_rss_kib(managed.proc.pid))
                if next_kill and time.monotonic() >= next_kill:
                    worker = next(m for m in runner.processes if m.name == "worker")
                    if worker.proc is not None and worker.proc.poll() is None:
                        os.killpg(worker.proc.pid, signal.SIGKILL)
                        stats["worker_kills"] += 1
                    next_kill += opts["kill_every"]
                elapsed = int(time.monotonic() - started)
                if stats["pages"] % 20 == 1:
                    self.stdout.write(f"soak: {elapsed} s, {len(scheduled)} messages scheduled")
                time.sleep(max(0.0, opts["every"] - (time.monotonic() - round_started)))
            # The last messages: due in 5 s, a dispatch tick every 60 s, a worker maybe restarting.
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline and self._unsent(scheduled):
                time.sleep(5)
        finally:
            runner.stopping.set()
            thread.join(timeout=60)
            log.close()
            if env_port is None:
                os.environ.pop("CARETEAM_PORT", None)
        report = self._report(
            opts, stats, scheduled, runner, memory, sizes_start, self._sizes(var), log_path, started
        )
        report_path.write_text(report, encoding="utf-8")
        self.stdout.write(report)
        self.stdout.write(f"Report written to {report_path}; process output in {log_path}.")
        if "**FAILED**" in report:
            raise CommandError("the soak lost, doubled or failed something; see the report")

    def _soak_client(self) -> Client:
        team, _ = Team.objects.get_or_create(name="Soak team")
        user, _ = User.objects.get_or_create(username="soak-driver", defaults={"is_active": False})
        client = Client.objects.filter(primary_team=team).first()
        if client is None:
            client = Client.objects.create(
                legal_first_name="Sam",
                legal_last_name="Soak",
                preferred_name="Sam",
                date_of_birth="1990-01-01",
                phone="+12025550188",
                primary_team=team,
            )
            Consent.objects.create(
                client=client,
                kind="text_messaging",
                signed_on=dt.date(2020, 1, 2),
                signature_method="paper",
                recorded_by=user,
            )
        return client

    def _wait_for_web(self, base: str) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5):  # noqa: S310 - our own server
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(1)
        raise CommandError(f"the web server did not answer on {base} within two minutes")

    @staticmethod
    def _unsent(ids: list[int]) -> int:
        return ScheduledMessage.objects.filter(pk__in=ids).exclude(status=MessageStatus.SENT).count()

    @staticmethod
    def _sizes(var: Path) -> dict[str, int]:
        files = {"database": var / "careteam.sqlite3", "broker": Path(settings.CELERY_BROKER_FILE)}
        return {name: (path.stat().st_size if path.exists() else 0) for name, path in files.items()}

    def _report(
        self, opts, stats, scheduled, runner, memory, sizes_start, sizes_end, log_path, started
    ) -> str:
        sent_lines = Counter()
        for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if match := SENT_LINE.search(line):
                sent_lines[int(match[1])] += 1
        rows = ScheduledMessage.objects.filter(pk__in=scheduled)
        delays = sorted(
            (sent - due).total_seconds()
            for due, sent in rows.filter(status=MessageStatus.SENT).values_list("send_at", "sent_at")
        )
        twice = sum(1 for pk in scheduled if sent_lines[pk] > 1)
        never = sum(1 for pk in scheduled if sent_lines[pk] == 0)
        unsent_rows = self._unsent(scheduled)
        ok = not twice and not never and not unsent_rows and not stats["health_failures"]

        def pct(p: float) -> str:
            if not delays:
                return "-"
            return f"{delays[min(len(delays) - 1, int(p * len(delays)))]:.0f} s"

        lines = [
            "# Soak of the embedded default",
            "",
            f"- result: {'ok' if ok else '**FAILED**'}",
            f"- ran {time.monotonic() - started:.0f} s (asked {opts['duration']} s), a round every "
            f"{opts['every']} s, {opts['messages']} reminders a round",
            f"- messages: {len(scheduled)} scheduled, {sum(1 for pk in scheduled if sent_lines[pk] == 1)} "
            f"sent once, {twice} sent twice, {never} never sent ({unsent_rows} rows not marked sent)",
            f"- due → sent: median {statistics.median(delays):.0f} s, p95 {pct(0.95)}, max {pct(1.0)}"
            if delays
            else "- due → sent: nothing sent",
            f"- caseload as the counselor: {stats['pages']} requests, {stats['page_failures']} failed; "
            f"/healthz: {stats['health_checks']} checks, {stats['health_failures']} failed",
            f"- worker killed with SIGKILL {stats['worker_kills']} times; restarts: "
            + ", ".join(f"{m.name} {m.restarts}" for m in runner.processes),
            "- memory (RSS of each process tree, first → last → peak): "
            + "; ".join(
                f"{name} {values[0] // 1024} → {values[-1] // 1024} → {max(values) // 1024} MiB"
                for name, values in memory.items()
            ),
            "- files: "
            + "; ".join(
                f"{name} {sizes_start[name] / 2**20:.1f} → {sizes_end[name] / 2**20:.1f} MiB"
                for name in sizes_start
            ),
            "",
        ]
        return "\n".join(lines)
