"""Panel 7 — peer support: how often assigned clients hear from their peer specialist, and who has
gone quiet past ``CARETEAM_PEER_CONTACT_THRESHOLD_DAYS`` (the threshold the peers app's own lists use).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat, TruncWeek
from django.utils import timezone

from clients.models import Client
from peers.models import ContactKind, ContactMode, PeerAssignment, PeerContact
from peers.selectors import contact_threshold_days

from ..metrics import Drilldown, Figure, Panel, PanelSpec, Series, choice_label, client_fields, register_panel
from ..scope import Scope

KEY = "peers"


def _in_range_q(scope: Scope) -> Q:
    """On a peer assignment: open at some time in the range."""
    return Q(started_on__lte=scope.end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=scope.start))


def _contacts(scope: Scope) -> QuerySet[PeerContact]:
    return PeerContact.objects.filter(
        scope.client_q(), occurred_at__gte=scope.start_at, occurred_at__lt=scope.end_at
    )


def _cutoff(scope: Scope) -> dt.datetime:
    """Midnight starting the day ``threshold`` days ago: a contact before it is more than ``threshold``
    whole calendar days old (as ``peers.selectors.days_since`` counts), in the site's time zone."""
    today = timezone.localtime(timezone.now(), scope.tz).date()
    return dt.datetime.combine(
        today - dt.timedelta(days=contact_threshold_days()), dt.time.min, tzinfo=scope.tz
    )


def _no_recent_contact_q(scope: Scope, client: str) -> Q:
    """No peer contact (any peer) of the client (``client``: the outer query's client id) since the
    cutoff: the last one is before it, or there is none."""
    return ~Q(Exists(PeerContact.objects.filter(client_id=OuterRef(client), occurred_at__gte=_cutoff(scope))))


def _without_contact(scope: Scope) -> QuerySet[Client]:
    """Clients in scope with an active peer assignment and no peer contact since the cutoff."""
    active = PeerAssignment.objects.filter(client_id=OuterRef("pk"), ended_on__isnull=True)
    return (
        scope.clients()
        .filter(Exists(active))
        .filter(_no_recent_contact_q(scope, "pk"))
        .annotate(last_contact=Max("peer_contacts__occurred_at"))
    )


def _client_counts(scope: Scope) -> dict:
    """Clients in scope with a peer assignment at any time in the range (``assigned``), and with an active
    one but no recent peer contact (``quiet``, the clients of ``_without_contact``) — one pass over the
    assignments of the clients in scope; a client with several assignments counts once."""
    return PeerAssignment.objects.filter(scope.client_q()).aggregate(
        assigned=Count("client_id", distinct=True, filter=_in_range_q(scope)),
        quiet=Count(
            "client_id",
            distinct=True,
            filter=Q(ended_on__isnull=True) & _no_recent_contact_q(scope, "client_id"),
        ),
    )


def _weeks(scope: Scope) -> list[dt.date]:
    monday = scope.start - dt.timedelta(days=scope.start.weekday())
    weeks = []
    while monday <= scope.end:
        weeks.append(monday)
        monday += dt.timedelta(weeks=1)
    return weeks


def compute(scope: Scope) -> Panel:
    counts = _client_counts(scope)
    assigned = counts["assigned"]
    per_week = {
        (row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]): row["n"]
        for row in _contacts(scope)
        .annotate(week=TruncWeek("occurred_at", tzinfo=scope.tz))
        .values("week")
        .annotate(n=Count("*"))
        .order_by("week")
    }
    contacts = sum(per_week.values())
    weeks = ((scope.end - scope.start).days + 1) / 7
    threshold = contact_threshold_days()
    quiet = counts["quiet"]
    figures = [
        Figure(
            "peers.contacts_per_client_week",
            "Peer contacts per assigned client per week",
            round(contacts / assigned / weeks, 2) if assigned else None,
            "contacts",
            "Peer contacts logged in the range (any peer, any mode) ÷ clients with a peer assignment at any "
            "time in the range ÷ the range's length in weeks (days ÷ 7).",
            numerator=contacts,
            denominator=assigned,
            drilldown="peers.contacts",
        ),
        Figure(
            "peers.without_contact",
            f"Without peer contact for more than {threshold} days",
            quiet,
            "clients",
            "Right now, whatever the range: clients with an active peer assignment whose last peer contact "
            f"(any peer) was more than {threshold} whole calendar days ago, or who have had none.",
            drilldown="peers.without_contact",
        ),
    ]
    series = [
        Series(
            "peers.contacts_per_week",
            "Peer contacts per assigned client, by week",
            "contacts",
            [
                (w.isoformat(), round(per_week.get(w, 0) / assigned, 2) if assigned else None)
                for w in _weeks(scope)
            ],
            definition="Peer contacts logged in each week (Monday to Sunday, site time zone; the first and "
            "last weeks only count the days inside the range) ÷ clients with a peer assignment in the range.",
            chart="bar",
            drilldown="peers.contacts",
        )
    ]
    return Panel(KEY, "Peer support", figures=figures, series=series)


def _peer_name(prefix: str = "peer__"):
    return Concat(F(f"{prefix}first_name"), Value(" "), F(f"{prefix}last_name"))


def contact_rows(scope: Scope):
    return (
        _contacts(scope)
        .values(
            "client_id",
            **client_fields(),
            contact_id=F("pk"),
            peer_name=_peer_name(),
            at=F("occurred_at"),
            mode_label=choice_label("mode", ContactMode.choices),
            kind_label=choice_label("kind", ContactKind.choices),
        )
        .order_by("occurred_at", "pk")
    )


def without_contact_rows(scope: Scope) -> list[dict]:
    first_active = (
        PeerAssignment.objects.filter(client_id=OuterRef("pk"), ended_on__isnull=True)
        .order_by("started_on", "id")
        .annotate(full_name=_peer_name())
    )
    rows = list(
        _without_contact(scope)
        .annotate(
            peer_name=Subquery(first_active.values("full_name")[:1]),
            assigned_on=Subquery(first_active.values("started_on")[:1]),
        )
        .values("record_number", "peer_name", "assigned_on", "last_contact", **client_fields(prefix=""))
        .order_by(F("last_contact").asc(nulls_first=True), "legal_last_name", "pk")
    )
    today = timezone.localtime(timezone.now(), scope.tz).date()
    for row in rows:
        last = row["last_contact"]
        row["days_since"] = (today - timezone.localtime(last, scope.tz).date()).days if last else None
    return rows


register_panel(
    PanelSpec(
        KEY,
        "Peer support",
        order=70,
        compute=compute,
        drilldowns=(
            Drilldown(
                "peers.contacts",
                "Peer contacts in the range",
                [
                    ("record_number", "Record"),
                    ("name", "Client"),
                    ("at", "When"),
                    ("peer_name", "Peer"),
                    ("mode_label", "Mode"),
                    ("kind_label", "Kind"),
                ],
                contact_rows,
            ),
            Drilldown(
                "peers.without_contact",
                "Clients without a recent peer contact",
                [
                    ("record_number", "Record"),
                    ("name", "Client"),
                    ("peer_name", "Peer"),
                    ("assigned_on", "Assigned"),
                    ("last_contact", "Last peer contact"),
                    ("days_since", "Days since"),
                ],
                without_contact_rows,
            ),
        ),
    )
)
