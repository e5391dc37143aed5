"""The page benchmark runs against whatever data is there and reports every page it times."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def test_bench_pages_times_every_page_and_all_answer_200(alice, counselor):
    out = StringIO()

    call_command("bench_pages", user="counselor", runs=2, stdout=out)

    rows = [
        line for line in out.getvalue().splitlines() if line.startswith(("caseload", "today", "chart", "api"))
    ]
    assert len(rows) == 8
    assert all(line.rstrip().endswith("200") for line in rows), out.getvalue()


def test_bench_pages_says_when_the_user_is_missing(db):
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("bench_pages", user="nobody", runs=1, stdout=StringIO())


def test_bench_pages_times_the_referral_worklist_and_dashboard_for_a_teams_supervisor(db):
    """GIVEN a small scale dataset WHEN bench_pages runs with --team THEN it benchmarks that team's
    supervisor, times the referral worklist and the dashboard too, and every page answers 200."""
    call_command("seed_scale", clients=30, force=True, stdout=StringIO())
    out = StringIO()

    call_command("bench_pages", team="Scale team 01", runs=1, stdout=out)

    text = out.getvalue()
    assert text.startswith("scale.supervisor (15 visible clients in Scale team 01)"), text
    rows = [line for line in text.splitlines() if line.rstrip().endswith(("200", "403", "404", "500"))]
    names = [line[:32].strip() for line in rows]
    assert "referral worklist" in names
    assert "dashboard" in names or "dashboard skipped" in text
    assert len(rows) == 10 + 3 * ("dashboard" in names)  # the page, the huddle list, the metrics API
    assert all(line.rstrip().endswith("200") for line in rows), text


def test_bench_pages_can_time_only_some_pages(alice, counselor):
    out = StringIO()

    call_command("bench_pages", user="counselor", runs=1, only="caseload,referral worklist", stdout=out)

    names = [line[:32].strip() for line in out.getvalue().splitlines() if line.rstrip().endswith("200")]
    assert names == ["caseload", "referral worklist"]


def test_bench_pages_refuses_to_report_redirects_as_page_times(alice, counselor, settings):
    """With two-factor required, every page answers a redirect to enrolment; timing those as the pages
    once produced figures that looked real."""
    settings.CARETEAM_MFA_REQUIRED = True

    with pytest.raises(CommandError, match="CARETEAM_MFA_REQUIRED=0"):
        call_command("bench_pages", user="counselor", runs=1, only="caseload", stdout=StringIO())
