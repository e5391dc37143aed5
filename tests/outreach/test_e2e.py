"""End to end on the embedded default: a real worker with beat delivers a due message to the console.

SQLite file and the SQLite broker (kombu's SQLAlchemy transport) in a temporary var dir, no DATABASE_URL or
CELERY_BROKER_URL even when CI sets them; the console backend prints one line per message.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CREATE = """
import datetime as dt
from django.utils import timezone
from careteam.models import Team, User
from clients.models import Client, Consent
from outreach.services import message_schedule
team = Team.objects.create(name="E2E team")
user = User.objects.create(username="e2e")
client = Client.objects.create(legal_first_name="Eve", legal_last_name="Tester", preferred_name="Evie",
    date_of_birth="1990-01-01", phone="+12025550177", primary_team=team)
Consent.objects.create(client=client, kind="text_messaging", signed_on=dt.date(2020, 1, 2),
    signature_method="paper", recorded_by=user)
m = message_schedule(client=client, template_key="client-reminder", channel="sms",
    source_kind="client_reminder", due_at=timezone.now() + dt.timedelta(seconds=20),
    idempotency_key="e2e-1", context={"label": "e2e check"})
print("MESSAGE", m.pk)
"""


@pytest.mark.slow
def test_the_embedded_worker_delivers_a_due_message_to_the_console_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(CARETEAM_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1")
    env.pop("OUTREACH_SMS_BACKEND", None)
    env.pop("OUTREACH_TWILIO_ACCOUNT_SID", None)
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    out = subprocess.run(
        [python, "manage.py", "shell", "-c", CREATE],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    ).stdout
    pk = int(out.split("MESSAGE")[1].split()[0])
    log = tmp_path / "worker.log"
    with log.open("w") as sink:
        worker = subprocess.Popen(  # the same command `make run` uses, with beat embedded
            [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--beat",
                "--loglevel=INFO",
                "--concurrency=1",
                "-s",
                str(tmp_path / "beat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        status = None
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            with sqlite3.connect(tmp_path / "careteam.sqlite3", timeout=20) as db:
                status = db.execute(
                    "SELECT status FROM outreach_scheduledmessage WHERE id = ?", [pk]
                ).fetchone()[0]
            if status == "sent":
                break
            time.sleep(3)
        time.sleep(3)  # let a second tick pass: it must not send again
        text = log.read_text()
        assert status == "sent", text[-3000:]
        assert text.count(f"[outreach] SENT sms message={pk} ") == 1, text[-3000:]
        assert "Hi Evie, your reminder: e2e check." in text
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
