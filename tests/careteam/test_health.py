"""/healthz: what a load balancer and an uptime monitor ask before sending people to the app."""

import datetime as dt
import sqlite3
import time

import pytest
import time_machine
from django.db import OperationalError, connection
from django.urls import reverse
from kombu import Connection

from careteam import embedded_broker, health
from careteam.models import ServiceHeartbeat
from careteam.tasks import record_heartbeat

pytestmark = pytest.mark.django_db

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


class _DownConnection:
    """Stands in for the database connection when the database is unreachable."""

    vendor = "postgresql"

    def cursor(self):
        raise OperationalError('connection to server at "db" (10.0.0.5), port 5432 failed')


def test_healthz_answers_200_naming_the_database_and_the_broker(client, settings):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "detail": connection.vendor}
    assert body["broker"]["ok"] is True
    if embedded_broker.is_embedded(settings.CELERY_BROKER_URL):
        assert body["broker"]["detail"].startswith("sqlite (")
    else:
        assert body["broker"]["detail"]
    assert "worker_last_seen" in body
    assert dt.datetime.fromisoformat(body["time"]).tzinfo is not None


def test_healthz_needs_no_login_and_is_never_cached(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200  # not a redirect to the login page
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_healthz_only_answers_get(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_healthz_answers_503_when_the_database_does_not_answer(client, monkeypatch):
    """GIVEN a database that refuses connections WHEN the monitor asks THEN it gets 503 saying the
    database failed (and why), the broker's own state, and no worker time (that needs the database)."""
    monkeypatch.setattr(health, "connection", _DownConnection())

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] is False
    assert body["database"]["detail"].startswith("OperationalError: connection to server")
    assert body["broker"]["ok"] is True
    assert "worker_last_seen" not in body


def test_healthz_answers_503_quickly_when_the_broker_does_not_answer(client, settings):
    """GIVEN the broker URL points at a closed port WHEN the monitor asks
    THEN it gets 503 naming the broker, well within a load balancer's timeout."""
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    started = time.monotonic()

    response = client.get(reverse("healthz"))

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"]["ok"] is False
    assert body["broker"]["detail"]
    assert body["database"]["ok"] is True


def test_healthz_answers_503_when_the_embedded_broker_folder_is_missing(client, settings, tmp_path):
    missing = tmp_path / "no-such-folder"
    settings.CELERY_BROKER_URL = f"sqla+sqlite:///{missing / 'broker.sqlite3'}"
    settings.CELERY_BROKER_FILE = missing / "broker.sqlite3"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["broker"] == {"ok": False, "detail": f"broker folder {missing} is missing or not writable"}


def test_healthz_counts_what_waits_in_the_embedded_broker(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    settings.CELERY_BROKER_FILE = tmp_path / "broker.sqlite3"
    assert client.get(reverse("healthz")).json()["broker"]["detail"] == "sqlite (no message yet)"

    with Connection(settings.CELERY_BROKER_URL) as conn:
        queue = conn.SimpleQueue("healthz-check")
        queue.put({"n": 1})
        queue.put({"n": 2})
        queue.get(timeout=5).ack()
        queue.close()

    assert client.get(reverse("healthz")).json()["broker"] == {"ok": True, "detail": "sqlite (1 waiting)"}


def test_the_daily_prune_deletes_delivered_broker_rows_older_than_a_day(settings, tmp_path):
    settings.CELERY_BROKER_URL = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    settings.CELERY_BROKER_FILE = tmp_path / "broker.sqlite3"
    assert embedded_broker.prune() == 0  # no file yet
    with Connection(settings.CELERY_BROKER_URL) as conn:
        queue = conn.SimpleQueue("prune-check")
        for n in range(3):
            queue.put({"n": n})
        queue.get(timeout=5).ack()
        queue.get(timeout=5).ack()
        queue.close()

    assert embedded_broker.prune() == 0  # delivered just now: kept for a day
    assert embedded_broker.prune(now=dt.datetime.now() + dt.timedelta(days=1, minutes=1)) == 2
    with sqlite3.connect(settings.CELERY_BROKER_FILE) as db:
        assert db.execute("SELECT count(*) FROM kombu_message WHERE visible = 1").fetchone() == (1,)


def test_healthz_answers_503_when_the_broker_check_fails(client, monkeypatch):
    monkeypatch.setattr(health, "check_broker", lambda: (False, "ConnectionRefusedError: [Errno 111]"))

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["broker"] == {"ok": False, "detail": "ConnectionRefusedError: [Errno 111]"}


def test_worker_last_seen_is_empty_until_the_heartbeat_task_has_run(client):
    assert client.get(reverse("healthz")).json()["worker_last_seen"] is None


def test_worker_last_seen_reports_when_the_heartbeat_task_last_ran(client):
    """GIVEN beat queued the heartbeat and a worker ran it at 12:00 and again at 12:01 UTC
    WHEN the monitor asks THEN it sees 12:01, the worker's latest proof of life."""
    with time_machine.travel(dt.datetime(2025, 3, 4, 12, 0, tzinfo=dt.UTC), tick=False):
        assert record_heartbeat.apply().successful()
    with time_machine.travel(dt.datetime(2025, 3, 4, 12, 1, tzinfo=dt.UTC), tick=False):
        assert record_heartbeat.apply().successful()

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    body = response.json()
    assert ServiceHeartbeat.objects.count() == 1
    assert dt.datetime.fromisoformat(body["worker_last_seen"]) == dt.datetime(
        2025, 3, 4, 12, 1, tzinfo=dt.UTC
    )
