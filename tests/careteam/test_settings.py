"""Settings from the environment: the embedded default with nothing set, and a production
configuration that passes ``check --deploy`` and sends the security headers."""

import json
import logging
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from cryptography.fernet import Fernet
from django.test import Client as HttpClient
from django.urls import reverse

from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]

# Printed by ``manage.py shell -c`` in a fresh process, so each test sees the settings module
# exactly as that environment builds it (nothing from this test process leaks in).
SHOW_SETTINGS = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SECRET_KEY": s.SECRET_KEY,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "HOST": db.get("HOST", ""),
    "CONN_MAX_AGE": db.get("CONN_MAX_AGE"),
    "CELERY_BROKER_URL": s.CELERY_BROKER_URL,
    "CELERY_BROKER_TRANSPORT_OPTIONS": s.CELERY_BROKER_TRANSPORT_OPTIONS,
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "SITE_URL": s.SITE_URL,
    "OUTREACH_PUBLIC_BASE_URL": s.OUTREACH_PUBLIC_BASE_URL,
    "SECURE_HSTS_SECONDS": getattr(s, "SECURE_HSTS_SECONDS", 0),
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "X_FRAME_OPTIONS": s.X_FRAME_OPTIONS,
    "SECURE_REFERRER_POLICY": s.SECURE_REFERRER_POLICY,
    "STATICFILES_BACKEND": s.STORAGES["staticfiles"]["BACKEND"],
    "RENDERERS": s.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"],
}))
"""

# Plain-HTTP behaviour of a production process, without a database: the health check is
# stubbed so only the security middleware's decisions are observed.
SHOW_HTTPS_HANDLING = """
import json
from unittest import mock
from django.test import Client
web = Client(HTTP_HOST="careteam.example.org")
with mock.patch("careteam.views.health_report", return_value=(True, {"status": "ok"})):
    plain_health = web.get("/healthz")
    plain_home = web.get("/")
    proxied_home = web.get("/", HTTP_X_FORWARDED_PROTO="https")
    secure_health = web.get("/healthz", secure=True)
print(json.dumps({
    "plain_health": plain_health.status_code,
    "plain_home": [plain_home.status_code, plain_home.get("Location", "")],
    "proxied_home": [proxied_home.status_code, proxied_home.get("Location", "")],
    "hsts": secure_health.get("Strict-Transport-Security", ""),
    "permissions_policy": secure_health.get("Permissions-Policy", ""),
    "home_cache": proxied_home.get("Cache-Control", ""),
}))
"""


# One refused request in a development process, logged through the settings' LOGGING (not pytest's):
# a view that raises PermissionDenied, served without a database (no session, anonymous).
SHOW_A_REFUSAL = """
import sys, types
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path

def refuse(request):
    raise PermissionDenied

urls = types.ModuleType("refusing_urls")
urls.urlpatterns = [path("refuse/", refuse)]
sys.modules["refusing_urls"] = urls
with override_settings(ROOT_URLCONF="refusing_urls"):
    status = Client(HTTP_HOST="127.0.0.1").get("/refuse/").status_code
print(status)
"""


def random_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def clean_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    """An environment with none of careteam's settings in it, state kept under ``tmp_path``."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "CARETEAM_VAR_DIR": str(tmp_path / "var"),
        **variables,
    }


def production_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    return clean_env(
        tmp_path,
        DEBUG="0",
        SECRET_KEY=random_secret_key(),
        ALLOWED_HOSTS="careteam.example.org",
        AUDIT_HMAC_KEY=random_secret_key(),
        MFA_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        **variables,
    )


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def shell_json(code: str, env: dict[str, str]) -> dict:
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- production ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_production_without_its_own_keys_is_warned(tmp_path):
    env = production_env(tmp_path)
    del env["AUDIT_HMAC_KEY"], env["MFA_ENCRYPTION_KEYS"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "careteam.W001" in output and "careteam.W002" in output


@pytest.mark.slow
def test_a_production_configuration_passes_check_deploy_without_warnings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


@pytest.mark.slow
def test_production_settings_turn_on_https_only_cookies_hsts_and_framing_rules(tmp_path):
    env = production_env(tmp_path)

    shown = shell_json(SHOW_SETTINGS, env)

    assert shown["DEBUG"] is False
    assert shown["SECRET_KEY"] == env["SECRET_KEY"]
    assert shown["ALLOWED_HOSTS"] == ["careteam.example.org"]
    assert shown["SECURE_HSTS_SECONDS"] > 0
    assert shown["SECURE_SSL_REDIRECT"] is True
    assert shown["SESSION_COOKIE_SECURE"] is True
    assert shown["CSRF_COOKIE_SECURE"] is True
    assert shown["X_FRAME_OPTIONS"] == "DENY"
    assert shown["SECURE_REFERRER_POLICY"]
    assert shown["STATICFILES_BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert shown["RENDERERS"] == ["rest_framework.renderers.JSONRenderer"]  # no browsable API


@pytest.mark.slow
def test_production_takes_the_database_and_broker_from_the_environment(tmp_path):
    env = production_env(
        tmp_path,
        DATABASE_URL="postgres://careteam:s3cret@db.internal:5432/careteam",
        CELERY_BROKER_URL="redis://redis.internal:6379/0",
    )

    shown = shell_json(SHOW_SETTINGS, env)

    assert shown["ENGINE"] == "django.db.backends.postgresql"
    assert (shown["HOST"], shown["NAME"]) == ("db.internal", "careteam")
    assert shown["CONN_MAX_AGE"] == 60
    assert shown["CELERY_BROKER_URL"] == "redis://redis.internal:6379/0"
    assert "data_folder_in" not in shown["CELERY_BROKER_TRANSPORT_OPTIONS"]


@pytest.mark.slow
def test_production_redirects_plain_http_except_the_health_check(tmp_path):
    """GIVEN a production process behind a TLS-terminating load balancer
    WHEN requests arrive over plain HTTP THEN pages redirect to HTTPS, but the load balancer's
    /healthz probe is answered; a request the proxy marks as HTTPS is served and gets HSTS."""
    shown = shell_json(SHOW_HTTPS_HANDLING, production_env(tmp_path))

    assert shown["plain_health"] == 200
    assert shown["plain_home"] == [301, "https://careteam.example.org/"]
    assert shown["proxied_home"][0] == 302  # to the login page, over HTTPS already
    assert shown["proxied_home"][1].startswith("/accounts/login/")
    assert shown["hsts"].startswith("max-age=31536000")
    assert "includeSubDomains" in shown["hsts"]


@pytest.mark.slow
def test_production_responses_are_never_stored_and_switch_off_browser_features(tmp_path):
    """The headers of tests/careteam/test_headers.py, in a process configured as production is."""
    shown = shell_json(SHOW_HTTPS_HANDLING, production_env(tmp_path))

    assert "no-store" in shown["home_cache"]
    assert "camera=()" in shown["permissions_policy"]
    assert "publickey-credentials-get=(self)" in shown["permissions_policy"]


# --- the embedded default ------------------------------------------------------------------------


@pytest.mark.slow
def test_with_nothing_set_it_runs_on_sqlite_and_the_sqlite_broker_under_var(tmp_path):
    var = tmp_path / "var"

    shown = shell_json(SHOW_SETTINGS, clean_env(tmp_path))

    assert shown["DEBUG"] is True
    assert shown["ENGINE"] == "django.db.backends.sqlite3"
    assert shown["NAME"] == str(var / "careteam.sqlite3")
    assert shown["CELERY_BROKER_URL"] == f"sqla+sqlite:///{var / 'celery' / 'broker.sqlite3'}"
    assert (var / "celery").is_dir()
    assert shown["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert shown["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]


@pytest.mark.slow
def test_partner_links_follow_the_port_make_run_serves_on(tmp_path):
    """GIVEN ``CARETEAM_PORT=8101 make run`` (the Procfile's runserver listens on 8101) and no SITE_URL
    THEN the links sent outside (partner emails, safety-plan links, Twilio's callbacks) say 8101 too."""
    shown = shell_json(SHOW_SETTINGS, clean_env(tmp_path, CARETEAM_PORT="8101"))

    assert shown["SITE_URL"] == "http://127.0.0.1:8101"
    assert shown["OUTREACH_PUBLIC_BASE_URL"] == "http://127.0.0.1:8101"


@pytest.mark.slow
def test_site_url_defaults_to_port_8000_and_an_explicit_one_wins_over_the_port(tmp_path):
    assert shell_json(SHOW_SETTINGS, clean_env(tmp_path))["SITE_URL"] == "http://127.0.0.1:8000"

    env = clean_env(tmp_path, CARETEAM_PORT="8101", SITE_URL="https://care.example.org")
    assert shell_json(SHOW_SETTINGS, env)["SITE_URL"] == "https://care.example.org"


@pytest.mark.slow
def test_a_refused_request_prints_one_line_without_a_traceback(tmp_path):
    """GIVEN the development console (DEBUG on, nothing else set) WHEN a view answers 403
    THEN the log says so once, in one line: no traceback, and not printed twice."""
    result = manage("shell", "--no-imports", "-c", SHOW_A_REFUSAL, env=clean_env(tmp_path))

    assert result.stdout.strip().splitlines()[-1] == "403", result.stderr
    logged = [line for line in result.stderr.splitlines() if "Forbidden" in line]
    assert len(logged) == 1, result.stderr
    assert "WARNING django.request Forbidden (Permission denied): /refuse/" in logged[0]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_with_nothing_set_the_development_secret_is_kept_private_and_survives_a_restart(tmp_path):
    env = clean_env(tmp_path)

    first = shell_json(SHOW_SETTINGS, env)["SECRET_KEY"]
    second = shell_json(SHOW_SETTINGS, env)["SECRET_KEY"]

    key_file = tmp_path / "var" / "dev-secret-key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600


# --- headers (in-process) ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["login", "healthz"])
def test_responses_carry_the_content_security_policy_and_framing_headers(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    """GIVEN DEBUG=0 and no SECRET_KEY WHEN any manage.py command starts THEN it stops with a clear
    error instead of generating a per-machine key (web processes would disagree on sessions)."""
    env = clean_env(tmp_path, DEBUG="0", ALLOWED_HOSTS="careteam.example.org")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert not (tmp_path / "var" / "dev-secret-key").exists()


# --- logging (in-process) ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_page_is_logged_without_a_traceback(counselor, caplog):
    """GIVEN a counselor (not a supervisor) WHEN they open the team dashboard THEN the 403 is logged
    as one warning with no exception attached: a refusal is the answer working, not a fault."""
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = login(counselor).get("/dashboard/")

    assert response.status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in refusals] == ["Forbidden (Permission denied): /dashboard/"]
    assert all(r.exc_info is None for r in caplog.records)


@pytest.mark.django_db
def test_a_server_error_is_still_logged_with_its_traceback(caplog):
    web = HttpClient(raise_request_exception=False)
    with (
        mock.patch("careteam.views.health_report", side_effect=RuntimeError("database on fire")),
        caplog.at_level(logging.ERROR, logger="django.request"),
    ):
        response = web.get(reverse("healthz"))

    assert response.status_code == 500
    (error,) = [r for r in caplog.records if r.name == "django.request"]
    assert error.exc_info and error.exc_info[0] is RuntimeError
