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
