"""Drill-down CSV: the whole list, formula cells neutralised, and audited as an export per client."""

import csv
import io

import pytest

from careteam.models import AuditAction, AuditEvent
from dashboards.csv import escape_cell, render_csv
from tests.conftest import login
from tests.factories import ClientFactory


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Ali Rivera", "Ali Rivera"),
        ("a=b", "a=b"),
        (-3, "-3"),  # a number is data, not a formula
        (2.5, "2.5"),
        (None, ""),
        (True, "yes"),
    ],
)
def test_cells_a_spreadsheet_would_run_get_a_leading_quote(value, cell):
    assert escape_cell(value) == cell


def test_render_csv_writes_the_headings_then_the_rows():
    text = render_csv([("client", "Client"), ("n", "Flags")], [{"client": "=cmd|' /C calc'!A0", "n": 2}])

    assert list(csv.reader(io.StringIO(text))) == [["Client", "Flags"], ["'=cmd|' /C calc'!A0", "2"]]


def test_the_download_is_the_whole_list_escaped_and_audited_as_an_export(team, supervisor):
    evil = ClientFactory(primary_team=team, legal_first_name="=HYPERLINK(1)", legal_last_name="Zz")
    others = [
        ClientFactory(primary_team=team, legal_first_name="Pat", legal_last_name=f"P{i:02d}")
        for i in range(60)
    ]
    http = login(supervisor)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    response = http.get("/dashboard/drilldown/caseloads.unassigned/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="caseloads-unassigned-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Client", "Record", "Team", "Admitted"]
    assert len(rows) == 1 + 61  # every row, not one page
    assert ["'=HYPERLINK(1) Zz", evil.record_number] == rows[1][:2]
    exported = AuditEvent.objects.filter(id__gt=last, action=AuditAction.EXPORT)
    assert sorted(exported.values_list("client_id", flat=True)) == sorted([evil.pk, *(c.pk for c in others)])
    assert exported.first().detail["format"] == "csv"
