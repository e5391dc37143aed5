"""What chaining audit rows inside the request would cost under concurrent load (PostgreSQL only).

Chaining a row to the one before inside the request's own transaction needs a lock held from that
insert until the transaction commits (a transaction-scoped advisory lock, as ``audit_log_many`` did
before rows were sealed in the background): every audited request then waits for every other one
to commit. This runs audited transactions from several threads, each with its own connection, both
ways: "held" (lock, read the previous hash, insert the chained row) and "none" (insert the row
unsealed, as ``audit_log_many`` does now), with ``--work-ms`` of further work in the same
transaction after the audit row (what a service does after ``audit_log``). It prints throughput
and latency.

It writes to a scratch copy of the table (``careteam_audit_bench``, created and dropped here), never to
the trail itself, and commits every transaction, so the commit's WAL flush is counted.
"""

import statistics
import threading
import time
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction

from careteam.audit import _CHAIN_LOCK_KEY, GENESIS_HASH

TABLE = "careteam_audit_bench"
LAST_HASH = f"SELECT row_hash FROM {TABLE} ORDER BY id DESC LIMIT 1"  # noqa: S608 - a constant
INSERT = (
    f"INSERT INTO {TABLE} (occurred_at, username, object_type, object_id, action, path, reason,"  # noqa: S608
    " changed_fields, detail, prev_hash, row_hash, row_mac)"
    " VALUES (now(), 'bench', 'clients.client', '1', 'view', '/', '', '[]', '{}', %s, %s, '')"
)


class Command(BaseCommand):
    help = "Measure audited-insert throughput with and without the audit chain's lock (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--threads", default="1,4,16", help="comma-separated thread counts")
        parser.add_argument("--seconds", type=float, default=5.0, help="per run")
        parser.add_argument(
            "--work-ms",
            default="0,5",
            help="comma-separated milliseconds of further work in the transaction after the audit row",
        )

    def handle(self, *args, threads: str, seconds: float, work_ms: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("PostgreSQL only: SQLite takes one write lock per transaction anyway.")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cursor.execute(
                f"CREATE TABLE {TABLE} (LIKE careteam_auditevent INCLUDING DEFAULTS INCLUDING INDEXES)"
            )
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {TABLE}_id_seq OWNED BY {TABLE}.id")
            cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
        try:
            self.stdout.write(
                f"{'lock':>6} {'work':>5} {'threads':>7} {'tx/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
            )
            for work in [float(w) for w in work_ms.split(",")]:
                for n in [int(t) for t in threads.split(",")]:
                    for locked in (True, False):
                        rate, p50, p95 = self._run(n, seconds, work / 1000, locked)
                        lock = "held" if locked else "none"
                        self.stdout.write(
                            f"{lock:>6} {work:>5.0f} {n:>7} {rate:>8.0f} {p50:>8.1f} {p95:>8.1f}"
                        )
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def _run(self, n: int, seconds: float, work: float, locked: bool) -> tuple[float, float, float]:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}")  # every run starts from an empty table
        latencies: list[float] = []
        errors: list[BaseException] = []
        stop = time.monotonic() + seconds
        barrier = threading.Barrier(n)

        def worker():
            mine = []
            try:
                barrier.wait()
                while time.monotonic() < stop:
                    started = time.perf_counter()
                    with transaction.atomic(), connection.cursor() as cursor:
                        if locked:
                            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
                            cursor.execute(LAST_HASH)
                            row = cursor.fetchone()
                            prev, row_hash = (row[0] if row else GENESIS_HASH), uuid.uuid4().hex * 2
                        else:
                            prev, row_hash = "", None
                        cursor.execute(INSERT, [prev, row_hash])
                        if work:
                            time.sleep(work)
                    mine.append(time.perf_counter() - started)
            except BaseException as exc:
                errors.append(exc)
            finally:
                latencies.extend(mine)
                connections.close_all()

        pool = [threading.Thread(target=worker) for _ in range(n)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        if errors:
            raise CommandError(f"benchmark thread failed: {errors[0]!r}")
        ms = sorted(x * 1000 for x in latencies)
        p95 = ms[int(len(ms) * 0.95) - 1] if len(ms) >= 20 else ms[-1]
        return len(ms) / seconds, statistics.median(ms), p95
