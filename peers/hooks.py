"""What peer support plugs into the chart shell and the Today page."""

from __future__ import annotations

from . import selectors


def peer_people_section_context(request) -> dict | None:
    """Today, for a peer: their people past the contact threshold. Two queries whatever the count."""
    user = request.user
    if not user.has_perm("peers.add_peercontact"):
        return None
    people = selectors.my_people(user)
    if not people:
        return None
    overdue = [p for p in people if p.overdue]
    shown = overdue[: selectors.TODAY_LIMIT]
    return {
        "people": shown,
        "threshold": selectors.contact_threshold_days(),
        "clients_shown": [p.client.pk for p in shown],
    }


def end_peer_work_with_its_assignment(sender, *, assignment, acting_user, reason, **kwargs) -> None:
    """A peer's care-team assignment ended elsewhere (the Care team tab, admin): end the peer work
    hanging on it too, so it stops counting against the peer's capacity and showing on My people."""
    from .assignments.services import peer_assignment_end
    from .models import PeerAssignment

    peer_work = PeerAssignment.objects.filter(care_team_assignment=assignment, ended_on__isnull=True).first()
    if peer_work is not None:
        peer_assignment_end(
            assignment=peer_work,
            acting_user=acting_user,
            reason=reason or "Care-team assignment ended",
            ended_on=assignment.ended_on,
        )
