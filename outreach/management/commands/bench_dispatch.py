"""Measure the dispatcher: N due messages, real Celery workers, sent per minute and duplicates.

    manage.py bench_dispatch --messages 10000 --workers 2

Run it on PostgreSQL + Redis (``DATABASE_URL``, ``CELERY_BROKER_URL``); on SQLite and the
SQLite broker it runs but measures the embedded default, not production, and says so.
Workers are started with ``OUTREACH_SMS_BACKEND`` set to the bench backend (it logs every key it is
handed, so duplicates are counted at the provider boundary; ``--backend null`` or ``--backend outbox``
for the database outbox, whose unique key also counts duplicates). Everything it creates is
removed afterwards (synthetic clients under a team of their own).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.utils import timezone

BACKENDS = {
    "bench": "outreach.backends.database.BenchBackend",
    "null": "outreach.backends.database.NullBackend",
    "outbox": "outreach.backends.database.DatabaseBackend",
}
TEAM_NAME = "bench-dispatch (synthetic)"


class Command(BaseCommand):
    help = "Benchmark the outbox dispatcher with real Celery workers (use PostgreSQL + Redis)."

    def add_arguments(self, parser):
        parser.add_argument("--messages", type=int, default=10000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--clients", type=int, default=100)
        parser.add_argument("--backend", choices=sorted(BACKENDS), default="bench")
        parser.add_argument("--timeout", type=int, default=900, help="Give up after this many seconds.")

    def handle(self, *args, messages, workers, clients, backend, timeout, **options):
        from outreach.dispatch import recover_stale
        from outreach.models import MessageStatus, ScheduledMessage
        from outreach.tasks import queue_due

        production = connection.vendor == "postgresql" and settings.CELERY_BROKER_URL.startswith("redis")
        if not production:
            self.stdout.write(
                self.style.WARNING(
                    f"Running on {connection.vendor} with broker {settings.CELERY_BROKER_URL.split(':')[0]}: "
                    "this measures the embedded default, not PostgreSQL + Redis."
                )
            )
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("CELERY_TASK_ALWAYS_EAGER is on: tasks would not reach the workers.")
        team, client_ids = self._setup(clients)
        procs = []
        try:
            self._create_messages(client_ids, messages)
            log_dir = tempfile.mkdtemp(prefix="bench-dispatch-")
            env = {
                **os.environ,
                "OUTREACH_BENCH_LOG_DIR": log_dir,
                "OUTREACH_SMS_BACKEND": BACKENDS[backend],
                "OUTREACH_EMAIL_BACKEND": BACKENDS[backend],
            }
            for i in range(workers):
                procs.append(
                    subprocess.Popen(  # noqa: S603 - our own celery, fixed arguments
                        [
                            sys.executable,
                            "-m",
                            "celery",
                            "-A",
                            "config",
                            "worker",
                            "--concurrency=1",
                            "--loglevel=WARNING",
                            "--without-gossip",
                            "--without-mingle",
                            f"-n bench{i}@%h",
                        ],
                        env=env,
                        start_new_session=True,
                        stdout=subprocess.DEVNULL,
                    )
                )
            time.sleep(5)  # let the workers connect
            qs = ScheduledMessage.objects.filter(client_id__in=client_ids)
            start = time.monotonic()
            deadline = start + timeout
            while time.monotonic() < deadline:
                recover_stale()
                queued = queue_due()
                done = qs.exclude(status__in=[MessageStatus.PENDING, MessageStatus.SENDING]).count()
                if done >= messages:
                    break
                if not queued:
                    time.sleep(0.5)
            elapsed = time.monotonic() - start
            by_status = dict(qs.values_list("status").annotate(n=Count("id")))
            sent = by_status.get(MessageStatus.SENT, 0)
            duplicates = self._duplicates(backend, client_ids, log_dir)
            self.stdout.write(
                f"{'PostgreSQL + Redis' if production else 'embedded default'}: {workers} worker(s), "
                f"{messages} messages, backend {backend}\n"
                f"  sent {sent} in {elapsed:.1f} s = {sent / elapsed * 60:.0f} sent/min\n"
                f"  statuses {by_status}\n  duplicates {duplicates}"
            )
            if duplicates:
                raise CommandError(f"{duplicates} duplicate sends")
        finally:
            for proc in procs:
                os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
            self._cleanup(team, client_ids)

    def _setup(self, n):
        from careteam.models import Team
        from clients.models import Client

        team, _ = Team.objects.get_or_create(name=TEAM_NAME)
        Client.objects.bulk_create(
            Client(
                legal_first_name="Bench",
                legal_last_name=f"Client {i}",
                date_of_birth="1980-01-01",
                phone=f"+1202555{i % 10000:04d}",
                preferred_channel="sms",
                primary_team=team,
            )
            for i in range(n)
        )
        ids = list(Client.objects.filter(primary_team=team).values_list("pk", flat=True))
        self._consents(ids)
        return team, ids

    def _consents(self, ids):
        import datetime as dt

        from careteam.models import User
        from clients.models import Consent

        recorder, _ = User.objects.get_or_create(username="bench-dispatch", defaults={"is_active": False})
        Consent.objects.bulk_create(
            Consent(
                client_id=pk,
                kind="text_messaging",
                signed_on=dt.date(2020, 1, 2),
                signature_method="paper",
                recorded_by=recorder,
            )
            for pk in ids
        )

    def _create_messages(self, client_ids, n):
        from outreach.models import ScheduledMessage

        now = timezone.now()
        run = int(time.time())
        ScheduledMessage.objects.bulk_create(
            (
                ScheduledMessage(
                    client_id=client_ids[i % len(client_ids)],
                    channel="sms",
                    template_key="manual",
                    context={"text": f"bench {i}"},
                    due_at=now,
                    send_at=now,
                    idempotency_key=f"bench-{run}-{i}",
                    source_kind="manual",
                )
                for i in range(n)
            ),
            batch_size=2000,
        )

    def _duplicates(self, backend, client_ids, log_dir) -> int:
        from outreach.models import OutboxEntry, ScheduledMessage

        if backend == "bench":
            # Every hand-over to the provider, from every worker: a key seen twice is a duplicate send.
            keys = Counter()
            for path in Path(log_dir).glob("*.log"):
                keys.update(path.read_text().split())
            return sum(n - 1 for n in keys.values() if n > 1)

        sent_twice = ScheduledMessage.objects.filter(
            client_id__in=client_ids, attempts__gt=1, status="sent"
        ).count()
        if backend == "outbox":
            # The outbox keeps one row per key; a second hand-over would show as attempts > 1 above.
            entries = OutboxEntry.objects.filter(message__client_id__in=client_ids).count()
            sent = ScheduledMessage.objects.filter(client_id__in=client_ids, status="sent").count()
            return max(sent_twice, entries - sent)
        return sent_twice

    def _cleanup(self, team, client_ids):
        """Synthetic rows only. The audit trail is append-only, so the few audit rows made stay."""
        from careteam.models import Task
        from clients.models import Client, Consent
        from outreach.models import OutboxEntry, ScheduledMessage

        OutboxEntry.objects.filter(message__client_id__in=client_ids).delete()
        ScheduledMessage.objects.filter(client_id__in=client_ids).update(task=None)
        ScheduledMessage.objects.filter(client_id__in=client_ids).delete()
        Task.objects.filter(client_id__in=client_ids).delete()
        Consent.objects.filter(client_id__in=client_ids).delete()
        Client.objects.filter(pk__in=client_ids).delete()
        team.delete()
