"""``/api/v1/metrics/``: the same figures as the page, for the same filters; supervisors and admins only."""

import datetime as dt

import pytest

from careteam.models import AuditAction, AuditEvent
from dashboards import metrics
from dashboards.scope import scope_for
from tests.conftest import api_login
from tests.factories import ClientFactory


def test_the_api_returns_every_panels_figures_as_computed_for_the_page(alice, supervisor, team):
    ClientFactory(primary_team=team)  # no primary counselor
    response = api_login(supervisor).get("/api/v1/metrics/", {"start": "2026-01-01", "end": "2026-01-31"})

    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == {"teams": [team.pk], "start": "2026-01-01", "end": "2026-01-31", "program": ""}
    expected = metrics.compute_all(scope_for(supervisor, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31)))
    assert [p["key"] for p in body["panels"]] == [p.key for p in expected]
    got = {f["key"]: f["value"] for p in body["panels"] for f in p["figures"]}
    assert got == {f.key: f.value for p in expected for f in p.figures}
    assert got["caseloads.unassigned"] == 1
    caseloads = body["panels"][0]
    assert caseloads["tables"][0]["columns"][0] == {"key": "staff", "heading": "Staff member"}
    assert caseloads["series"][0]["points"][0].keys() == {"label", "value"}


def test_the_api_is_audited_like_the_page(alice, supervisor):
    api = api_login(supervisor)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    api.get("/api/v1/metrics/")

    row = AuditEvent.objects.get(id__gt=last, client__isnull=True)
    assert (row.action, row.detail["page"]) == (AuditAction.VIEW, "api-metrics")


def test_the_api_is_forbidden_to_anyone_but_supervisors_and_admins(
    alice, counselor, peer, outsider, admin_user
):
    for user in (counselor, peer, outsider):
        assert api_login(user).get("/api/v1/metrics/").status_code == 403
        assert api_login(user).get("/api/v1/metrics/drilldowns/risk.list/").status_code == 403
    assert api_login(admin_user).get("/api/v1/metrics/").status_code == 200
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/metrics/").status_code in (401, 403)


def test_bad_filters_are_a_400_with_the_field_named(alice, supervisor):
    response = api_login(supervisor).get("/api/v1/metrics/", {"start": "2026-02-10", "end": "2026-02-01"})

    assert response.status_code == 400
    assert "end" in response.json()


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/metrics/", {"end": "0001-01-01"}, "end"),
        ("/api/v1/metrics/", {"start": "9999-12-31"}, "start"),
        ("/api/v1/metrics/drilldowns/caseloads.unassigned/", {"end": "0001-01-01"}, "end"),
    ],
)
def test_days_beyond_what_the_figures_can_count_back_from_are_a_400(alice, supervisor, url, params, field):
    """Found by the API fuzzer: the default start, 29 days before ``end=0001-01-01``, overflowed (500)."""
    response = api_login(supervisor).get(url, params)

    assert response.status_code == 400
    assert field in response.json()


def test_a_drilldown_pages_the_records_and_audits_them(alice, supervisor, team):
    orphans = [
        ClientFactory(primary_team=team, legal_first_name="Pat", legal_last_name=f"O{i:02d}")
        for i in range(3)
    ]
    api = api_login(supervisor)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    response = api.get("/api/v1/metrics/drilldowns/caseloads.unassigned/", {"sort": "-client"})

    body = response.json()
    assert body["count"] == 3
    assert [r["client_id"] for r in body["results"]] == [c.pk for c in reversed(orphans)]
    assert body["results"][0]["client"] == "Pat O02"
    listed = AuditEvent.objects.filter(id__gt=last, action=AuditAction.LIST)
    assert sorted(listed.values_list("client_id", flat=True)) == sorted(c.pk for c in orphans)
    assert api.get("/api/v1/metrics/drilldowns/nope/").status_code == 404
