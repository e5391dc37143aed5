"""The embedded default's broker: kombu's SQLAlchemy transport on a SQLite file under var/.

kombu creates the tables on first connect and keeps each delivered message as a row with
``visible = 0``. Here: the health check's look at the file (without building a SQLAlchemy engine
on every /healthz request) and the daily prune of delivered rows. Only used when
``settings.EMBEDDED_BROKER``; Redis or RabbitMQ in production need neither.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import closing

from django.conf import settings

#: Delivered rows are kept this long (for a look at what ran), then deleted.
KEEP_DELIVERED = dt.timedelta(days=1)


def is_embedded(url: str) -> bool:
    return url.startswith("sqla+sqlite:")


def _connect() -> sqlite3.Connection:
    return sqlite3.connect(settings.CELERY_BROKER_FILE, timeout=30)


def check() -> tuple[bool, str]:
    """Writable folder, and a readable queue table once a worker or the web has created it."""
    path = settings.CELERY_BROKER_FILE
    if not os.access(path.parent, os.W_OK):
        return False, f"broker folder {path.parent} is missing or not writable"
    if not path.exists():
        return True, "sqlite (no message yet)"
    try:
        with closing(_connect()) as db:
            (waiting,) = db.execute("SELECT count(*) FROM kombu_message WHERE visible = 1").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return True, "sqlite (no message yet)"
        return False, f"broker file unreadable: {exc}"[:200]
    return True, f"sqlite ({waiting} waiting)"


def prune(*, now: dt.datetime | None = None) -> int:
    """Delete delivered messages older than ``KEEP_DELIVERED``; return how many went.

    kombu writes ``timestamp`` as a naive local datetime (``datetime.now()``), so the cut-off is
    naive local time too.
    """
    path = settings.CELERY_BROKER_FILE
    if not path.exists():
        return 0
    cutoff = (now or dt.datetime.now()) - KEEP_DELIVERED
    with closing(_connect()) as db, db:
        try:
            cursor = db.execute(
                "DELETE FROM kombu_message WHERE visible = 0 AND timestamp < ?",
                (cutoff.isoformat(sep=" "),),
            )
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return 0
            raise
        return cursor.rowcount
