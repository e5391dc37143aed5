"""The issue's "done when": on the demo data the supervisor's dashboard tells a true story — every
panel has something to say, every risk flag appears, and every number drills down to its records."""

import io
from collections import Counter

import pytest
from django.core.management import call_command

from careteam.models import User
from dashboards import metrics
from dashboards.panels import risk
from dashboards.scope import scope_for

COUNTS = {"clients", "referrals", "episodes", "plans", "notes", "messages"}


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True  # seed_demo refuses to run with DEBUG off
    call_command("seed_demo", stdout=io.StringIO())
    return scope_for(User.objects.get(username="supervisor"))


def _says_something(panel: metrics.Panel) -> bool:
    return (
        any(f.value not in (None, 0) for f in panel.figures)
        or any(value not in (None, 0) for s in panel.series for _, value in s.points)
        or any(t.rows for t in panel.tables)
    )


def test_the_demo_dashboard_tells_a_true_story(demo):
    panels = metrics.compute_all(demo)

    assert [p.key for p in panels] == [spec.key for spec in metrics.panels()]
    assert [p.key for p in panels if not _says_something(p)] == []

    flags = {key for row in risk.risk_rows(demo) for key in row["flag_keys"]}
    assert flags == {key for key, _ in risk.FLAGS}

    # Every non-zero figure has records behind it; a count of records (not a rate or a median) whose
    # drill-down is its own is exactly the length of that list.
    figures = [f for p in panels for f in p.figures]
    sharing = Counter(f.drilldown for f in figures)
    for figure in figures:
        if not figure.drilldown or figure.value in (None, 0):
            continue
        rows = list(metrics.drilldown(figure.drilldown).rows(demo))
        assert rows, figure.key
        if sharing[figure.drilldown] == 1 and figure.unit in COUNTS:
            distinct = {r["client_id"] for r in rows} if figure.unit == "clients" else rows
            assert len(distinct) == figure.value, figure.key
