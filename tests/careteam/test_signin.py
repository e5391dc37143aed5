"""Signing in, tried as an attacker and as a security reviewer would (issue 13).

Lockout and throttling (OWASP ASVS 5.0 V6.3), a second factor for every staff account, sessions
that end on their own (HIPAA 164.312(a)(2)(iii)), API tokens that are hashed, expire and can be
revoked, a password policy that refuses the trivially weak, and an audit row for each change.
"""

import datetime as dt
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from careteam.models import AuditAction, AuditEvent
from careteam.signin.adapters import secrets_cipher
from careteam.signin.services import api_token_create
from tests.conftest import login

PASSWORD = "careteam-demo"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def sign_in(http, username, password, **extra):
    return http.post(reverse("login"), {"login": username, "password": password}, **extra)


def token_for(api, username, password, **data):
    return api.post(
        "/api/v1/auth/token/", {"username": username, "password": password, **data}, format="json"
    )


def totp_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def enrol_totp(http) -> str:
    """Walk allauth's activation page as a person would: password again, read the secret, type the code."""
    page = http.get(reverse("mfa_activate_totp"))
    if page.status_code == 302:  # adding a factor asks for the password again first
        assert page["Location"].startswith(reverse("account_reauthenticate"))
        assert http.post(page["Location"], {"password": PASSWORD}).status_code == 302
        page = http.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = http.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302, response.context["form"].errors
    return secret


# --- lockout and throttling ----------------------------------------------------------------------


def test_thirty_wrong_passwords_lock_the_form_and_the_right_one_is_refused_until_the_lock_lifts(
    counselor, settings
):
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        codes = [sign_in(http, "counselor", f"wrong-{n}").status_code for n in range(30)]
        assert codes[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
        assert set(codes[settings.AXES_FAILURE_LIMIT :]) == {429}

        refused = sign_in(http, "counselor", PASSWORD)
        assert refused.status_code == 429
        assert "Too many failed sign-in attempts" in refused.content.decode()
        assert refused["Retry-After"] == "900"
        assert "_auth_user_id" not in http.session

    # Failures during the lock did not extend it: it lifts 15 minutes after it began.
    with time_machine.travel(START + dt.timedelta(minutes=16), tick=False):
        assert sign_in(http, "counselor", PASSWORD).status_code == 302
        assert http.session["_auth_user_id"] == str(counselor.pk)

    locked = AuditEvent.objects.filter(action=AuditAction.LOCKOUT)
    assert locked.exists()
    assert {row.username for row in locked} == {"counselor"}


def test_guessing_many_usernames_from_one_address_locks_that_address(counselor, case_manager, settings):
    http = HttpClient()
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(http, f"nobody-{n}", "wrong", REMOTE_ADDR="198.51.100.7")
    assert sign_in(http, "counselor", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 429
    # Someone at another address is not held up by it.
    assert sign_in(HttpClient(), "casemanager", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_the_token_endpoint_shares_the_lockout(counselor, settings):
    api = APIClient()
    with time_machine.travel(START, tick=False):
        codes = [token_for(api, "counselor", "wrong").status_code for _ in range(30)]
    assert codes[0] == 400
    assert codes[-1] == 429
    # A minute on, the per-address API throttle has forgotten; the sign-in lockout has not.
    with time_machine.travel(START + dt.timedelta(minutes=2), tick=False):
        refused = token_for(api, "counselor", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts" in refused.json()["detail"]
    assert not AuthToken.objects.exists()
    with time_machine.travel(START + dt.timedelta(minutes=16), tick=False):
        assert token_for(api, "counselor", PASSWORD).status_code == 200


def test_the_admin_login_is_the_same_guarded_page(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "login" in response.context["form"].fields  # allauth's form: lockout, password, second factor


def test_a_supervisor_sees_locked_accounts_and_an_administrator_unlocks_at_once(
    counselor, supervisor, admin_user, outsider, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(HttpClient(), "counselor", "wrong", REMOTE_ADDR="192.0.2.1")

    page = login(supervisor).get(reverse("signin:lockouts"))
    assert page.status_code == 200
    assert "counselor" in page.content.decode()
    assert "Unlock" not in page.content.decode()
    assert (
        login(supervisor)
        .post(reverse("signin:lockouts"), {"kind": "username", "value": "counselor"})
        .status_code
        == 403
    )
    assert login(outsider).get(reverse("signin:lockouts")).status_code == 403

    admin = login(admin_user)
    assert (
        admin.post(reverse("signin:lockouts"), {"kind": "username", "value": "counselor"}).status_code == 302
    )
    admin.post(reverse("signin:lockouts"), {"kind": "ip_address", "value": "192.0.2.1"})
    assert "Nobody is locked out." in admin.get(reverse("signin:lockouts")).content.decode()
    assert sign_in(HttpClient(), "counselor", PASSWORD, REMOTE_ADDR="192.0.2.1").status_code == 302
    unlocked = AuditEvent.objects.filter(action=AuditAction.UNLOCK, user=admin_user)
    assert {next(iter(e.detail)) for e in unlocked} == {"username", "ip_address"}


def test_the_api_throttles_anonymous_callers_and_each_user(counselor, monkeypatch):
    # DRF reads the rates once, into the class; lower them there so the test stays short.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "5/min", "user": "8/min"})
    anonymous = APIClient()  # the one endpoint open to anonymous callers: the token exchange
    codes = [anonymous.post("/api/v1/auth/token/", {}, format="json").status_code for _ in range(6)]
    assert codes == [400] * 5 + [429]

    api = APIClient()
    api.force_authenticate(counselor)
    codes = [api.get("/api/v1/clients/").status_code for _ in range(9)]
    assert codes == [200] * 8 + [429]


# --- multi-factor authentication -----------------------------------------------------------------


def test_a_second_factor_is_required_before_anything_else(
    counselor, alice, settings, django_capture_on_commit_callbacks
):
    settings.CARETEAM_MFA_REQUIRED = True
    http = HttpClient()
    assert sign_in(http, "counselor", PASSWORD).status_code == 302

    response = http.get(reverse("clients:detail", args=[alice.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_index"))
    api = http.get("/api/v1/clients/")
    assert api.status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        secret = enrol_totp(http)
    assert http.get(reverse("clients:detail", args=[alice.pk])).status_code == 200
    added = AuditEvent.objects.filter(action=AuditAction.MFA_CHANGE, user=counselor)
    assert sorted(row.detail["added"] for row in added) == ["recovery_codes", "totp"]

    # The key is stored encrypted, and decrypts to the one the app was given.
    totp = Authenticator.objects.get(user=counselor, type=Authenticator.Type.TOTP)
    assert secret not in str(totp.data)
    assert secrets_cipher().decrypt(totp.data["secret"].encode()).decode() == secret


def test_signing_in_with_a_second_factor_asks_for_the_code(counselor, alice, settings):
    settings.CARETEAM_MFA_REQUIRED = True
    first = HttpClient()
    sign_in(first, "counselor", PASSWORD)
    secret = enrol_totp(first)

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        http = HttpClient()
        response = sign_in(http, "counselor", PASSWORD)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_authenticate")
        assert "_auth_user_id" not in http.session  # not signed in on the password alone
        assert http.get(reverse("clients:detail", args=[alice.pk])).status_code == 302

        assert http.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
        assert "_auth_user_id" not in http.session
        assert http.post(reverse("mfa_authenticate"), {"code": totp_now(secret)}).status_code == 302
        assert http.get(reverse("clients:detail", args=[alice.pk])).status_code == 200


def test_an_administrator_resets_a_lost_factor_and_it_is_audited(counselor, admin_user, settings):
    settings.CARETEAM_MFA_REQUIRED = True
    http = HttpClient()
    sign_in(http, "counselor", PASSWORD)
    enrol_totp(http)
    assert Authenticator.objects.filter(user=counselor).exists()

    settings.CARETEAM_MFA_REQUIRED = False  # the administrator's own second factor is not the point here
    admin = login(admin_user)
    response = admin.post(
        reverse("admin:careteam_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [counselor.pk]},
    )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=counselor).exists()
    [reset] = AuditEvent.objects.filter(action=AuditAction.MFA_CHANGE, user=admin_user)
    assert reset.object_id == str(counselor.pk)
    assert "totp" in reset.detail["reset"]
    # The session that used the old factor is over.
    assert http.get(reverse("workspace:today")).status_code == 302


def test_the_token_endpoint_asks_an_enrolled_user_for_the_code(counselor, settings):
    settings.CARETEAM_MFA_REQUIRED = True
    api = APIClient()
    refused = token_for(api, "counselor", PASSWORD)
    assert refused.status_code == 400
    assert "Set up two-factor" in refused.json()["code"][0]

    http = HttpClient()
    sign_in(http, "counselor", PASSWORD)
    secret = enrol_totp(http)
    assert token_for(api, "counselor", PASSWORD).status_code == 400
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
        response = token_for(api, "counselor", PASSWORD, code=totp_now(secret))
    assert response.status_code == 200, response.json()


def test_thirty_wrong_codes_lock_the_account_and_the_right_code_is_refused_until_the_lock_lifts(
    counselor, settings
):
    settings.CARETEAM_MFA_REQUIRED = True
    first = HttpClient()
    sign_in(first, "counselor", PASSWORD)
    secret = enrol_totp(first)

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2), tick=False):
        http = HttpClient()
        assert sign_in(http, "counselor", PASSWORD)["Location"] == reverse("mfa_authenticate")
        statuses = [http.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code for _ in range(30)]
        assert statuses[:9] == [200] * 9 and set(statuses[9:]) <= {200, 429}
        refused = http.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
        assert refused.status_code in (200, 429) and "_auth_user_id" not in http.session
        assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT, username="counselor").exists()

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=20)):
        http = HttpClient()
        sign_in(http, "counselor", PASSWORD)
        assert http.post(reverse("mfa_authenticate"), {"code": totp_now(secret)}).status_code == 302
        assert "_auth_user_id" in http.session


def test_without_a_second_factor_no_api_token_can_be_made_or_used(counselor, alice, settings):
    _instance, old_key = api_token_create(user=counselor, via="test")  # made before MFA was required
    settings.CARETEAM_MFA_REQUIRED = True
    http = HttpClient()
    sign_in(http, "counselor", PASSWORD)

    page = http.post(reverse("signin:token-new"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("mfa_index"))
    assert http.get(reverse("signin:security")).status_code == 302
    assert AuthToken.objects.filter(user=counselor).count() == 1
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old_key}")
    assert api.get("/api/v1/clients/").status_code == 401


def test_removing_the_last_factor_asks_for_a_new_one_at_once(
    counselor, alice, settings, django_capture_on_commit_callbacks
):
    settings.CARETEAM_MFA_REQUIRED = True
    http = HttpClient()
    sign_in(http, "counselor", PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        enrol_totp(http)
    assert http.get(reverse("clients:detail", args=[alice.pk])).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=counselor, type=Authenticator.Type.TOTP).exists()
    page = http.get(reverse("clients:detail", args=[alice.pk]))
    assert page.status_code == 302 and page["Location"].startswith(reverse("mfa_index"))


def test_the_number_of_live_tokens_is_limited(counselor, settings):
    http = login(counselor)
    for _ in range(20):
        api_token_create(user=counselor, via="test")
    response = http.post(reverse("signin:token-new"), follow=True)
    assert "You already have 20 API tokens" in response.content.decode()
    assert AuthToken.objects.filter(user=counselor).count() == 20


# --- sessions ------------------------------------------------------------------------------------


def test_signing_in_issues_a_new_session_key(counselor):
    http = HttpClient()
    http.get(reverse("login"))
    http.session.save()
    before = http.session.session_key
    sign_in(http, "counselor", PASSWORD)
    assert http.session.session_key != before


def test_an_idle_session_ends_after_fifteen_minutes(counselor, settings):
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        sign_in(http, "counselor", PASSWORD)
    with time_machine.travel(START + dt.timedelta(minutes=14), tick=False):
        assert http.get(reverse("workspace:today")).status_code == 200
    with time_machine.travel(START + dt.timedelta(minutes=28), tick=False):
        assert http.get(reverse("workspace:today")).status_code == 200  # activity at 14 kept it alive
    with time_machine.travel(START + dt.timedelta(minutes=44), tick=False):
        response = http.get(reverse("workspace:today"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        page = http.get(response["Location"])
        assert "15 minutes without activity" in page.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, detail={"reason": "idle"}).exists()


def test_the_warning_asks_without_counting_as_activity_and_stay_signed_in_does(counselor):
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        sign_in(http, "counselor", PASSWORD)
        assert 'id="session-warning"' in http.get(reverse("workspace:today")).content.decode()
    with time_machine.travel(START + dt.timedelta(minutes=13), tick=False):
        state = http.get(reverse("signin:session"), HTTP_ACCEPT="application/json").json()
        assert state == {"signed_in": True, "seconds_left": 120}
        assert http.get(reverse("signin:session")).json()["seconds_left"] == 120  # asking changed nothing
        stayed = http.post(reverse("signin:session"), HTTP_ACCEPT="application/json").json()
        assert stayed == {"signed_in": True, "seconds_left": 900}
    with time_machine.travel(START + dt.timedelta(minutes=27), tick=False):
        assert http.get(reverse("workspace:today")).status_code == 200
    with time_machine.travel(START + dt.timedelta(minutes=50), tick=False):
        expired = http.get(reverse("signin:session"), HTTP_ACCEPT="application/json")
        assert expired.status_code == 401


def test_a_session_ends_after_twelve_hours_however_active(counselor):
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        sign_in(http, "counselor", PASSWORD)
    for minutes in range(10, 12 * 60, 10):
        with time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False):
            assert http.get(reverse("workspace:today")).status_code == 200, minutes
    with time_machine.travel(START + dt.timedelta(hours=12, minutes=1), tick=False):
        assert http.get(reverse("workspace:today")).status_code == 302


def test_sign_out_everywhere_ends_other_sessions_and_tokens(counselor):
    laptop, phone = HttpClient(), HttpClient()
    sign_in(laptop, "counselor", PASSWORD)
    sign_in(phone, "counselor", PASSWORD)
    _instance, key = api_token_create(user=counselor, via="test")

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=2)):
        response = laptop.post(reverse("signin:sign-out-everywhere"))
        assert response.status_code == 302
        assert phone.get(reverse("workspace:today")).status_code == 302
        assert laptop.get(reverse("workspace:today")).status_code == 302
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.get("/api/v1/clients/").status_code == 401
        # Signing in again works.
        assert sign_in(laptop, "counselor", PASSWORD).status_code == 302
        assert laptop.get(reverse("workspace:today")).status_code == 200


# --- API tokens ----------------------------------------------------------------------------------


def test_tokens_are_stored_hashed_and_each_login_gets_a_new_one(counselor):
    api = APIClient()
    first = token_for(api, "counselor", PASSWORD).json()
    second = token_for(api, "counselor", PASSWORD).json()
    assert first["token"] != second["token"]
    assert first["expiry"]
    for row in AuthToken.objects.values("digest", "token_key"):
        assert first["token"] not in row.values() and second["token"] not in row.values()
    api.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    assert api.get("/api/v1/clients/").status_code == 200


def test_an_expired_token_gets_401(counselor, settings):
    _instance, key = api_token_create(user=counselor, via="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/clients/").status_code == 200
    with time_machine.travel(timezone.now() + settings.REST_KNOX["TOKEN_TTL"] + dt.timedelta(minutes=1)):
        assert api.get("/api/v1/clients/").status_code == 401


def test_a_revoked_token_gets_401_and_the_owner_lists_and_revokes_on_their_page(counselor):
    http = login(counselor)
    page = http.post(reverse("signin:token-new"))
    key = page.context["new_key"]
    assert key in page.content.decode()  # shown once...
    listing = http.get(reverse("signin:security")).content.decode()
    assert key not in listing  # ...and never again
    instance = AuthToken.objects.get(user=counselor)
    assert instance.token_key in listing

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/clients/").status_code == 200
    http.post(reverse("signin:token-revoke"), {"token_key": instance.token_key})
    assert api.get("/api/v1/clients/").status_code == 401
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN, detail__has_key="revoked").exists()


def test_signing_out_of_the_web_keeps_tokens_but_a_password_change_or_disabling_ends_them(counselor):
    _instance, key = api_token_create(user=counselor, via="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    http = HttpClient()
    sign_in(http, "counselor", PASSWORD)
    http.post(reverse("logout"))
    assert api.get("/api/v1/clients/").status_code == 200

    counselor.set_password("a new Long passphrase 42")
    counselor.save()
    assert api.get("/api/v1/clients/").status_code == 401
    [changed] = AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE)
    assert changed.object_id == str(counselor.pk)

    _instance, key = api_token_create(user=counselor, via="test")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    counselor.is_active = False
    counselor.save()
    assert api.get("/api/v1/clients/").status_code == 401
    assert not AuthToken.objects.filter(user=counselor).exists()


def test_changing_ones_own_password_on_the_page_is_audited(counselor):
    http = HttpClient()
    sign_in(http, "counselor", PASSWORD)
    weak = http.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "aaaaaaaaaaaa", "password2": "aaaaaaaaaaaa"},
    )
    assert weak.status_code == 200
    assert "too easy to guess" in weak.content.decode()
    response = http.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "kettle Orchard 93 lantern",
            "password2": "kettle Orchard 93 lantern",
        },
    )
    assert response.status_code == 302
    [changed] = AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE)
    assert changed.user_id == counselor.pk


# --- password policy -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaa", "abababababab", "123123123123", "abcdefghijklmn", "9876543210987", "password1234"],
)
def test_trivially_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["kettle Orchard 93 lantern", "correct-horse-battery-staple"])
def test_a_passphrase_is_accepted(password):
    validate_password(password)
