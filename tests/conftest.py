"""Personas shared by every test (after healthchecks' hc/test.py).

Alice is the client; ``counselor`` is her primary counselor; ``peer`` is the
peer specialist on her case; ``supervisor`` supervises her team; ``outsider``
is a counselor on another team and must never see her.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient
from rest_framework.test import APIClient

from tests.factories import ClientFactory, TeamFactory, UserFactory, assign

# The columns of the permission matrices (tests/clients/test_pages.py, test_api.py), by fixture name.
PERSONAS = (
    "counselor",  # Alice's primary counselor
    "peer",  # the peer specialist on her case
    "case_manager",  # on her team, not on her care team
    "crisis_worker",  # on her team, not on her care team
    "supervisor",  # supervises her team
    "other_supervisor",  # supervises another team
    "outsider",  # a counselor on another team
    "admin_user",  # superuser with the admin role
    "admin_role_user",  # the admin role alone
    "anonymous",
)


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Audit checkpoints go to this test's own file, never to the checkout's var/ (tests/careteam/test_audit*).
    settings.AUDIT_CHECKPOINT_SINK = "file"
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    # Personas sign in with force_login and no second factor; tests/careteam/test_signin.py turns
    # the requirement back on (the production default) to test it.
    settings.CARETEAM_MFA_REQUIRED = False
    # The API throttles count in the cache: every test starts with none of another test's requests.
    cache.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """PostgreSQL refuses TRUNCATE of the audit trail (careteam migration 0011) unless the session
    allows it; pytest-django flushes with TRUNCATE after transactional tests, so the test database
    (and only it) allows it for every connection. Tests that check the refusal turn it off locally."""
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            name = connection.ops.quote_name(connection.settings_dict["NAME"])
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {name} SET careteam.allow_audit_truncate = 'on'")
                cursor.execute("SET careteam.allow_audit_truncate = 'on'")


@pytest.fixture
def team(db):
    return TeamFactory(name="Harbor Outpatient")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Riverside Crisis")


@pytest.fixture
def counselor(team):
    user = UserFactory(username="counselor", first_name="Casey", last_name="Morgan", role="counselor")
    team.members.add(user)
    return user


@pytest.fixture
def case_manager(team):
    user = UserFactory(username="casemanager", role="case_manager")
    team.members.add(user)
    return user


@pytest.fixture
def peer(team):
    user = UserFactory(username="peer", role="peer_specialist")
    team.members.add(user)
    return user


@pytest.fixture
def crisis_worker(team):
    user = UserFactory(username="crisis", role="crisis_worker")
    team.members.add(user)
    return user


@pytest.fixture
def supervisor(team):
    user = UserFactory(username="supervisor", role="supervisor")
    team.members.add(user)
    team.supervisors.add(user)
    return user


@pytest.fixture
def outsider(other_team):
    user = UserFactory(username="outsider", role="counselor")
    other_team.members.add(user)
    return user


@pytest.fixture
def other_supervisor(other_team):
    user = UserFactory(username="supervisor2", role="supervisor")
    other_team.members.add(user)
    other_team.supervisors.add(user)
    return user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def alice(team, counselor, peer):
    """Alice, on Harbor Outpatient, with her counselor and peer specialist assigned."""
    client = ClientFactory(
        legal_first_name="Alice", legal_last_name="Rivera", preferred_name="Ali", primary_team=team
    )
    assign(client, counselor, "primary_counselor")
    assign(client, peer, "peer")
    return client


@pytest.fixture
def jamie(other_team, outsider):
    """Jamie Parker, born Aug 8, 1980, a client of the other team (Riverside) with its counselor."""
    client = ClientFactory(
        legal_first_name="Jamie",
        legal_last_name="Parker",
        preferred_name="",
        date_of_birth=dt.date(1980, 8, 8),
        primary_team=other_team,
    )
    assign(client, outsider, "primary_counselor")
    return client


def login(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def api_login(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def admin_role_user(db):
    """An administrator by role only (not a superuser), so the admin role's own permissions are tested."""
    return UserFactory(username="admin-role", role="admin", is_staff=True)


def client_form_data(client, **changes) -> dict:
    """The POST body the edit page sends for ``client`` unchanged, with ``changes`` applied.

    Booleans are sent as an HTML checkbox is (present when ticked); ``None`` sends an empty field.
    The version fields are those of the page opened now (the record as stored).
    """
    import datetime as dt

    from careteam import concurrency
    from clients.services import CLIENT_EDITABLE_FIELDS

    values = {f: getattr(client, f) for f in CLIENT_EDITABLE_FIELDS if f != "primary_team"}
    values["primary_team"] = client.primary_team_id
    values.update(changes)
    data = {}
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        elif isinstance(value, dt.time):
            data[name] = value.strftime("%H:%M")
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        elif hasattr(value, "as_e164"):
            data[name] = value.as_e164
        else:
            data[name] = str(value)
    stored = type(client)._base_manager.get(pk=client.pk)
    identity = concurrency.identity_of(stored)
    opened = concurrency.values_of(stored, CLIENT_EDITABLE_FIELDS)
    data[concurrency.TOKEN_FIELD] = concurrency.token_for_values(identity, opened)
    data[concurrency.SNAPSHOT_FIELD] = concurrency.encode_snapshot(identity, opened)
    return data
