"""Demo measurement-based care: score histories that make the Assessments tab and Today look real.

Everything goes through ``assessment_administer`` (scored by the real rules, audited, and the one
positive PHQ-9 item 9 raises its risk-screen task like it would in the clinic).
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from careteam.models import CareTeamAssignment, CaseRole, User
from clients.models import Client, ClientStatus, Instrument

from .services import assessment_administer

MONTH = dt.timedelta(days=30)


def _spread(rng: random.Random, keys: list[str], total: int, low: int, high: int) -> dict[str, int]:
    """Answers between ``low`` and ``high`` per item that add up to ``total`` (clamped to what fits)."""
    answers = dict.fromkeys(keys, low)
    remaining = max(0, min(total - low * len(keys), (high - low) * len(keys)))
    while remaining:
        key = rng.choice([k for k in keys if answers[k] < high])
        answers[key] += 1
        remaining -= 1
    return answers


def _trajectory(rng: random.Random, n: int, *, worse: bool, start: tuple[int, int], cap: int) -> list[int]:
    total = rng.randint(*start)
    totals = []
    for _ in range(n):
        totals.append(max(0, min(cap, total)))
        total += rng.randint(1, 3) if worse else -rng.randint(1, 4)
    return totals


def seed(*, rng: random.Random, clients: list[Client], staff: dict[str, User]) -> int:
    """PHQ-9 and GAD-7 monthly histories for about two thirds of the active clients (mostly improving,
    a couple worsening, one with PHQ-9 item 9 positive), AUDIT-C at intake, some BARC-10 and C-SSRS
    screens. Returns how many responses were saved."""
    instruments = {i.code: i for i in Instrument.objects.filter(is_active=True)}
    active = [c for c in clients if c.status == ClientStatus.ACTIVE and c.archived_at is None]
    chosen = rng.sample(active, k=round(len(active) * 2 / 3))
    primaries = dict(
        CareTeamAssignment.objects.active()
        .filter(client__in=chosen, role=CaseRole.PRIMARY_COUNSELOR)
        .values_list("client_id", "staff_id")
    )
    users = {u.pk: u for u in staff.values()}
    now = timezone.now()
    saved = 0
    worsening = {c.pk for c in chosen[1:3]}
    item9_client = chosen[0].pk if chosen else None

    def give(client, code, answers, when):
        nonlocal saved
        by = users.get(primaries.get(client.pk)) or staff["counselor"]
        assessment_administer(
            client=client, instrument=instruments[code], answers=answers, acting_user=by, administered_at=when
        )
        saved += 1

    for index, client in enumerate(chosen):
        n = rng.randint(3, 6)
        # The latest visit between 5 and 45 days ago, so some clients are due again on Today.
        last = now - dt.timedelta(days=rng.randint(5, 45), hours=rng.randint(0, 6))
        dates = [last - MONTH * (n - 1 - k) - dt.timedelta(days=rng.randint(0, 3)) for k in range(n)]
        worse = client.pk in worsening
        phq = _trajectory(rng, n, worse=worse, start=(6, 10) if worse else (11, 22), cap=24)
        gad = _trajectory(rng, n, worse=worse, start=(5, 9) if worse else (8, 18), cap=21)
        phq_keys = [f"q{i}" for i in range(1, 9)]
        for k, when in enumerate(dates):
            answers = {**_spread(rng, phq_keys, phq[k], 0, 3), "q9": 0}
            if client.pk == item9_client and k == n - 1:
                answers["q9"] = 1
            give(client, "phq9", answers, when)
            give(client, "gad7", _spread(rng, [f"q{i}" for i in range(1, 8)], gad[k], 0, 3), when)
        audit_total = rng.choice([0, 1, 2, 3, 4, 5, 7, 9])
        give(client, "audit_c", _spread(rng, ["q1", "q2", "q3"], audit_total, 0, 4), dates[0])
        if index % 4 == 0:
            barc_keys = [f"q{i}" for i in range(1, 11)]
            give(client, "barc10", _spread(rng, barc_keys, rng.randint(30, 42), 1, 6), dates[0])
            give(client, "barc10", _spread(rng, barc_keys, rng.randint(40, 52), 1, 6), dates[-1])
        if index % 5 == 0:
            wish = rng.random() < 0.4
            give(client, "cssrs_screener", {"q1": int(wish), "q2": 0, "q6": 0}, dates[0])
    return saved
