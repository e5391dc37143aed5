"""One shape for every status table in the project, and one way to move a row along it.

Each app with a state machine declares it once, in its ``states.py``, as a ``StateMachine``: the
statuses (a ``TextChoices``) and, for each, the statuses it may move to (django-oscar's
``Order.pipeline``). Services move rows only through it:

- ``machine.check(current, to)`` refuses a move not in the table with a ``DomainError`` whose message
  the page or the API shows as is;
- ``machine.move(obj, to, also={...})`` checks the move, then writes it as a compare-and-set on the
  status the caller read (healthchecks ``sendalerts``), so two workers or two staff racing on one
  row cannot both win: the loser gets ``StaleStateError`` (or ``False`` with ``quiet=True``);
- ``machine.move_all(queryset, to, also={...})`` moves every row of a queryset that may legally
  make the move, in one UPDATE, and leaves the others alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext

from .errors import DomainError


class StaleStateError(DomainError):
    """The row's status changed between reading it and writing the move (someone else moved it)."""


@dataclass(frozen=True)
class StateMachine:
    """A status table: ``moves[a]`` is the set of statuses a row in status ``a`` may move to."""

    name: str  # what a person calls the thing that moves, e.g. gettext_lazy("referral")
    statuses: type[models.TextChoices]
    moves: Mapping[str, frozenset[str]]
    status_field: str = "status"
    # The domain's own wording of a refused move, with %(current)s and %(to)s (and %(thing)s), for a
    # machine whose name does not read after the generic "A …" or whose pages already say it their
    # way (appointments: "cannot be marked …"). When given it words every refusal.
    refusal_text: str | None = None
    _sources: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        known = set(self.statuses.values)
        for source, targets in self.moves.items():
            unknown = ({source} | set(targets)) - known
            if unknown:
                raise ValueError(f"{self.name} table names unknown statuses {sorted(unknown)}")
            if source in targets:
                raise ValueError(f"{self.name} table moves {source} to itself")
        sources = {
            to: frozenset(a for a, targets in self.moves.items() if to in targets)
            for to in self.statuses.values
        }
        object.__setattr__(self, "_sources", sources)

    # --- reading the table -------------------------------------------------------------------------

    def can_move(self, current: str, to: str) -> bool:
        return to in self.moves.get(current, frozenset())

    def targets(self, current: str) -> list[str]:
        """The statuses reachable from ``current`` in one move, in the order the choices declare them."""
        allowed = self.moves.get(current, frozenset())
        return [s for s in self.statuses.values if s in allowed]

    def sources(self, to: str) -> frozenset[str]:
        """Every status from which a row may move to ``to``."""
        return self._sources.get(to, frozenset())

    @property
    def terminal(self) -> frozenset[str]:
        """Statuses with no way out."""
        return frozenset(s for s in self.statuses.values if not self.moves.get(s))

    def label(self, status: str) -> str:
        return str(self.statuses(status).label).lower() if status in self.statuses.values else status

    def refusal(self, current: str, to: str) -> str:
        """The message an illegal move is refused with (pages and API show it as is)."""
        words = {"thing": self.name, "current": self.label(current), "to": self.label(to)}
        if self.refusal_text is not None:
            return str(self.refusal_text) % words
        if current == to:
            return gettext("The %(thing)s is already %(current)s.") % words
        if current in self.terminal:
            final = gettext("A %(thing)s that is %(current)s cannot become %(to)s: %(current)s is final.")
            return final % words
        return gettext("A %(thing)s that is %(current)s cannot become %(to)s.") % words

    def all_pairs(self) -> Iterable[tuple[str, str]]:
        """Every (from, to) pair of distinct statuses, legal or not: the tests walk them all."""
        return [(a, b) for a in self.statuses.values for b in self.statuses.values if a != b]

    # --- moving rows -------------------------------------------------------------------------------

    def check(self, current: str, to: str) -> None:
        """Raise ``DomainError`` (field ``status``) unless the table allows ``current`` → ``to``."""
        if not self.can_move(current, to):
            raise DomainError(self.refusal(current, to), field=self.status_field)

    def move(self, obj: models.Model, to: str, *, also: Mapping | None = None, quiet: bool = False) -> bool:
        """Move ``obj`` to ``to`` if its stored status is still the one on ``obj`` (compare-and-set).

        ``also`` are further fields written in the same UPDATE (timestamps, who, why). On success the
        instance is updated in memory too and ``True`` is returned. If another writer moved the row
        first, nothing is written and ``StaleStateError`` is raised — or ``False`` returned when
        ``quiet`` (a worker that lost a race has nothing to do).
        """
        current = getattr(obj, self.status_field)
        self.check(current, to)
        values = {self.status_field: to, **(also or {})}
        won = (
            type(obj)._default_manager.filter(pk=obj.pk, **{self.status_field: current}).update(**values) == 1
        )
        if not won:
            if quiet:
                return False
            raise StaleStateError(
                gettext("This %(thing)s was changed by someone else a moment ago; reload the page to see it.")
                % {"thing": self.name},
                field=self.status_field,
            )
        for name, value in values.items():
            setattr(obj, name, value)
        return True

    def move_all(self, queryset: QuerySet, to: str, *, also: Mapping | None = None) -> int:
        """Move every row of ``queryset`` whose status may legally become ``to``; returns how many moved."""
        sources = self.sources(to)
        if not sources:
            return 0
        values = {self.status_field: to, **(also or {})}
        return queryset.filter(**{f"{self.status_field}__in": sources}).update(**values)
