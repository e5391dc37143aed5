"""The 400, 403, CSRF, 404 and 500 pages: styled like the site, accessible, translatable, and telling
nobody anything (no path, exception text, username or client name). The API's errors stay JSON."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.template import loader
from django.test import Client as HttpClient
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.views.defaults import server_error

from tests.conftest import api_login, login

pytestmark = pytest.mark.django_db

SECRET = "Rivera-secret-detail /srv/careteam/clients/views.py line 42"


def _boom(request):
    raise RuntimeError(SECRET)


# A test-only URL configuration: the project's URLs plus one view that fails.
urlpatterns = [path("boom/", _boom), path("", include("config.urls"))]

ERROR_TEMPLATES = ["400.html", "403.html", "403_csrf.html", "404.html", "500.html"]


def assert_styled_page(body: str) -> None:
    """The site's look and the page's bones: a language, the stylesheets, one h1 in a main, a way home."""
    assert re.search(r'<html lang="[a-z]{2}', body)
    assert "css/careteam.css" in body
    assert "vendor/bootstrap/bootstrap.min.css" in body
    assert re.search(r'<main id="main"', body)
    assert body.count("<h1") == 1
    assert 'href="/"' in body


def assert_tells_nothing(body: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in body, secret
    assert "Traceback" not in body
    assert "RuntimeError" not in body


# --- 404 -------------------------------------------------------------------------------------------


@override_settings(DEBUG=False)
def test_another_teams_client_gets_the_styled_404_without_their_name_or_the_path(alice, outsider):
    url = reverse("clients:detail", args=[alice.pk])

    response = login(outsider).get(url)

    assert response.status_code == 404
    body = response.content.decode()
    assert_styled_page(body)
    assert "We can" in body
    assert_tells_nothing(
        body, alice.legal_first_name, alice.legal_last_name, alice.record_number, url, outsider.username
    )
    assert "No such client" not in body  # the exception's own text


@override_settings(DEBUG=False)
def test_a_missing_page_gets_the_styled_404_without_echoing_the_path(client):
    response = client.get("/clients/<script>alert(1)</script>-not-here/")

    assert response.status_code == 404
    body = response.content.decode()
    assert_styled_page(body)
    assert_tells_nothing(body, "not-here", "alert(1)")


# --- 403 -------------------------------------------------------------------------------------------


@override_settings(DEBUG=False)
def test_a_peer_on_the_edit_page_gets_the_styled_403_without_the_clients_name(alice, peer):
    """PermissionDenied raised by the chart's access check renders the site's 403 page."""
    response = login(peer).get(reverse("clients:update", args=[alice.pk]))

    assert response.status_code == 403
    body = response.content.decode()
    assert_styled_page(body)
    assert "You can" in body
    assert_tells_nothing(
        body, alice.legal_first_name, alice.legal_last_name, alice.record_number, peer.username
    )


@override_settings(DEBUG=False)
def test_a_permission_required_page_refused_gets_the_styled_403(outsider):
    """The dashboard's PermissionRequiredMixin refusal (a CSV here) is the same page."""
    response = login(outsider).get("/dashboard/drilldown/risk.list/?format=csv")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert_styled_page(response.content.decode())


@override_settings(DEBUG=False)
def test_an_expired_form_says_so_and_how_to_recover():
    """GIVEN a form posted without a valid CSRF token (it expired, or the person signed out in another
    tab) THEN the page says the form expired and to go back and reload, not Django's developer text."""
    browser = HttpClient(enforce_csrf_checks=True)

    response = browser.post(reverse(settings.LOGIN_URL), {"login": "someone", "password": "x"})

    assert response.status_code == 403
    body = response.content.decode()
    assert_styled_page(body)
    assert "This form has expired" in body
    assert "Reload that page" in body
    assert_tells_nothing(body, "CSRF", "someone", "Referer", "DEBUG")


# --- 400 -------------------------------------------------------------------------------------------


@override_settings(DEBUG=False)
def test_a_bad_request_gets_the_styled_400_without_echoing_the_host(client):
    response = client.get("/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    body = response.content.decode()
    assert_styled_page(body)
    assert_tells_nothing(body, "attacker.example", "ALLOWED_HOSTS")


# --- 500 -------------------------------------------------------------------------------------------


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_crash_gets_the_styled_500_without_the_exception(counselor):
    http = login(counselor)
    http.raise_request_exception = False

    response = http.get("/boom/")

    assert response.status_code == 500
    body = response.content.decode()
    assert_styled_page(body)
    assert "Something went wrong" in body
    assert_tells_nothing(body, SECRET, "Rivera", "/boom/", counselor.username, counselor.first_name)
    assert "no-store" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]


def test_the_500_page_renders_with_no_request_and_no_queries():
    """Django renders 500.html with no context at all; the page must not need one, nor the database
    (which may be what failed)."""
    with CaptureQueriesContext(connection) as queries:
        response = server_error(RequestFactory().get("/anything/"))
        bare = loader.get_template("500.html").render()

    assert len(queries) == 0
    assert response.status_code == 500
    assert_styled_page(response.content.decode())
    assert_styled_page(bare)


# --- the API stays JSON ----------------------------------------------------------------------------


@override_settings(DEBUG=False)
def test_the_apis_404_and_403_stay_json(alice, outsider, peer):
    missing = api_login(outsider).get(f"/api/v1/clients/{alice.pk}/")
    refused = api_login(peer).patch(f"/api/v1/clients/{alice.pk}/", {"notes": "x"}, format="json")

    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert alice.legal_last_name not in missing.content.decode()
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/json"
    assert "detail" in refused.json()


# --- every string translatable ---------------------------------------------------------------------

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
# What may stand outside {% translate %}: the product's name, the status codes, the title separator.
UNTRANSLATED_ALLOWED = {"careteam", "·"}


def visible_text_outside_translation(source: str) -> list[str]:
    """The words a person would read that no {% translate %} / {% blocktranslate %} wraps."""
    source = re.sub(r"{% comment %}.*?{% endcomment %}", "", source, flags=re.S)
    source = re.sub(r"{% block icon %}.*?{% endblock %}", "", source, flags=re.S)  # an icon's class name
    source = re.sub(r"{% blocktranslate.*?%}.*?{% endblocktranslate %}", "", source, flags=re.S)
    source = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", " ", source, flags=re.S)
    source = re.sub(r"<!doctype html>|<[^>]+>", " ", source, flags=re.S | re.I)
    return [w for w in source.split() if w not in UNTRANSLATED_ALLOWED and not w.isdigit()]


@pytest.mark.parametrize("name", [*ERROR_TEMPLATES, "errors/base.html"])
def test_every_string_on_the_error_pages_is_marked_for_translation(name):
    source = (TEMPLATES_DIR / name).read_text()

    assert "{% load i18n" in source
    assert visible_text_outside_translation(source) == []
    # Attributes a screen reader speaks are translated too.
    assert not re.search(r'aria-label="[^"{]', source)


def test_the_translation_check_sees_an_untranslated_word():
    assert visible_text_outside_translation("<p>{% translate 'Fine' %} Oops</p>") == ["Oops"]
