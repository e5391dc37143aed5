"""Headers every response carries: no caching of client data, the browser-features policy, and who
may read the API's schema."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django.views.decorators.cache import never_cache

from careteam.middleware import NoStoreMiddleware, PermissionsPolicyMiddleware, permissions_policy_header
from crisis.services import safety_plan_token
from referrals.partner import partner_path
from tests.conftest import api_login, login
from tests.factories.crisis import SafetyPlanVersionFactory
from tests.factories.plans import active_plan
from tests.factories.referrals import sent_referral

pytestmark = pytest.mark.django_db


def assert_not_stored(response) -> None:
    directives = {d.strip() for d in response["Cache-Control"].lower().split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]
    assert "public" not in directives


# Each case takes pytest's fixture getter and returns (the HTTP client to ask with, the URL, the
# status expected): pages, a print, a CSV, the API, the signed links opened without an account.
Case = Callable[[Callable[[str], object]], tuple[object, str, int]]


def _plan_print(get):
    alice, counselor = get("alice"), get("counselor")
    active_plan(alice, counselor)
    return login(counselor), reverse("plans:print", args=[alice.pk]), 200


def _safety_plan_link(get):
    version = SafetyPlanVersionFactory(client=get("alice"), version=1)
    return HttpClient(), reverse("crisis:public-safety-plan", args=[safety_plan_token(version)]), 200


def _partner_link(get):
    referral = sent_referral(client=get("alice"), referred_by=get("counselor"))
    return HttpClient(), partner_path(referral), 200


CLIENT_DATA: dict[str, Case] = {
    "caseload": lambda get: (login(get("counselor")), reverse("clients:list"), 200),
    "chart": lambda get: (login(get("counselor")), reverse("clients:detail", args=[get("alice").pk]), 200),
    "plan print": _plan_print,
    "dashboard drill-down CSV": lambda get: (
        login(get("supervisor")),
        "/dashboard/drilldown/caseloads.unassigned/?format=csv",
        200,
    ),
    # The API authenticates inside the view (DRF), so the middleware sees an anonymous request.
    "API list": lambda get: (api_login(get("counselor")), "/api/v1/clients/", 200),
    "API detail": lambda get: (api_login(get("counselor")), f"/api/v1/clients/{get('alice').pk}/", 200),
    "API refused": lambda get: (HttpClient(), "/api/v1/clients/", 401),
    "outsider's 404": lambda get: (
        login(get("outsider")),
        reverse("clients:detail", args=[get("alice").pk]),
        404,
    ),
    "client's safety-plan link": _safety_plan_link,
    "partner's referral link": _partner_link,
    "sign-in page": lambda get: (HttpClient(), reverse(get("settings").LOGIN_URL), 200),
}


@pytest.mark.parametrize("case", CLIENT_DATA)
def test_no_response_with_client_data_may_be_cached(case, request):
    """GIVEN any page, print, CSV, API answer or signed link WHEN it is served THEN it says no-store,
    private: nothing with client data rests in a browser's back-forward or disk cache or a proxy."""
    http, url, status = CLIENT_DATA[case](request.getfixturevalue)

    response = http.get(url)

    assert response.status_code == status
    assert_not_stored(response)


def test_the_health_check_keeps_its_own_never_cache_headers(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    reference = HttpResponse()
    never_cache(lambda request: reference)(RequestFactory().get("/"))
    assert response["Cache-Control"] == reference["Cache-Control"]  # untouched by the middleware
    assert response.has_header("Expires")


def test_static_files_stay_cacheable(client):
    response = client.get("/static/css/careteam.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]


def test_a_view_that_allowed_public_caching_is_made_private_and_not_stored():
    """A view's own directives are kept, but never ``public`` and never without ``no-store``."""

    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=600"
        return response

    response = NoStoreMiddleware(view)(RequestFactory().get("/"))

    assert_not_stored(response)
    assert "max-age=600" in response["Cache-Control"]


def test_a_view_that_already_said_no_store_is_left_alone():
    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "no-store"
        return response

    response = NoStoreMiddleware(view)(RequestFactory().get("/"))

    assert response["Cache-Control"] == "no-store"


# --- Permissions-Policy ----------------------------------------------------------------------------


def policy_of(response) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/healthz", "/static/css/careteam.css", "/api/v1/clients/", "/no-such-page/"]
)
def test_every_response_switches_off_sensitive_browser_features(client, url):
    policy = policy_of(client.get(url))

    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "display-capture"):
        assert policy[feature] == "()", feature


def test_passkeys_stay_allowed_for_our_own_origin_only(client):
    policy = policy_of(client.get("/accounts/login/"))

    assert policy["publickey-credentials-get"] == "(self)"
    assert policy["publickey-credentials-create"] == "(self)"


def test_pages_of_a_signed_in_person_carry_the_policy_too(alice, counselor):
    response = login(counselor).get(reverse("clients:detail", args=[alice.pk]))

    assert response.status_code == 200
    assert policy_of(response)["camera"] == "()"


def test_the_policy_is_spelled_as_a_structured_header():
    header = permissions_policy_header({"camera": [], "fullscreen": ["self", "https://example.org"]})

    assert header == 'camera=(), fullscreen=(self "https://example.org")'


def test_a_view_that_set_its_own_policy_keeps_it(settings):
    settings.PERMISSIONS_POLICY = {"camera": []}

    def view(request):
        response = HttpResponse("x")
        response["Permissions-Policy"] = "camera=(self)"
        return response

    response = PermissionsPolicyMiddleware(view)(RequestFactory().get("/"))

    assert response["Permissions-Policy"] == "camera=(self)"


# --- the API's schema and docs ---------------------------------------------------------------------


def test_the_schema_is_refused_to_an_anonymous_caller(client):
    response = client.get(reverse("api-schema"))

    assert response.status_code == 401
    assert b"/api/v1/clients/" not in response.content


def test_the_docs_page_sends_an_anonymous_browser_to_sign_in(client, settings):
    response = client.get(reverse("api-docs"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL) + "?next=")
    assert "api/docs" in response["Location"]


def test_the_swagger_script_is_refused_to_an_anonymous_browser_too(client):
    response = client.get(reverse("api-docs") + "?script")

    assert response.status_code == 302


@pytest.mark.parametrize("url_name", ["api-schema", "api-docs"])
def test_signed_in_staff_get_the_schema_and_docs_not_stored(url_name, counselor):
    response = login(counselor).get(reverse(url_name))

    assert response.status_code == 200
    assert_not_stored(response)


def test_an_api_caller_with_credentials_gets_the_schema(counselor):
    response = api_login(counselor).get(reverse("api-schema"))

    assert response.status_code == 200
    assert b"/api/v1/clients/" in response.content
