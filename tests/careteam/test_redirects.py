"""``careteam.redirects``: forms go back where they came from, never off the site."""

import pytest
from django.test import RequestFactory

from careteam.redirects import redirect_next_or, safe_next_url


@pytest.mark.parametrize(
    ("next_url", "kept"),
    [
        ("/clients/3/?tab=needs", True),
        ("http://testserver/today/", True),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_only_a_next_on_this_site_is_kept(next_url, kept):
    request = RequestFactory().post("/", {"next": next_url})
    assert safe_next_url(request) == (next_url if kept else "")


def test_a_get_next_counts_and_a_secure_page_never_goes_back_to_http():
    assert safe_next_url(RequestFactory().get("/", {"next": "/today/"})) == "/today/"
    secure = RequestFactory().get("/", {"next": "http://testserver/today/"}, secure=True)
    assert safe_next_url(secure) == ""


def test_without_a_safe_next_it_goes_to_the_fallback():
    request = RequestFactory().post("/", {"next": "https://evil.example/"})
    assert redirect_next_or(request, "/worklist/").url == "/worklist/"
    request = RequestFactory().post("/", {"next": "/clients/3/"})
    assert redirect_next_or(request, "/worklist/").url == "/clients/3/"
