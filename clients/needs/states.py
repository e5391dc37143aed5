"""The status table of a client's need (housing, food, transport …): every move it may make, and why.

Written down from what the needs page, the API and the referral flow do (``clients.needs.services``
and ``referrals.services``), so a new code path cannot invent a move:

- open → referred: a referral for the need is sent to a partner.
- open | referred → met | closed, not met | declined: staff close it on the chart, or a referral
  closes its loop (connected → met; client declined → declined; any other outcome → not met).
- referred → open: the referral was entered in error, or staff chose "refer elsewhere", or staff
  take it back by hand.
- met | closed, not met | declined → open: reopened (the chart's "Reopen"; "refer elsewhere").
- closed, not met | declined → met: the partner reports after all that the client was connected
  (a late outcome on a referral that was still open when staff closed the need). A met need is not
  re-closed as unmet: if it comes back, it is reopened.

Closing a need without it being met — "closed, not met" or "declined by the client" — needs a note
saying why or what the client said (``NOTE_REQUIRED``): a closed-loop referral record distinguishes
"connected" from "closed", and a need closed unmet without a reason cannot be followed up or
counted honestly (DESIGN "Closed-loop referrals": the loop closes with an outcome).
``need_set_status`` enforces it, whoever calls it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from careteam.statemachine import StateMachine
from clients.models import NeedStatus

N = NeedStatus
_CLOSED = frozenset({N.MET, N.UNMET_CLOSED, N.DECLINED})

NEED_STATES = StateMachine(
    name=_("need"),
    statuses=NeedStatus,
    moves={
        N.OPEN: frozenset({N.REFERRED}) | _CLOSED,
        N.REFERRED: frozenset({N.OPEN}) | _CLOSED,
        N.MET: frozenset({N.OPEN}),
        N.UNMET_CLOSED: frozenset({N.OPEN, N.MET}),
        N.DECLINED: frozenset({N.OPEN, N.MET}),
    },
)
# Closing a need without meeting it needs a note (see above).
NOTE_REQUIRED = frozenset({N.UNMET_CLOSED, N.DECLINED})
NOTE_REQUIRED_MESSAGE = _("Say why the need is closed without being met, or what the client said.")
