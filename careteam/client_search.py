"""Finding a client by what staff type: a name, a record number or a date of birth.

One matcher for the searches that reach beyond the caseload (the crisis quick-open picker and the
break-glass search); they show only what picks the right person (``IDENTITY_FIELDS``).
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q

RECORD_NUMBER = re.compile(r"^\s*(CT-?)?\d{1,7}\s*$", re.IGNORECASE)
SEARCH_MAX_LENGTH = 100


def search_date(q: str) -> dt.date | None:
    """``q`` read as a date of birth (2024-05-31 or 05/31/2024), else None."""
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return dt.datetime.strptime(q, fmt).date()
        except ValueError:
            continue
    return None


def client_search_q(q: str) -> Q:
    """``Client`` rows matching ``q``: an exact date of birth, a record number, or every word the start of
    a first, last or preferred name. An empty search matches nobody (a search never lists everyone)."""
    q = q.strip()[:SEARCH_MAX_LENGTH]
    if not q:
        return Q(pk__in=[])
    day = search_date(q)
    if day:
        return Q(date_of_birth=day)
    if RECORD_NUMBER.match(q):
        return Q(record_number__iendswith=re.sub(r"\D", "", q).zfill(7))
    match = Q()
    for term in q.split():
        match &= (
            Q(legal_first_name__istartswith=term)
            | Q(legal_last_name__istartswith=term)
            | Q(preferred_name__istartswith=term)
        )
    return match
