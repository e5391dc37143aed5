"""THE referral status table: which moves are legal, and who may make each one.

After the FHIR SDOH Clinical Care referral Task (HL7 SDOH Clinical Care IG, "Task" state machine):
draft → requested → accepted | rejected; accepted → in-progress | on-hold | cancelled | completed |
failed; in-progress ↔ on-hold; in-progress / on-hold → cancelled | completed | failed;
entered-in-error from draft or requested. The requester (our staff) sets draft, requested and
entered-in-error; the receiver (the partner organisation) sets the rest; either may cancel —
including a requested referral the requester withdraws before the partner answers.

Our staff may also make the receiver's moves *on the partner's behalf* (a phone call, a fax): the
event is then recorded with actor "staff" and the note "on behalf of <organisation>".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from careteam.errors import DomainError
from careteam.statemachine import StateMachine

from .models import ReferralOutcome, ReferralStatus

S = ReferralStatus
REQUESTER = "requester"
RECEIVER = "receiver"
EITHER = frozenset({REQUESTER, RECEIVER})
_REQ = frozenset({REQUESTER})
_REC = frozenset({RECEIVER})

TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    S.DRAFT: {S.REQUESTED: _REQ, S.ENTERED_IN_ERROR: _REQ},
    S.REQUESTED: {S.ACCEPTED: _REC, S.REJECTED: _REC, S.CANCELLED: EITHER, S.ENTERED_IN_ERROR: _REQ},
    S.ACCEPTED: {
        S.IN_PROGRESS: _REC,
        S.ON_HOLD: _REC,
        S.CANCELLED: EITHER,
        S.COMPLETED: _REC,
        S.FAILED: _REC,
    },
    S.IN_PROGRESS: {S.ON_HOLD: _REC, S.CANCELLED: EITHER, S.COMPLETED: _REC, S.FAILED: _REC},
    S.ON_HOLD: {S.IN_PROGRESS: _REC, S.CANCELLED: EITHER, S.COMPLETED: _REC, S.FAILED: _REC},
}

# The same table on the shape every status table in the project has (``careteam.statemachine``):
# which moves are legal. ``TRANSITIONS`` adds who may make each one.
REFERRAL_STATES = StateMachine(
    name=_("referral"),
    statuses=ReferralStatus,
    moves={a: frozenset(targets) for a, targets in TRANSITIONS.items()},
)

# Rejected, cancelled, completed, failed, entered in error: no way out.
TERMINAL = REFERRAL_STATES.terminal
# Sent and not yet closed: the partner link works, deadlines run, the worklist shows them.
OPEN = frozenset({S.REQUESTED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD})
# Open and taken on by the partner (accepted, in progress, on hold): there can be an appointment at
# the partner to have passed, and attendance at it to report. A request the partner has not answered
# has neither — the no-response deadline covers it.
TAKEN_ON = OPEN - {S.REQUESTED}
# Closing the loop: these moves need an outcome. Entered-in-error is a correction, not an outcome.
CLOSING = frozenset({S.REJECTED, S.CANCELLED, S.COMPLETED, S.FAILED})

# The outcomes each closing status accepts (the first is the default offered).
OUTCOMES_FOR: dict[str, tuple[str, ...]] = {
    S.COMPLETED: (ReferralOutcome.CONNECTED,),
    S.REJECTED: (ReferralOutcome.NOT_ELIGIBLE, ReferralOutcome.NO_CAPACITY, ReferralOutcome.OTHER),
    S.FAILED: (
        ReferralOutcome.NO_CONTACT,
        ReferralOutcome.CLIENT_DECLINED,
        ReferralOutcome.NOT_ELIGIBLE,
        ReferralOutcome.NO_CAPACITY,
        ReferralOutcome.UNRESPONSIVE,
        ReferralOutcome.OTHER,
    ),
    S.CANCELLED: (
        ReferralOutcome.CLIENT_DECLINED,
        ReferralOutcome.NO_CONTACT,
        ReferralOutcome.UNRESPONSIVE,
        ReferralOutcome.NOT_ELIGIBLE,
        ReferralOutcome.NO_CAPACITY,
        ReferralOutcome.OTHER,
    ),
}


@dataclass(frozen=True)
class Move:
    to: str
    label: str
    by: frozenset[str]


def label(status: str) -> str:
    return REFERRAL_STATES.label(status)


def can_move(from_status: str, to_status: str) -> bool:
    return REFERRAL_STATES.can_move(from_status, to_status)


def check(from_status: str, to_status: str) -> None:
    """Refuse a move not in the table. The error names ``to``, the field the pages and the API post
    the wanted status in (the shared machine's ``check`` names ``status``)."""
    if not can_move(from_status, to_status):
        raise DomainError(refusal(from_status, to_status), field="to")


def who_may(from_status: str, to_status: str) -> frozenset[str]:
    return TRANSITIONS.get(from_status, {}).get(to_status, frozenset())


def refusal(from_status: str, to_status: str) -> str:
    """The message an illegal move is refused with (pages and API show it as is)."""
    return REFERRAL_STATES.refusal(from_status, to_status)


def moves_from(status: str, *, side: str | None = None) -> list[Move]:
    """The legal moves out of ``status`` (for one side, or all), in table order."""
    return [
        Move(to, S(to).label, by)
        for to, by in TRANSITIONS.get(status, {}).items()
        if side is None or side in by
    ]


def all_pairs() -> list[tuple[str, str]]:
    """Every (from, to) pair of statuses, legal or not: the tests walk them all."""
    return list(REFERRAL_STATES.all_pairs())
