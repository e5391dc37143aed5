"""CSV export of a drill-down list, safe to open in a spreadsheet.

Every cell goes through ``careteam.spreadsheet.escape_cell``: a cell a spreadsheet would run as a
formula (OWASP "CSV injection") gets a leading quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from careteam.spreadsheet import escape_cell


def render_csv(columns: list[tuple[str, str]], rows: Iterable[dict]) -> str:
    """The whole list as CSV text: a header row of column headings, then one line per row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([escape_cell(heading) for _, heading in columns])
    for row in rows:
        writer.writerow([escape_cell(row.get(key)) for key, _ in columns])
    return out.getvalue()
