"""The treatment-plan status table: a version is drafted, signed into force, and replaced by the next.

Written down from what ``plans.services`` does, so a new code path cannot invent a move — a signed
version edited back into a draft would change what the client agreed to:

- draft → active: the counselor signs the draft with the client's agreement (``plan_activate``).
- active → superseded: the next version is activated; the one it replaces is superseded in the
  same transaction (the database keeps one active version per client).

Superseded is final: the version stays, read-only, for the record's history and for adherence,
which follows each item's lineage. There is no way back to draft — changes start a new version
(``plan_create_draft``) — and a draft is not discarded: it stays until it is signed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from careteam.statemachine import StateMachine

from .models import PlanStatus

PLAN_STATES = StateMachine(
    name=_("treatment plan"),
    statuses=PlanStatus,
    moves={
        PlanStatus.DRAFT: frozenset({PlanStatus.ACTIVE}),
        PlanStatus.ACTIVE: frozenset({PlanStatus.SUPERSEDED}),
        PlanStatus.SUPERSEDED: frozenset(),
    },
)
