"""Edit forms and API updates the way a browser or an API caller does them: with the version read.

``opened(response)`` reads the hidden version fields of the form a GET rendered, which the browser
sends back on save; ``etag_of(api, url)`` reads a record's ETag for ``If-Match``.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.http import quote_etag

from careteam.concurrency import (
    SNAPSHOT_FIELD,
    TOKEN_FIELD,
    encode_snapshot,
    identity_of,
    token_for_values,
    values_of,
)

_HIDDEN = re.compile(rf'<input type="hidden" name="({TOKEN_FIELD}|{SNAPSHOT_FIELD})" value="([^"]*)"')


def opened(response, *, form_with: str = "") -> dict[str, str]:
    """The version fields of the first versioned ``<form>`` on the page containing ``form_with``."""
    html = response.content.decode()
    for chunk in html.split("<form")[1:]:
        form = chunk.split("</form>")[0]
        if form_with in form:
            found = dict(_HIDDEN.findall(form))
            if found:
                return found
    raise AssertionError(f"no versioned form{f' with {form_with!r}' if form_with else ''} on the page")


def open_form(http, url: str, *, form_with: str = "") -> dict[str, str]:
    """GET an edit page as its user would and keep the version its form carries."""
    response = http.get(url)
    assert response.status_code == 200, response.status_code
    return opened(response, form_with=form_with)


def etag_of(api, url: str) -> str:
    response = api.get(url)
    assert response.status_code == 200, response.status_code
    return response["ETag"]


def stored_version(instance, fields) -> dict[str, str]:
    """The version fields an edit page over ``fields`` would carry if opened now on ``instance``'s
    stored row (for tests whose persona may not open the page at all)."""
    stored = type(instance)._base_manager.get(pk=instance.pk)
    identity = identity_of(stored)
    values = values_of(stored, fields)
    return {
        TOKEN_FIELD: token_for_values(identity, values),
        SNAPSHOT_FIELD: encode_snapshot(identity, values),
    }


def stored_etag(instance, fields) -> str:
    """The ETag a GET of ``instance``'s stored row would answer, the API covering ``fields``."""
    stored = type(instance)._base_manager.get(pk=instance.pk)
    return quote_etag(token_for_values(identity_of(stored), values_of(stored, fields)))


def form_as_sent(response, *, form_key: str = "form", **changes) -> dict:
    """What the browser sends back from the form a GET rendered (``context[form_key]``), unchanged
    but for ``changes``: every field as shown, the hidden version fields included."""
    form = response.context[form_key]
    data: dict = {}
    for bound in form:
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif value is None:
            if not isinstance(bound.field, forms.MultipleChoiceField):  # no box ticked: nothing sent
                data[bound.html_name] = ""
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif hasattr(value, "isoformat"):
            data[bound.html_name] = value.isoformat()
        else:
            data[bound.html_name] = str(value)
    return {**data, **changes}
