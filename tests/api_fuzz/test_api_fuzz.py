"""Schemathesis over the whole API (the schema ``/api/schema/`` serves): no request may get a 5xx.

Slow and property-based, so it runs only when asked: ``make fuzz`` (``CARETEAM_FUZZ=1 pytest
tests/api_fuzz``), on its own — the demo program it seeds is committed to the test database once
per worker, so other tests must not share that database. The caller is the demo supervisor
(``CARETEAM_FUZZ_USER``), signed in as an API client is (``POST /api/v1/auth/token/``, then
``Authorization: Token <key>``); each operation's requests share one rolled-back transaction.

Every operation gets its schema examples and ``CARETEAM_FUZZ_EXAMPLES`` generated requests, valid
and invalid, derandomised so a run is repeatable; ``CARETEAM_FUZZ_COVERAGE=1`` adds schemathesis's
coverage phase (every boundary and missing field, several times slower). Random ids would only
meet 404s, so most integer ids a request names (in the path, the query or the body) are mapped onto
rows that exist: the demo program's, the caller's own and other teams'. Only server errors fail it:
refusals (400, 403, 404, 405, 412, 428, …) are the API working as designed.
"""

from __future__ import annotations

import json
import os

import pytest

if os.environ.get("CARETEAM_FUZZ") != "1":
    pytest.skip("API fuzzing runs with `make fuzz` (CARETEAM_FUZZ=1)", allow_module_level=True)

import schemathesis
from django.apps import apps
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from rest_framework.views import APIView
from schemathesis.checks import not_a_server_error

from config.api import router
from workspace.demo import seed_demo

FUZZ_EXAMPLES = int(os.environ.get("CARETEAM_FUZZ_EXAMPLES", "50"))
FUZZ_USER = os.environ.get("CARETEAM_FUZZ_USER", "supervisor")
DEMO_PASSWORD = "careteam-demo"
API = "/api/v1/"

# Integer fields of request bodies and filters that name a row, and the model of that row.
ROW_FIELDS = {
    "client": "clients.Client",
    "appointment": "clients.Appointment",
    "need": "clients.Need",
    "consent": "clients.Consent",
    "staff": "careteam.User",
    "author": "careteam.User",
    "referred_by": "careteam.User",
    "signer": "careteam.User",
    "peer": "careteam.User",
    "responders": "careteam.User",
    "primary_team": "careteam.Team",
    "plan": "plans.TreatmentPlan",
    "problem__plan": "plans.TreatmentPlan",
    "goal__problem__plan": "plans.TreatmentPlan",
    "problem": "plans.Problem",
    "goal": "plans.Goal",
    "step": "plans.ActionStep",
    "group": "peers.SupportGroup",
    "episode": "crisis.CrisisEpisode",
    "protocol": "crisis.CaringContactProtocol",
    "service": "referrals.Service",
    "organization": "referrals.Organization",
    "recipient_organization": "referrals.Organization",
}

pytestmark = pytest.mark.fuzz


def _load_schema():
    """The schema exactly as ``/api/schema/`` serves it, called on an in-process WSGI app."""
    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    config = schemathesis.Config.from_dict(
        {"phases": {"coverage": {"enabled": os.environ.get("CARETEAM_FUZZ_COVERAGE") == "1"}}}
    )
    loaded = schemathesis.openapi.from_dict(raw, config=config)
    loaded.app = WSGIHandler()
    loaded.location = "/api/schema/"
    return loaded


schema = _load_schema()


def _row_ids() -> dict[str, list]:
    """Existing row ids: by router prefix (for ``{id}`` in paths) and by field name."""
    ids = {}
    for prefix, viewset, _ in router.registry:
        model = getattr(getattr(viewset.serializer_class, "Meta", None), "model", None)
        if model is not None:
            lookup = getattr(viewset, "lookup_field", "pk")
            ids[prefix] = list(model._base_manager.order_by("pk").values_list(lookup, flat=True)[:200])
    for name, label in ROW_FIELDS.items():
        rows = apps.get_model(label)._base_manager.order_by("pk")
        ids[name] = list(rows.values_list("pk", flat=True)[:200])
    return ids


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo program, seeded once for the module; the fuzzing user's API token and the row ids."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            CELERY_TASK_ALWAYS_EAGER=True,
            CARETEAM_MFA_REQUIRED=False,
        ),
    ):
        seed_demo(password=DEMO_PASSWORD)
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": FUZZ_USER, "password": DEMO_PASSWORD}, format="json"
        )
        ids = _row_ids()
    assert response.status_code == 200, response.content
    return {"headers": {"Authorization": f"Token {response.json()['token']}"}, "ids": ids}


@pytest.fixture(autouse=True)
def _unthrottled_in_process_api(settings, monkeypatch):
    settings.ALLOWED_HOSTS = ["*"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    # DRF copied the default throttles onto APIView when it was imported.
    monkeypatch.setattr(APIView, "throttle_classes", [])
    # Like django.test.Client: keep the test's connection (and its transaction) open between requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _existing(value, pool: list):
    """Three generated integers in four become an existing row's id; the fourth stays as generated."""
    if not pool or isinstance(value, bool) or not isinstance(value, int) or value % 4 == 3:
        return value
    return pool[value % len(pool)]


def _point_at_rows(case, ids: dict[str, list]) -> None:
    prefix = case.path.removeprefix(API).split("/{", 1)[0].strip("/")
    for name, value in (case.path_parameters or {}).items():
        case.path_parameters[name] = _existing(value, ids.get(prefix, []))
    for container in (case.query, case.body):
        if not isinstance(container, dict):
            continue
        for name, value in container.items():
            if name in ROW_FIELDS and isinstance(value, list):
                container[name] = [_existing(v, ids[name]) for v in value]
            elif name in ROW_FIELDS:
                container[name] = _existing(value, ids[name])


def _if_match(case, headers: dict) -> dict:
    """An edit carries the version it started from: send the ETag a GET of the same record gives."""
    if case.method.upper() not in ("PUT", "PATCH"):
        return headers
    url = case.formatted_path
    etag = APIClient().get(url, **{"HTTP_AUTHORIZATION": headers["Authorization"]}).headers.get("ETag")
    return {**headers, "If-Match": etag} if etag else headers


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_gets_a_server_error(case, db, demo):
    _point_at_rows(case, demo["ids"])
    case.call_and_validate(headers=_if_match(case, demo["headers"]), checks=[not_a_server_error])
